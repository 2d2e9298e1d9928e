from django.urls import URLPattern, URLResolver, path

from cityhall.dcat import views

app_name = "dcat"

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalog.ttl", views.catalog_rdf, {"fmt": "ttl"}, name="catalog_ttl"),
    path("catalog.rdf", views.catalog_rdf, {"fmt": "rdf"}, name="catalog_rdf"),
    path("catalog.xml", views.catalog_rdf, {"fmt": "xml"}, name="catalog_xml"),
    path("catalog.jsonld", views.catalog_rdf, {"fmt": "jsonld"}, name="catalog_jsonld"),
    path("dataset/<uuid:dataset_id>.ttl", views.dataset_rdf, {"fmt": "ttl"}, name="dataset_ttl"),
    path("dataset/<uuid:dataset_id>.rdf", views.dataset_rdf, {"fmt": "rdf"}, name="dataset_rdf"),
    path("dataset/<uuid:dataset_id>.xml", views.dataset_rdf, {"fmt": "xml"}, name="dataset_xml"),
    path("dataset/<uuid:dataset_id>.jsonld", views.dataset_rdf, {"fmt": "jsonld"}, name="dataset_jsonld"),
    path("dataset/<slug:name>.ttl", views.dataset_rdf_by_name, {"fmt": "ttl"}, name="dataset_name_ttl"),
    path("dataset/<slug:name>.rdf", views.dataset_rdf_by_name, {"fmt": "rdf"}, name="dataset_name_rdf"),
    path("dataset/<slug:name>.xml", views.dataset_rdf_by_name, {"fmt": "xml"}, name="dataset_name_xml"),
    path(
        "dataset/<slug:name>.jsonld", views.dataset_rdf_by_name, {"fmt": "jsonld"}, name="dataset_name_jsonld"
    ),
    path("staff/harvest/", views.staff_sources, name="staff_sources"),
    path("staff/harvest/<uuid:source_id>/", views.staff_source, name="staff_source"),
    path("staff/harvest/<uuid:source_id>/run/", views.staff_source_run, name="staff_source_run"),
    path("staff/harvest/runs/<uuid:run_id>/", views.staff_run, name="staff_run"),
    path("staff/dcat/quality/<uuid:dataset_id>/", views.staff_quality, name="staff_quality"),
]
