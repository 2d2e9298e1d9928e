from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cityhall.accounts import oidc
from cityhall.core import views as core_views
from cityhall.core.api import urls_grouped
from config.api import api

# The admin site signs in through allauth, so its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Cityhall administration"

urlpatterns = [
    # First: every API call resolves without trying the pages' patterns (nothing else starts api/v1/).
    path("api/v1/", urls_grouped(api.urls)),
    path("", include("cityhall.portal.urls")),
    path("", include("cityhall.accounts.urls")),
    path("", include("cityhall.operating.urls")),
    path("", include("cityhall.alerts.urls")),
    path("", include("cityhall.catalog.urls")),
    path("", include("cityhall.datastore.urls")),
    path("", include("cityhall.dcat.urls")),
    path("", include("cityhall.engagement.urls")),
    path("", include("cityhall.voting.urls")),
    path("", include("cityhall.decisions.urls")),
    path("", include("cityhall.documents.urls")),
    path("", include("cityhall.foi.urls")),
    path("accounts/", include("allauth.urls")),
    # allauth's OIDC provider; its authorization page gets a CSP that lets consent redirect back.
    path("identity/o/authorize", oidc.authorization, name="cityhall_oidc_authorization"),
    path("", include("allauth.idp.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Open311 GeoReport v2: its own formats and errors, outside /api/v1/ (docs/servicerequests.md).
    path("open311/v2/", include("cityhall.servicerequests.open311.urls")),
    path("", include("cityhall.servicerequests.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("ping", core_views.ping, name="ping"),
]

handler400 = "cityhall.web.views.bad_request"
handler403 = "cityhall.web.views.permission_denied"
handler404 = "cityhall.web.views.page_not_found"
handler500 = "cityhall.web.views.server_error"
