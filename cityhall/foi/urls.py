from django.urls import URLPattern, URLResolver, path

from cityhall.foi import views

app_name = "foi"

urlpatterns: list[URLPattern | URLResolver] = [
    path("foi/", views.index, name="index"),
    path("foi/ask/", views.ask, name="ask"),
    path("foi/mine/", views.mine, name="mine"),
    path("foi/log/", views.disclosure_log, name="log"),
    path("foi/requests/<uuid:request_id>/", views.request_page, name="request"),
    path("staff/foi/", views.staff_home, name="staff_home"),
    path("staff/foi/<uuid:request_id>/", views.staff_request, name="staff_request"),
]
