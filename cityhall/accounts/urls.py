from django.urls import path, re_path

from cityhall.accounts import privacy_views, views

app_name = "accounts"

urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/privacy/", privacy_views.privacy_centre, name="privacy"),
    re_path(
        r"^account/privacy/my-data\.(?P<file_format>json|csv)$",
        privacy_views.privacy_export,
        name="privacy_export",
    ),
    path("account/privacy/consents/<slug:slug>/", privacy_views.consent_change, name="consent_change"),
    path("account/privacy/requests/", privacy_views.privacy_request_new, name="privacy_request_new"),
    path("account/privacy/verify/census/", privacy_views.verify_by_census, name="verify_census"),
    path("account/privacy/verify/code/", privacy_views.verify_by_code, name="verify_code"),
    path("staff/privacy-requests/", privacy_views.privacy_desk, name="privacy_desk"),
    path("staff/residents/", privacy_views.resident_desk, name="resident_desk"),
    path("staff/residents/codes/", privacy_views.resident_codes_batch, name="resident_codes_batch"),
]
