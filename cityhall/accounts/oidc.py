"""Cityhall as an OpenID Connect provider for other city systems (allauth's IdP, our claims).

Claims follow the scopes the resident consented to on allauth's consent page. The ID token says how
sure the city is of the person (`acr`) and which factors were used (`amr`), and every release of
claims to a client is written to the resident's data-access log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import urlsplit

from allauth.idp.oidc import views as allauth_oidc_views
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.idp.oidc.models import Client
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.assurance import user_assurance
from cityhall.accounts.contracts import AccessChannel, AssuranceLevel, PersonalDataAccess
from cityhall.accounts.models import User
from cityhall.accounts.privacy import personal_data_accessed

ACR_BY_LEVEL = {
    AssuranceLevel.ACCOUNT: "urn:cityhall:assurance:account",
    AssuranceLevel.EMAIL_VERIFIED: "urn:cityhall:assurance:email-verified",
    AssuranceLevel.VERIFIED_RESIDENT: "urn:cityhall:assurance:verified-resident",
}
SCOPES = {
    "openid": _("Know that it is you"),
    "email": _("Your email address"),
    "profile": _("Your name and language"),
    "resident": _("Whether you are a verified resident of the city"),
}


class OIDCAdapter(DefaultOIDCAdapter):
    scope_display = SCOPES

    def get_claims(
        self,
        purpose: Literal["id_token", "userinfo"],
        user: AbstractBaseUser,
        client: Client,
        scopes: Iterable[str],
        email: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        scopes = list(scopes)
        claims = super().get_claims(purpose, user, client, scopes, email=email, **kwargs)
        assert isinstance(user, User)
        assurance = user_assurance(user)
        if "profile" in scopes:
            claims["locale"] = user.preferred_language
        if "resident" in scopes:
            claims["resident_verified"] = assurance.level >= AssuranceLevel.VERIFIED_RESIDENT
        if purpose == "id_token":
            claims["acr"] = ACR_BY_LEVEL[assurance.level]
            claims["amr"] = ["pwd", "otp"] if assurance.aal == 2 else ["pwd"]
        released = sorted(set(scopes) - {"openid"})
        if released:
            personal_data_accessed(
                accessor=f"city service “{client.name}”",
                access=PersonalDataAccess(
                    resident_ids=(user.pk,),
                    data_category=", ".join(released),
                    purpose=f"signing you in to {client.name} ({purpose})",
                    channel=AccessChannel.OIDC,
                ),
            )
        return claims


def _registered_redirect_origins(request: HttpRequest) -> list[str]:
    """Origins of the redirect URIs registered for the client named in this authorization request."""
    client_id = request.POST.get("client_id") or request.GET.get("client_id") or ""
    client = Client.objects.filter(id=client_id).first() if client_id else None
    if client is None:
        return []
    origins = set()
    for uri in client.get_redirect_uris():
        parts = urlsplit(uri)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def authorization(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """allauth's authorization view, with the page's CSP `form-action` also allowing the client's
    registered redirect origins: browsers apply form-action to the redirect after consent."""
    response = allauth_oidc_views.authorization(request, *args, **kwargs)
    origins = _registered_redirect_origins(request)
    if origins:
        response._csp_update = {"form-action": origins}
    return response
