"""What other apps may know about accounts: roles, permissions, and frozen summaries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.personal_data import LegalBasis as LegalBasis  # re-exported for modules


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    MODERATOR = "moderator", _("Moderator")
    DATA_PUBLISHER = "data_publisher", _("Data publisher")
    EMERGENCY_MANAGER = "emergency_manager", _("Emergency manager")
    COUNCIL_CLERK = "council_clerk", _("Council clerk")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}


class Permission(models.TextChoices):
    """Named abilities. Modules check these through the accounts facade, never roles directly."""

    PARTICIPATE = "participate", _("Take part: report, comment, vote, subscribe")
    MANAGE_OWN_API_TOKENS = "manage_own_api_tokens", _("Create and revoke own API tokens")
    ACCESS_STAFF_AREA = "access_staff_area", _("Open the staff area")
    HANDLE_SERVICE_REQUESTS = "handle_service_requests", _("Work the department's service requests")
    EDIT_CITY_INFORMATION = "edit_city_information", _("Edit city information and services")
    MODERATE_CONTRIBUTIONS = "moderate_contributions", _("Moderate comments and proposals")
    MANAGE_ENGAGEMENT = "manage_engagement", _("Run consultations, polls and budgets")
    PUBLISH_DATASETS = "publish_datasets", _("Publish the department's datasets")
    AUTHOR_ALERTS = "author_alerts", _("Write emergency alerts")
    APPROVE_ALERTS = "approve_alerts", _("Approve another manager's alert")
    MANAGE_INCIDENTS = "manage_incidents", _("Run incidents and situation reports")
    MANAGE_DECISIONS = "manage_decisions", _("Record meetings, decisions and votes")
    HANDLE_FOI_REQUESTS = "handle_foi_requests", _("Answer freedom-of-information requests")
    MANAGE_USERS = "manage_users", _("Manage accounts and roles")
    MANAGE_DEPARTMENTS = "manage_departments", _("Manage departments")
    VIEW_AUDIT_LOG = "view_audit_log", _("Read the audit log")
    MANAGE_OPERATING_MODEL = (
        "manage_operating_model",
        _("Run the smart city operating model: vision, roadmap, benefits, indicators, risks"),
    )
    SIGN_DOCUMENTS = "sign_documents", _("Register documents and sign them for the department")
    EXCHANGE_PERSONAL_DATA = (
        "exchange_personal_data",
        _("Ask another agency for a resident's data, and answer such requests"),
    )


_RESIDENT = frozenset({Permission.PARTICIPATE, Permission.MANAGE_OWN_API_TOKENS})
_STAFF = _RESIDENT | {Permission.ACCESS_STAFF_AREA}

# The permission matrix. A user holds the union over their roles; every account is a resident.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RESIDENT: _RESIDENT,
    Role.DEPARTMENT_STAFF: _STAFF
    | {
        Permission.HANDLE_SERVICE_REQUESTS,
        Permission.EDIT_CITY_INFORMATION,
        Permission.SIGN_DOCUMENTS,
        Permission.EXCHANGE_PERSONAL_DATA,
    },
    Role.MODERATOR: _STAFF | {Permission.MODERATE_CONTRIBUTIONS, Permission.MANAGE_ENGAGEMENT},
    Role.DATA_PUBLISHER: _STAFF | {Permission.PUBLISH_DATASETS},
    Role.EMERGENCY_MANAGER: _STAFF
    | {Permission.AUTHOR_ALERTS, Permission.APPROVE_ALERTS, Permission.MANAGE_INCIDENTS},
    Role.COUNCIL_CLERK: _STAFF
    | {Permission.MANAGE_DECISIONS, Permission.HANDLE_FOI_REQUESTS, Permission.SIGN_DOCUMENTS},
    Role.ADMINISTRATOR: _STAFF
    | {
        Permission.MANAGE_USERS,
        Permission.MANAGE_DEPARTMENTS,
        Permission.VIEW_AUDIT_LOG,
        Permission.EDIT_CITY_INFORMATION,
        Permission.MANAGE_OPERATING_MODEL,
    },
}


@dataclass(frozen=True, slots=True)
class DepartmentRef:
    id: uuid.UUID
    slug: str
    name: str
    parent_id: uuid.UUID | None
    name_translations: dict[str, str]


@dataclass(frozen=True, slots=True)
class UserSummary:
    id: uuid.UUID
    email: str
    display_name: str
    roles: frozenset[Role]
    is_staff_member: bool


class AssuranceLevel(models.IntegerChoices):
    """How sure the city is of who an account belongs to. Processes ask for a minimum level."""

    ACCOUNT = 0, _("Account (email not verified)")
    EMAIL_VERIFIED = 1, _("Email verified")
    VERIFIED_RESIDENT = 2, _("Verified resident")


class VerificationMethod(models.TextChoices):
    CENSUS = "census", _("Matched with the census")
    POSTAL_CODE = "postal_code", _("One-time code posted to the address")
    IN_PERSON = "in_person", _("Checked in person by staff")


@dataclass(frozen=True, slots=True)
class Assurance:
    level: AssuranceLevel
    aal: int  # NIST authenticator assurance level: 2 when a second factor is set up
    method: VerificationMethod | None


class AccessChannel(models.TextChoices):
    STAFF_UI = "staff_ui", _("Staff page")
    API = "api", _("API")
    INTER_AGENCY = "inter_agency", _("Another agency")
    OIDC = "oidc", _("Sign-in to another city service")


@dataclass(frozen=True, slots=True)
class PersonalDataAccess:
    """One read of residents' personal data, as the privacy centre shows it."""

    resident_ids: tuple[uuid.UUID, ...]
    data_category: str
    purpose: str
    channel: AccessChannel
    case_reference: str = ""


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """Who is calling with an API token: the token's id (to log on what it creates) and its owner."""

    token_id: uuid.UUID
    user: Any  # the owner's account, to pass to user_has_permission and to services as the actor
