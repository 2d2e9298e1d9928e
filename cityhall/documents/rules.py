"""Who may read, sign, share and exchange. One place; tests cover it per role and classification."""

from __future__ import annotations

import uuid
from typing import Any

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import is_staff_member, user_has_permission
from cityhall.documents.contracts import Classification


def can_sign_for(user: Any, department_id: uuid.UUID) -> bool:
    """Register, version, sign and share the department's documents."""
    return bool(user_has_permission(user, Permission.SIGN_DOCUMENTS, department_id=department_id))


def is_document_handler(user: Any) -> bool:
    return bool(user_has_permission(user, Permission.SIGN_DOCUMENTS))


def in_owning_department(user: Any, department_id: uuid.UUID) -> bool:
    """The owning department's document handlers (department staff and clerks of that department)."""
    return can_sign_for(user, department_id)


def can_read(user: Any, *, classification: str, department_id: uuid.UUID) -> bool:
    """Reading without a share link: public for anyone, internal for staff, the rest for the owners."""
    if classification == Classification.PUBLIC:
        return True
    if classification == Classification.INTERNAL:
        return bool(getattr(user, "is_authenticated", False) and is_staff_member(user))
    return bool(getattr(user, "is_authenticated", False) and in_owning_department(user, department_id))


def can_exchange_for(user: Any, department_id: uuid.UUID) -> bool:
    return bool(user_has_permission(user, Permission.EXCHANGE_PERSONAL_DATA, department_id=department_id))


def can_exchange(user: Any) -> bool:
    return bool(user_has_permission(user, Permission.EXCHANGE_PERSONAL_DATA))


def can_manage_keys_of_anyone(user: Any) -> bool:
    """Administrators may revoke any key (a lost laptop, a compromise)."""
    return bool(user_has_permission(user, Permission.MANAGE_USERS))
