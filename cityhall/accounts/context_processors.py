from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cityhall.accounts.rules import is_staff_member


def account(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"is_staff_member": SimpleLazyObject(lambda: user is not None and is_staff_member(user))}
