from django.urls import path, register_converter

from cityhall.servicerequests import views


class ReferenceConverter:
    regex = "[0-9A-Za-z]{5}-[0-9A-Za-z]{5}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "servicerequests"

urlpatterns = [
    path("report/", views.report_start, name="report_start"),
    path("report/<str:code>/", views.report_form, name="report_form"),
    path("requests/", views.request_list, name="list"),
    path("requests/mine/", views.my_requests, name="mine"),
    path("requests/<reference:reference>/", views.request_detail, name="detail"),
    path("requests/<reference:reference>/follow/", views.follow, name="follow"),
    path("requests/follow/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("requests/unfollow/<str:token>/", views.unfollow, name="unfollow"),
    path("requests/fixed/<str:token>/", views.questionnaire, name="questionnaire"),
    path("requests/photos/<uuid:photo_id>/", views.photo, name="photo"),
    path("developers/open311/", views.developers, name="developers"),
    path("staff/requests/", views.staff_queue, name="staff_queue"),
    path("staff/requests/bulk/", views.staff_bulk, name="staff_bulk"),
    path("staff/requests/channels/", views.staff_channels, name="staff_channels"),
    path("staff/requests/new/", views.staff_report_start, name="staff_report_start"),
    path("staff/requests/new/<str:code>/", views.staff_report_form, name="staff_report_form"),
    path("staff/requests/<reference:reference>/", views.staff_detail, name="staff_detail"),
]
