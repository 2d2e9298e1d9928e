"""An account's assurance level from two facts (a live resident verification, a verified email), the
SQL that reads them, and the level noted on a user object for the rest of a request.

An API call's token lookup reads both facts in its own statement (accounts.services.api_token_resolve)
and notes the level on the request's user, so a vote or a support in that request does not ask the
database again. Only that path notes a level; anything that verifies a resident forgets the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from allauth.account.models import EmailAddress
from django.db import connection

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.models import ResidentVerification

_NOTE = "_cityhall_assurance_level"


@lru_cache(maxsize=8)
def level_columns(user_id: str, vendor: str) -> Mapping[str, str]:
    """SQL for the two facts of the account whose id is the SQL `user_id` (a column or a placeholder),
    built once per `vendor` (connection.vendor)."""
    quote = connection.ops.quote_name
    verifications = quote(ResidentVerification._meta.db_table)
    emails = quote(EmailAddress._meta.db_table)
    # Table names come from the models; user_id is a column reference or a placeholder.
    return MappingProxyType(
        {
            "resident": (
                f"EXISTS(SELECT 1 FROM {verifications} WHERE user_id = {user_id} AND revoked_at IS NULL)"  # noqa: S608
            ),
            "emailed": f"EXISTS(SELECT 1 FROM {emails} WHERE user_id = {user_id} AND verified)",  # noqa: S608
        }
    )


def level_from(*, resident: Any, emailed: Any) -> AssuranceLevel:
    if resident:
        return AssuranceLevel.VERIFIED_RESIDENT
    if emailed:
        return AssuranceLevel.EMAIL_VERIFIED
    return AssuranceLevel.ACCOUNT


def level_note(user: Any, level: AssuranceLevel) -> None:
    user.__dict__[_NOTE] = level


def level_noted(user: Any) -> AssuranceLevel | None:
    noted: AssuranceLevel | None = user.__dict__.get(_NOTE)
    return noted


def level_forget(user: Any) -> None:
    user.__dict__.pop(_NOTE, None)
