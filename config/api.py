"""The /api/v1/ root: one NinjaAPI, one auth, one error shape, one pagination; routers per app."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from cityhall.accounts.api import audit_router
from cityhall.accounts.api import router as accounts_router
from cityhall.accounts.auth import ApiTokenAuth
from cityhall.alerts.api import router as alerts_router
from cityhall.catalog.api import router as catalog_router
from cityhall.core.api import install_error_handlers
from cityhall.core.api import router as platform_router
from cityhall.datastore.api import router as datastore_router
from cityhall.dcat.api import router as dcat_router
from cityhall.decisions.api import router as decisions_router
from cityhall.documents.api import router as documents_router
from cityhall.engagement.api import router as engagement_router
from cityhall.foi.api import router as foi_router
from cityhall.notifications.api import router as notifications_router
from cityhall.operating.api import router as operating_router
from cityhall.servicerequests.api import router as servicerequests_router
from cityhall.voting.api import router as voting_router

api = NinjaAPI(
    title="Cityhall API",
    version="1.0.0",
    description=(
        "The city's platform API. Authenticate with an API token: `Authorization: Bearer <token>`. "
        'Every error has the shape `{"error": {status, code, message, fields}}`. Lists take '
        "`page` and `page_size` (at most 200) and return `items`, `count`, `next` and `previous`."
    ),
    auth=ApiTokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api-1.0.0",
)
install_error_handlers(api)
api.add_router("/", platform_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/audit/", audit_router)
api.add_router("/alerts/", alerts_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/operating/", operating_router)
api.add_router("/servicerequests/", servicerequests_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/catalog/datastore/", datastore_router)
api.add_router("/catalog/harvest/", dcat_router)
api.add_router("/engagement/", engagement_router)
api.add_router("/voting/", voting_router)
api.add_router("/decisions/", decisions_router)
api.add_router("/documents/", documents_router)
api.add_router("/foi/", foi_router)
