from django.urls import URLPattern, URLResolver, path

from cityhall.datastore import views

app_name = "datastore"

urlpatterns: list[URLPattern | URLResolver] = [
    path("data/datastore/<uuid:resource_id>/", views.table_page, name="table"),
    path("data/datastore/<uuid:resource_id>/download.<str:file_format>", views.download, name="download"),
    path("staff/datastore/", views.staff_loads, name="staff_loads"),
]
