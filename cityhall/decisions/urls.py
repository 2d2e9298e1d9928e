from django.urls import URLPattern, URLResolver, path

from cityhall.decisions import views

app_name = "decisions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("decisions/", views.index, name="index"),
    path("decisions/feed.atom", views.feed, name="feed"),
    path("decisions/data/", views.open_data, name="data"),
    path("decisions/data/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("decisions/bodies/<slug:slug>/", views.body_page, name="body"),
    path("decisions/meetings/", views.meeting_list, name="meetings"),
    path("decisions/meetings/<uuid:meeting_id>/", views.meeting_page, name="meeting"),
    path("decisions/<uuid:decision_id>/", views.decision_page, name="decision"),
    path("staff/decisions/", views.staff_home, name="staff_home"),
    path("staff/decisions/meetings/<uuid:meeting_id>/", views.staff_meeting, name="staff_meeting"),
    path("staff/decisions/<uuid:decision_id>/", views.staff_decision, name="staff_decision"),
]
