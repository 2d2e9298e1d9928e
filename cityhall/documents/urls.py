from django.urls import URLPattern, URLResolver, path

from cityhall.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("documents/", views.registry, name="registry"),
    path("documents/verify/", views.verify, name="verify"),
    path("documents/keys/", views.keys, name="keys"),
    path("documents/signatures/<uuid:signature_id>.sig.json", views.signature_file, name="signature_file"),
    path("documents/shared/<str:token>/", views.shared, name="shared"),
    path("documents/shared/<str:token>/download/", views.shared_download, name="shared_download"),
    path("documents/<uuid:document_id>/", views.detail, name="detail"),
    path("documents/<uuid:document_id>/versions/<int:number>/download/", views.download, name="download"),
    path("staff/documents/", views.staff_documents, name="staff_documents"),
    path("staff/documents/keys/", views.staff_keys, name="staff_keys"),
    path("staff/documents/<uuid:document_id>/", views.staff_document, name="staff_document"),
    path(
        "staff/documents/<uuid:document_id>/<slug:action>/",
        views.staff_document_action,
        name="staff_document_action",
    ),
    path("staff/exchange/", views.staff_exchanges, name="staff_exchanges"),
    path("staff/exchange/log/", views.staff_exchange_log, name="staff_exchange_log"),
    path("staff/exchange/<uuid:request_id>/", views.staff_exchange, name="staff_exchange"),
]
