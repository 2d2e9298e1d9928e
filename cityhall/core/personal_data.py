"""The personal data registry: every app declares, in its `personal_data.py`, each model field that
holds personal data, with its purpose, legal basis and retention. Export, erasure and the retention
task are driven by these declarations alone, so a new module is covered by declaring its fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1) bases a public authority uses; (f) legitimate interests is not one of them."""

    CONSENT = "consent", _("Consent (Art. 6(1)(a))")
    CONTRACT = "contract", _("Contract (Art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Art. 6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Art. 6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (Art. 6(1)(e))")


# Art. 17(3)(b): no erasure while the data is needed for a legal obligation or a public task.
ERASABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})


class OnExpiry(models.TextChoices):
    DELETE_ROW = "delete_row", _("Delete the record")
    ANONYMISE = "anonymise", _("Blank the field, keep the record for statistics")


@dataclass(frozen=True, slots=True)
class PersonalDataField:
    model: str  # "app_label.ModelName"
    field: str
    category: str  # contact, identity, location, content, network, ...
    purpose: str
    legal_basis: LegalBasis
    owner: str  # lookup from the model to the resident: "id" for User, "user_id", "to", ...
    owner_key: str = "id"  # what the owner lookup holds: the user's "id" or their "email"
    retention_days: int | None = None  # None: kept while the account exists
    on_expiry: OnExpiry = OnExpiry.ANONYMISE
    age_field: str = "created_at"  # what the retention period counts from


@dataclass(slots=True)
class _Registry:
    fields: dict[tuple[str, str], PersonalDataField] = field(default_factory=dict)
    discovered: bool = False


_registry = _Registry()


def declare(*entries: PersonalDataField) -> None:
    for entry in entries:
        _registry.fields[(entry.model, entry.field)] = entry


def declarations() -> list[PersonalDataField]:
    if not _registry.discovered:
        autodiscover_modules("personal_data")
        _registry.discovered = True
    return sorted(_registry.fields.values(), key=lambda e: (e.model, e.field))


def _manager(entry: PersonalDataField) -> models.Manager[Any]:
    manager: models.Manager[Any] = apps.get_model(entry.model)._default_manager
    return manager


def _by_model(entries: Iterable[PersonalDataField]) -> dict[str, list[PersonalDataField]]:
    grouped: dict[str, list[PersonalDataField]] = {}
    for entry in entries:
        grouped.setdefault(entry.model, []).append(entry)
    return grouped


@dataclass(frozen=True, slots=True)
class DataSubject:
    """The resident whose data is looked up, by each key an owner lookup may hold."""

    id: Any
    email: str

    def key(self, entry: PersonalDataField) -> Any:
        return self.email if entry.owner_key == "email" else self.id


def personal_data_of(subject: DataSubject) -> dict[str, list[dict[str, Any]]]:
    """Everything declared as personal data about one resident, model by model."""
    result: dict[str, list[dict[str, Any]]] = {}
    for model_label, entries in _by_model(declarations()).items():
        owner = entries[0].owner
        names = ["pk", *[e.field for e in entries]]
        rows = _manager(entries[0]).filter(**{owner: subject.key(entries[0])}).values(*names)
        result[model_label] = [
            {key: _plain(value) for key, value in row.items()} for row in rows.order_by("pk")
        ]
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _blank_value(model: type[models.Model], name: str) -> Any:
    model_field = model._meta.get_field(name)
    if getattr(model_field, "null", False):
        return None
    if isinstance(model_field, models.JSONField):
        return {}
    return ""


@dataclass(frozen=True, slots=True)
class RetentionResult:
    model: str
    field: str
    rows: int
    action: OnExpiry


def apply_retention(now: dt.datetime | None = None) -> list[RetentionResult]:
    """Delete or blank personal data past its retention period. Running it twice changes nothing more."""
    now = now or timezone.now()
    results = []
    for entry in declarations():
        if entry.retention_days is None:
            continue
        model = apps.get_model(entry.model)
        cutoff = now - dt.timedelta(days=entry.retention_days)
        expired = _manager(entry).filter(**{f"{entry.age_field}__lt": cutoff})
        if entry.on_expiry == OnExpiry.DELETE_ROW:
            count, _ = expired.delete()
        else:
            blank = _blank_value(model, entry.field)
            count = expired.exclude(**{entry.field: blank}).update(**{entry.field: blank})
        if count:
            results.append(RetentionResult(entry.model, entry.field, count, entry.on_expiry))
    return results


@dataclass(frozen=True, slots=True)
class ErasureItem:
    model: str
    field: str
    erasable: bool
    reason: str


def erasure_plan() -> list[ErasureItem]:
    """What erasure would remove, and what the city must keep and why (Art. 17(3)(b))."""
    plan = []
    for entry in declarations():
        erasable = entry.legal_basis in ERASABLE_BASES
        reason = (
            str(_("held on your consent or a contract, so it can be erased"))
            if erasable
            else str(
                _("needed for a public task or a legal obligation (%(purpose)s), so it is kept")
                % {"purpose": entry.purpose}
            )
        )
        plan.append(ErasureItem(entry.model, entry.field, erasable, reason))
    return plan


def erase_personal_data(subject: DataSubject, *, skip_models: frozenset[str] = frozenset()) -> int:
    """Blank every erasable field about the resident; returns how many values were blanked."""
    blanked = 0
    for entry in declarations():
        if entry.legal_basis not in ERASABLE_BASES or entry.model in skip_models:
            continue
        blank = _blank_value(apps.get_model(entry.model), entry.field)
        blanked += (
            _manager(entry)
            .filter(**{entry.owner: subject.key(entry)})
            .exclude(**{entry.field: blank})
            .update(**{entry.field: blank})
        )
    return blanked
