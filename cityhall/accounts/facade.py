"""The accounts module as other apps see it. Import from here and from contracts, nothing else."""

from cityhall.accounts.assurance import (
    require_assurance,
    user_assurance,
    user_assurance_level,
    users_at_assurance_count,
)
from cityhall.accounts.contracts import DepartmentRef
from cityhall.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS
from cityhall.accounts.demo import demo_load as accounts_demo_load
from cityhall.accounts.privacy import has_consent, personal_data_accessed
from cityhall.accounts.rules import (
    can_access_staff_area,
    is_staff_member,
    user_has_permission,
    user_permissions,
    user_roles,
)
from cityhall.accounts.selectors import department_list, department_ref, user_summary
from cityhall.accounts.services import audit_actor
from cityhall.accounts.staffing import departments_with_permission, user_for_api_token, users_with_permission


def departments() -> list[DepartmentRef]:
    """Every department of the city, as frozen references."""
    return [department_ref(department) for department in department_list()]


__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DEMO_USERS",
    "accounts_demo_load",
    "audit_actor",
    "can_access_staff_area",
    "departments",
    "departments_with_permission",
    "has_consent",
    "is_staff_member",
    "personal_data_accessed",
    "require_assurance",
    "user_assurance",
    "user_assurance_level",
    "user_for_api_token",
    "user_has_permission",
    "user_permissions",
    "user_roles",
    "user_summary",
    "users_at_assurance_count",
    "users_with_permission",
]
