"""Writes to the catalog. Every metadata change runs in one transaction that also keeps a version,
updates the search index and writes the audit row; DataStore loads and file clean-up start on commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tempfile
import uuid
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor
from cityhall.catalog import rules, search_index
from cityhall.catalog.models import AccessRights, Dataset, DatasetState, DatasetVersion, Distribution
from cityhall.catalog.vocabularies import (
    FREQUENCIES,
    TABULAR_FORMATS,
    THEMES,
    guess_format,
    license_ids,
    license_lookup,
    media_type_for,
)
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")
DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024

# Metadata fields a caller may set, in the order forms and snapshots show them.
METADATA_FIELDS = (
    "name",
    "title",
    "title_translations",
    "description",
    "description_translations",
    "department_id",
    "contact_name",
    "contact_email",
    "themes",
    "keywords",
    "license_id",
    "access_rights",
    "temporal_start",
    "temporal_end",
    "spatial",
    "frequency",
    "conforms_to",
    "landing_page",
    "version",
    "extras",
    "private",
)


class MetadataError(ServiceError):
    """One or more metadata values are wrong; `errors` names each field with its messages."""

    status = 400
    code = "invalid_metadata"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        summary = " ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
        super().__init__(_("The dataset has invalid values. %(summary)s") % {"summary": summary})


def upload_max_bytes() -> int:
    """The upload limit, read at call time so a deployment (or a test) can change it."""
    return int(getattr(settings, "CATALOG_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


# --- Validation -----------------------------------------------------------------------------


def _text_list(value: Any, field: str, errors: dict[str, list[str]], *, max_length: int = 100) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\n]", value)]
    if not isinstance(value, list | tuple):
        errors.setdefault(field, []).append(_("Give a list of texts."))
        return []
    cleaned: list[str] = []
    for item in value:
        text = str(item.get("name", "") if isinstance(item, dict) else item).strip()
        if not text:
            continue
        if len(text) > max_length:
            errors.setdefault(field, []).append(
                _("“%(value)s” is longer than %(max)d characters; shorten it.")
                % {"value": text[:40], "max": max_length}
            )
            continue
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


def _translations(value: Any, field: str, errors: dict[str, list[str]]) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        errors.setdefault(field, []).append(_("Give the texts as an object of language code to text."))
        return {}
    return {key.strip()[:10]: text.strip() for key, text in value.items() if text.strip()}


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        errors.setdefault(field, []).append(
            _("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": value}
        )
        return None


def _url(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        errors.setdefault(field, []).append(
            _("“%(value)s” is not a web address (http or https).") % {"value": text[:80]}
        )
        return ""
    return text


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "on"}
    return bool(value)


def clean_metadata(data: Mapping[str, Any], *, dataset: Dataset | None) -> dict[str, Any]:
    """Validated values for the given keys only (missing keys are left alone); raises MetadataError."""
    from cityhall.accounts.facade import departments

    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in METADATA_FIELDS:
            errors.setdefault(key, []).append(_("This field is not known."))
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not NAME_PATTERN.match(name):
            errors.setdefault("name", []).append(
                _("Use 2 to 100 characters: lower-case letters, digits, “-” and “_”.")
            )
        elif Dataset.objects.filter(name=name).exclude(pk__in=[dataset.pk] if dataset else []).exists():
            errors.setdefault("name", []).append(_("That URL is already in use."))
        out["name"] = name
    if "title" in data:
        title = str(data["title"] or "").strip()
        if not title:
            errors.setdefault("title", []).append(_("Missing value"))
        elif len(title) > 300:
            errors.setdefault("title", []).append(_("Keep the title under 300 characters."))
        out["title"] = title
    for key in ("title_translations", "description_translations"):
        if key in data:
            out[key] = _translations(data[key], key, errors)
    if "description" in data:
        out["description"] = str(data["description"] or "").strip()
    if "department_id" in data:
        wanted = str(data["department_id"] or "").strip()
        found = next((d for d in departments() if wanted in {str(d.id), d.slug}), None)
        if found is None:
            errors.setdefault("owner_org", []).append(
                _("Organization does not exist: pick one of the city's departments.")
            )
        else:
            out["department_id"] = found.id
    if "contact_name" in data:
        out["contact_name"] = str(data["contact_name"] or "").strip()[:200]
    if "contact_email" in data:
        email = str(data["contact_email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault("contact_email", []).append(
                    _("“%(value)s” is not an email address.") % {"value": email[:80]}
                )
        out["contact_email"] = email
    if "themes" in data:
        themes = [theme.upper() for theme in _text_list(data["themes"], "themes", errors)]
        unknown = [theme for theme in themes if theme not in THEMES]
        if unknown:
            errors.setdefault("themes", []).append(
                _("%(unknown)s is not an EU data theme; use one of %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(THEMES)}
            )
        out["themes"] = [theme for theme in themes if theme in THEMES]
    if "keywords" in data:
        out["keywords"] = _text_list(data["keywords"], "tags", errors)
    if "license_id" in data:
        wanted = str(data["license_id"] or "").strip()
        license = license_lookup(wanted) if wanted else None
        if license is None:
            errors.setdefault("license_id", []).append(
                _("The licence “%(value)s” is not on the city's licence list; use one of: %(known)s.")
                % {"value": wanted, "known": ", ".join(license_ids())}
            )
        else:
            out["license_id"] = license.id
    if "access_rights" in data:
        rights = str(data["access_rights"] or AccessRights.PUBLIC).strip().upper()
        if rights not in AccessRights.values:
            errors.setdefault("access_rights", []).append(
                _("Use one of: %(known)s.") % {"known": ", ".join(AccessRights.values)}
            )
        out["access_rights"] = rights
    for key in ("temporal_start", "temporal_end"):
        if key in data:
            out[key] = _date(data[key], key, errors)
    if "spatial" in data:
        out["spatial"] = str(data["spatial"] or "").strip()[:500]
    if "frequency" in data:
        frequency = str(data["frequency"] or "").strip().upper()
        if frequency and frequency not in FREQUENCIES:
            errors.setdefault("frequency", []).append(
                _("Use an EU frequency code: %(known)s.") % {"known": ", ".join(FREQUENCIES)}
            )
        out["frequency"] = frequency
    if "conforms_to" in data:
        out["conforms_to"] = [
            url
            for url in (
                _url(item, "conforms_to", errors)
                for item in _text_list(data["conforms_to"], "conforms_to", errors, max_length=500)
            )
            if url
        ]
    if "landing_page" in data:
        out["landing_page"] = _url(data["landing_page"], "url", errors)
    if "version" in data:
        out["version"] = str(data["version"] or "").strip()[:100]
    if "extras" in data:
        extras = data["extras"] or {}
        if isinstance(extras, list):
            try:
                extras = {str(item["key"]): str(item.get("value", "")) for item in extras}
            except (KeyError, TypeError):
                errors.setdefault("extras", []).append(_("Give extras as a list of {key, value}."))
                extras = {}
        if not isinstance(extras, dict):
            errors.setdefault("extras", []).append(_("Give extras as a list of {key, value}."))
            extras = {}
        out["extras"] = {str(key)[:100]: str(value) for key, value in extras.items()}
    if "private" in data:
        out["private"] = _bool(data["private"])
    start = out.get("temporal_start", dataset.temporal_start if dataset else None)
    end = out.get("temporal_end", dataset.temporal_end if dataset else None)
    if start and end and start > end:
        errors.setdefault("temporal_end", []).append(
            _("The coverage ends before it starts; check the dates.")
        )
    if errors:
        raise MetadataError(errors)
    return out


# --- Versions -------------------------------------------------------------------------------


def snapshot(dataset: Dataset) -> dict[str, Any]:
    """The metadata a version keeps (JSON): every field a publisher sets, the state and the files."""
    data: dict[str, Any] = {}
    for field in METADATA_FIELDS:
        value = getattr(dataset, field)
        if isinstance(value, dt.date | uuid.UUID):
            value = str(value)
        data[field] = value
    data["state"] = dataset.state
    data["distributions"] = [
        {
            "id": str(d.pk),
            "name": d.name,
            "description": d.description,
            "url": d.url,
            "file_name": d.file_name,
            "format": d.format,
            "media_type": d.media_type,
            "byte_size": d.byte_size,
            "checksum_sha256": d.checksum_sha256,
        }
        for d in dataset.distributions.order_by("position", "created_at")
    ]
    return data


def _touch(dataset: Dataset, *, actor: Any, action: str) -> bool:
    """Keep a version when the metadata changed, and refresh the index; False when nothing changed."""
    dataset.refresh_from_db()  # callers may hold a copy older than the last saved change
    current = snapshot(dataset)
    latest = DatasetVersion.objects.filter(dataset=dataset).order_by("-number").first()
    if latest is not None and latest.snapshot == current:
        return False
    now = timezone.now()
    # Counted from the stored versions: a caller may hold a copy of the row older than the last change.
    dataset.version_number = (latest.number if latest else 0) + 1
    dataset.metadata_modified = now
    dataset.save(update_fields=["version_number", "metadata_modified", "updated_at"])
    who = audit_actor(actor, system="catalog")
    DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.version_number,
        created_at=now,
        actor=who.ref,
        action=action,
        snapshot=current,
    )
    search_index.index_dataset(dataset)
    audit_record(
        actor=who,
        action=f"dataset.{action}",
        object_type="catalog.dataset",
        object_id=str(dataset.pk),
        data={"name": dataset.name, "version": dataset.version_number, "state": dataset.state},
    )
    return True


def _require_edit(actor: Any, department_id: uuid.UUID) -> None:
    if not rules.can_publish(actor, department_id):
        raise PermissionDeniedError(
            _("Only the department's data publishers may change its datasets; ask one of them.")
        )


# --- Datasets -------------------------------------------------------------------------------


@transaction.atomic
def dataset_create(
    *,
    actor: Any,
    metadata: Mapping[str, Any],
    state: str = DatasetState.DRAFT,
    harvest_source: str = "",
    identifier: str = "",
    source_key: str = "",
    record_version: bool = True,
) -> Dataset:
    values = dict(metadata)
    values.setdefault("license_id", "CC-BY-4.0")
    if not values.get("title") and values.get("name"):
        values["title"] = values["name"]
    missing = {key: [_("Missing value")] for key in ("name", "title", "department_id") if not values.get(key)}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_metadata(values, dataset=None)
    except MetadataError as error:
        missing = {**error.errors, **{k: v for k, v in missing.items() if k not in error.errors}}
    if missing:
        raise MetadataError(missing)
    if state not in DatasetState.values:
        raise MetadataError({"state": [_("Use draft, published or deleted.")]})
    _require_edit(actor, cleaned["department_id"])
    now = timezone.now()
    dataset = Dataset(
        **cleaned,
        state=state,
        harvest_source=harvest_source,
        source_key=source_key,
        metadata_modified=now,
        issued=now if state == DatasetState.PUBLISHED else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    dataset.identifier = identifier or f"{settings.CITYHALL_BASE_URL}/dataset/{dataset.pk}"
    dataset.save()
    if record_version:
        _touch(dataset, actor=actor, action="create")
    return dataset


@transaction.atomic
def dataset_update(
    *,
    actor: Any,
    dataset: Dataset,
    metadata: Mapping[str, Any],
    action: str = "update",
    record_version: bool = True,
) -> Dataset:
    """Change the given metadata fields (others stay as they are)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _require_edit(actor, dataset.department_id)
    cleaned = clean_metadata(metadata, dataset=dataset)
    if "department_id" in cleaned and cleaned["department_id"] != dataset.department_id:
        _require_edit(actor, cleaned["department_id"])
    changed = [field for field, value in cleaned.items() if getattr(dataset, field) != value]
    for field in changed:
        setattr(dataset, field, cleaned[field])
    if changed:
        dataset.save(
            update_fields=[*{"department" if f == "department_id" else f for f in changed}, "updated_at"]
        )
    if record_version:
        _touch(dataset, actor=actor, action=action)
    return dataset


@transaction.atomic
def dataset_set_state(*, actor: Any, dataset: Dataset, state: str) -> Dataset:
    """Publish (draft → published), withdraw to draft, delete (soft) or restore a dataset."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _require_edit(actor, dataset.department_id)
    if state not in DatasetState.values:
        raise ServiceError(_("Use draft, published or deleted."))
    if dataset.state == state:
        return dataset
    if state == DatasetState.PUBLISHED:
        problems = publish_problems(dataset)
        if problems:
            raise ServiceError(" ".join(problems), code="not_ready")
    dataset.state = state
    fields = ["state", "updated_at"]
    if state == DatasetState.PUBLISHED and dataset.issued is None:
        dataset.issued = timezone.now()
        fields.append("issued")
    dataset.save(update_fields=fields)
    action = {"published": "publish", "draft": "withdraw", "deleted": "delete"}[state]
    _touch(dataset, actor=actor, action=action)
    return dataset


def publish_problems(dataset: Dataset) -> list[str]:
    """What stops a dataset from being published (the DCAT-AP mandatory fields)."""
    problems = []
    if not dataset.description.strip():
        problems.append(_("Write a description before publishing."))
    if not dataset.themes:
        problems.append(_("Pick at least one theme before publishing."))
    return problems


# --- Distributions --------------------------------------------------------------------------


def _store_upload(
    *, stream: IO[bytes], file_name: str, size: int | None, dataset: Dataset, distribution_id: uuid.UUID
) -> tuple[str, int, str]:
    """Copy the upload into storage while hashing it; refuses files over the limit before storing."""
    limit = upload_max_bytes()
    too_big = ServiceError(
        _(
            "The file %(name)s is larger than the limit of %(limit)s bytes; "
            "upload a smaller file or link to it."
        )
        % {"name": file_name, "limit": limit},
        code="file_too_large",
        status=413,
    )
    if size is not None and size > limit:
        raise too_big
    digest = hashlib.sha256()
    total = 0
    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as buffer:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise too_big
            digest.update(chunk)
            buffer.write(chunk)
        buffer.seek(0)
        safe = get_valid_filename(file_name.rsplit("/", 1)[-1]) or "data"
        stored = default_storage.save(
            f"catalog/{dataset.pk}/{distribution_id}/{safe}", File(buffer, name=safe)
        )
    return stored, total, digest.hexdigest()


def _datastore(action: str, resource_id: uuid.UUID, actor: Any = None) -> None:
    """Tell the DataStore (after commit) about a tabular file; it may not be installed yet."""

    def run() -> None:
        try:
            from cityhall.datastore import facade as datastore
        except ImportError:  # pragma: no cover - the DataStore app always ships with the catalog
            return
        try:
            if action == "load" and hasattr(datastore, "datastore_load"):
                datastore.datastore_load(resource_id=resource_id, actor=actor)
            elif action == "drop" and hasattr(datastore, "datastore_drop"):
                datastore.datastore_drop(resource_id=resource_id)
        except Exception:  # the catalog change stands; the load's own status shows the failure
            logger.exception("datastore.%s failed for resource %s", action, resource_id)

    transaction.on_commit(run)


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _clean_format(format_: str, source: str) -> str:
    value = (format_ or "").strip().upper().lstrip(".") or guess_format(source)
    return value[:50]


@transaction.atomic
def distribution_create(
    *,
    actor: Any,
    dataset: Dataset,
    name: str = "",
    description: str = "",
    url: str = "",
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    upload_size: int | None = None,
    format: str = "",
    media_type: str = "",
    extras: Mapping[str, Any] | None = None,
    record_version: bool = True,
    datastore: bool = True,
) -> Distribution:
    """Add a link or an uploaded file; a CSV/XLSX upload is loaded into the DataStore after commit
    (datastore=False skips that, e.g. for demo files)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    _require_edit(actor, dataset.department_id)
    errors: dict[str, list[str]] = {}
    link = _url(url, "url", errors) if url and upload is None else ""
    if upload is None and not link and not errors:
        errors["url"] = [_("Give a link to the file or upload one.")]
    if errors:
        raise MetadataError(errors)
    distribution = Distribution(
        dataset=dataset,
        position=dataset.distributions.count(),
        description=description.strip(),
        extras={str(k): str(v) for k, v in (extras or {}).items()},
    )
    source = upload_name if upload is not None else link
    distribution.name = (name or "").strip()[:300] or source.rsplit("/", 1)[-1][:300] or _("Data")
    distribution.format = _clean_format(format, source)
    distribution.media_type = (media_type or "").strip()[:150] or media_type_for(distribution.format, source)
    stored = ""
    try:
        if upload is not None:
            stored, size, checksum = _store_upload(
                stream=upload,
                file_name=upload_name,
                size=upload_size,
                dataset=dataset,
                distribution_id=distribution.pk,
            )
            distribution.file.name = stored
            distribution.file_name = stored.rsplit("/", 1)[-1]
            distribution.byte_size = size
            distribution.checksum_sha256 = checksum
        else:
            distribution.url = link
        distribution.save()
        if record_version:
            _touch(dataset, actor=actor, action="add_distribution")
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    if upload is not None and datastore and distribution.format in TABULAR_FORMATS:
        _datastore("load", distribution.pk, actor)
    return distribution


@transaction.atomic
def distribution_update(
    *,
    actor: Any,
    distribution: Distribution,
    changes: Mapping[str, Any],
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    upload_size: int | None = None,
    record_version: bool = True,
) -> Distribution:
    """Change a distribution's name, description, link or format, or replace its file."""
    distribution = Distribution.objects.select_for_update().select_related("dataset").get(pk=distribution.pk)
    dataset = distribution.dataset
    _require_edit(actor, dataset.department_id)
    errors: dict[str, list[str]] = {}
    if "url" in changes and upload is None:
        new_url = str(changes["url"] or "").strip()
        if new_url != distribution.url and not (distribution.file and new_url == ""):
            link = _url(new_url, "url", errors)
            if link:
                if distribution.file:
                    _delete_file_on_commit(distribution.file.name or "")
                    _datastore("drop", distribution.pk)
                distribution.file.name = ""
                distribution.file_name = ""
                distribution.byte_size = None
                distribution.checksum_sha256 = ""
                distribution.url = link
    if errors:
        raise MetadataError(errors)
    if "name" in changes and str(changes["name"] or "").strip():
        distribution.name = str(changes["name"]).strip()[:300]
    if "description" in changes:
        distribution.description = str(changes["description"] or "").strip()
    if "format" in changes:
        distribution.format = _clean_format(
            str(changes["format"] or ""), distribution.file_name or distribution.url
        )
    if "mimetype" in changes or "media_type" in changes:
        wanted = str(changes.get("media_type") or changes.get("mimetype") or "").strip()
        distribution.media_type = wanted[:150] or media_type_for(distribution.format, distribution.file_name)
    if "extras" in changes and isinstance(changes["extras"], dict):
        distribution.extras = {str(k): str(v) for k, v in changes["extras"].items()}
    stored = ""
    old_file = distribution.file.name if distribution.file else ""
    try:
        if upload is not None:
            stored, size, checksum = _store_upload(
                stream=upload,
                file_name=upload_name,
                size=upload_size,
                dataset=dataset,
                distribution_id=distribution.pk,
            )
            distribution.file.name = stored
            distribution.file_name = stored.rsplit("/", 1)[-1]
            distribution.byte_size = size
            distribution.checksum_sha256 = checksum
            distribution.url = ""
            if "format" not in changes:
                distribution.format = _clean_format("", upload_name)
            if "mimetype" not in changes and "media_type" not in changes:
                distribution.media_type = media_type_for(distribution.format, upload_name)
        distribution.save()
        if record_version:
            _touch(dataset, actor=actor, action="change_distribution")
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    if upload is not None:
        if old_file and old_file != stored:
            _delete_file_on_commit(old_file)
        if distribution.format in TABULAR_FORMATS:
            _datastore("load", distribution.pk, actor)
        else:
            _datastore("drop", distribution.pk)
    return distribution


@transaction.atomic
def distribution_delete(*, actor: Any, distribution: Distribution, record_version: bool = True) -> None:
    distribution = Distribution.objects.select_for_update().select_related("dataset").get(pk=distribution.pk)
    dataset = distribution.dataset
    _require_edit(actor, dataset.department_id)
    if distribution.file:
        _delete_file_on_commit(distribution.file.name or "")
        _datastore("drop", distribution.pk)
    distribution.delete()
    for position, other in enumerate(dataset.distributions.order_by("position", "created_at")):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position", "updated_at"])
    if record_version:
        _touch(dataset, actor=actor, action="remove_distribution")


def dataset_record_version(*, actor: Any, dataset: Dataset, action: str) -> bool:
    """Keep one version after several changes made with record_version=False."""
    return _touch(dataset, actor=actor, action=action)


def dataset_get_for_update(dataset_id: uuid.UUID) -> Dataset:
    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        raise NotFoundError(_("There is no dataset with this id."))
    return dataset
