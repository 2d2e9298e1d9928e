from django.urls import URLPattern, URLResolver, path

from cityhall.catalog import ckan, views

app_name = "catalog"

urlpatterns: list[URLPattern | URLResolver] = [
    # CKAN Action API v3: both the versioned and the unversioned route (ckanapi calls the latter).
    path("api/3/action/<str:name>", ckan.action_view, name="ckan_action"),
    path("api/action/<str:name>", ckan.action_view, name="ckan_action_latest"),
    path("api/3", ckan.api_version, {"version": 3}, name="ckan_api_3"),
    path("api", ckan.api_version, {"version": 1}, name="ckan_api"),
    # Public pages.
    path("dataset/", views.dataset_search, name="search"),
    path("dataset/<slug:name>", views.dataset_page, name="dataset"),
    path(
        "dataset/<uuid:dataset_id>/resource/<uuid:resource_id>/download/<str:file_name>",
        views.download,
        name="download",
    ),
    path("organization/", views.publisher_list, name="publishers"),
    path("organization/<slug:slug>", views.publisher_page, name="publisher"),
    # Staff pages for data publishers.
    path("staff/catalog/", views.staff_datasets, name="staff_datasets"),
    path("staff/catalog/new/", views.staff_dataset_new, name="staff_dataset_new"),
    path("staff/catalog/<uuid:dataset_id>/", views.staff_dataset, name="staff_dataset"),
    path("staff/catalog/<uuid:dataset_id>/edit/", views.staff_dataset_edit, name="staff_dataset_edit"),
    path("staff/catalog/<uuid:dataset_id>/state/", views.staff_dataset_state, name="staff_dataset_state"),
    path(
        "staff/catalog/<uuid:dataset_id>/distributions/new/",
        views.staff_distribution_new,
        name="staff_distribution_new",
    ),
    path(
        "staff/catalog/<uuid:dataset_id>/distributions/<uuid:resource_id>/delete/",
        views.staff_distribution_delete,
        name="staff_distribution_delete",
    ),
]
