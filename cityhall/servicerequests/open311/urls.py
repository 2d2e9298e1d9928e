"""/open311/v2/: mounted in config/urls.py. Formats by suffix (.xml or .json); anything else answers 404."""

from django.urls import path, re_path

from cityhall.servicerequests.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("services.<str:fmt>", views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>[A-Za-z]+)$", views.service_definition, name="service"),
    path("requests.<str:fmt>", views.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)\.(?P<fmt>[A-Za-z]+)$", views.request_detail, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>[A-Za-z]+)$", views.token, name="token"),
    path("servicerequestupdates.<str:fmt>", views.updates, name="updates"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
