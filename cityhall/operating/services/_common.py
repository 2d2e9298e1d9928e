"""What every operating-model write shares: permission checks, validation, the audit row."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.operating import rules
from cityhall.operating.models import Benefit, BenefitMapNode, NodeKind, Objective, Project

User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=models.Model)


def today() -> dt.date:
    return timezone.localdate()


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDeniedError(message)


def require_programme_office(actor: User | None) -> None:
    """actor=None is the platform itself (a command, the demo loader): it may do anything."""
    if actor is not None:
        require(
            rules.can_manage_operating_model(actor),
            _("Only the smart-city programme office (administrators) can change the operating model."),
        )


def validated(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation (fields, choices, constraints) as one ServiceError that names each problem."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ServiceError(validation_message(instance, error), code="invalid") from error


def validation_message(instance: models.Model, error: ValidationError) -> str:
    parts = []
    for field, messages in error.message_dict.items():
        text = " ".join(str(message).rstrip(".") + "." for message in messages)
        if field == NON_FIELD_ERRORS:
            parts.append(text)
        else:
            try:
                label = str(getattr(instance._meta.get_field(field), "verbose_name", field))
            except Exception:
                label = field
            parts.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return " ".join(parts)


def audit(
    actor: User | None,
    action: str,
    instance: models.Model,
    data: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=audit_actor(actor),
        action=f"operating.{action}",
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        data=_jsonable(data or {}),
    )


def audit_named(
    actor: User | None,
    action: str,
    *,
    object_type: str,
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """An audit row about something that is not one model row (a whole file load, say)."""
    audit_record(
        actor=audit_actor(actor),
        action=f"operating.{action}",
        object_type=object_type,
        object_id=object_id,
        data=_jsonable(data or {}),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def get_or_404(source: type[M] | QuerySet[M], pk: Any, what: str) -> M:
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    instance = queryset.filter(pk=pk).first() if pk is not None else None
    if instance is None:
        raise NotFoundError(_("There is no %(what)s with that id.") % {"what": what})
    return instance


def user_or_none(actor: User | None) -> Any:
    """The acting user for a `recorded_by`-style field (None for the platform itself)."""
    return actor if actor is not None and actor.is_authenticated else None


def changed_fields(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the given values; return the names of the fields that changed (for update_fields)."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def lock_graph(name: str) -> None:
    """Serialise writers of one graph, so two concurrent edges cannot close a cycle together.

    SQLite transactions here are IMMEDIATE and already serialise writers; PostgreSQL takes a
    transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode()) & 0x7FFFFFFF])


def map_node_for(
    *, project: Project | None = None, benefit: Benefit | None = None, objective: Objective | None = None
) -> BenefitMapNode:
    """The map node of a project, benefit or objective, created when missing (every one is on the map)."""
    if project is not None:
        node, _created = BenefitMapNode.objects.get_or_create(
            project=project, defaults={"kind": NodeKind.PROJECT, "label": project.title[:200]}
        )
    elif benefit is not None:
        node, _created = BenefitMapNode.objects.get_or_create(
            benefit=benefit, defaults={"kind": NodeKind.BENEFIT, "label": benefit.title[:200]}
        )
    elif objective is not None:
        node, _created = BenefitMapNode.objects.get_or_create(
            objective=objective, defaults={"kind": NodeKind.OBJECTIVE, "label": objective.title[:200]}
        )
    else:
        raise ValueError("map_node_for needs a project, a benefit or an objective")
    return node
