from django.urls import path

from cityhall.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("info/", views.info_index, name="info"),
    path("info/<slug:slug>/", views.info_page, name="page"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:slug>/", views.help_page, name="help_page"),
    path("services/", views.services_index, name="services"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("life-events/<slug:slug>/", views.life_event, name="life_event"),
    path("new-residents/", views.new_residents, name="new_residents"),
    path("search/", views.search, name="search"),
    path("staff/pages/", views.staff_pages, name="staff_pages"),
    path("staff/pages/new/", views.staff_page_edit, name="staff_page_new"),
    path("staff/pages/<uuid:page_id>/", views.staff_page_edit, name="staff_page_edit"),
    path("staff/services/new/", views.staff_service_edit, name="staff_service_new"),
    path("staff/services/<uuid:service_id>/", views.staff_service_edit, name="staff_service_edit"),
]
