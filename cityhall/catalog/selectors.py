"""Reads of the catalog: datasets by id or name, frozen records for other apps, version history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from cityhall.catalog import rules
from cityhall.catalog.contracts import DatasetRecord, DistributionRecord, ResourceRef
from cityhall.catalog.models import Dataset, DatasetState, DatasetVersion, Distribution
from cityhall.catalog.vocabularies import license_lookup


def base_url() -> str:
    return str(settings.CITYHALL_BASE_URL).rstrip("/")


def dataset_by_id_or_name(value: str | uuid.UUID) -> Dataset | None:
    queryset = Dataset.objects.select_related("department")
    text = str(value).strip()
    try:
        return queryset.filter(pk=uuid.UUID(text)).first()
    except ValueError:
        return queryset.filter(name=text).first()


def distribution_by_id(value: str | uuid.UUID) -> Distribution | None:
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return None
    return Distribution.objects.select_related("dataset", "dataset__department").filter(pk=key).first()


def download_path(distribution: Distribution) -> str:
    return reverse(
        "catalog:download",
        args=[distribution.dataset_id, distribution.pk, distribution.file_name or "data"],
    )


def distribution_url(distribution: Distribution) -> str:
    """The absolute address of the data: the download route for uploads, else the link."""
    if distribution.file:
        return base_url() + download_path(distribution)
    return distribution.url


def dataset_page_url(dataset: Dataset) -> str:
    return base_url() + reverse("catalog:dataset", args=[dataset.name])


def datastore_active_ids(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these distributions are loaded in the DataStore (asks the DataStore facade)."""
    wanted = list(ids)
    if not wanted:
        return set()
    try:
        from cityhall.datastore import facade as datastore
    except ImportError:  # pragma: no cover
        return set()
    bulk = getattr(datastore, "datastore_active_ids", None)
    if bulk is not None:
        return set(bulk(wanted))
    single = getattr(datastore, "datastore_active", None)
    if single is None:
        return set()
    return {resource_id for resource_id in wanted if single(resource_id)}


def is_public(dataset: Dataset) -> bool:
    return dataset.state == DatasetState.PUBLISHED and not dataset.private


def resource_ref(distribution: Distribution) -> ResourceRef:
    dataset = distribution.dataset
    file_path: str | None = None
    if distribution.file:
        try:
            file_path = distribution.file.path
        except NotImplementedError:  # remote storage: read through the URL instead
            file_path = None
    return ResourceRef(
        id=distribution.pk,
        dataset_id=dataset.pk,
        dataset_name=dataset.name,
        department_id=dataset.department_id,
        name=distribution.name,
        format=distribution.format,
        media_type=distribution.media_type,
        url=distribution_url(distribution),
        file_path=file_path,
        is_public=is_public(dataset),
    )


def distribution_record(
    distribution: Distribution, dataset: Dataset, *, active: set[uuid.UUID]
) -> DistributionRecord:
    url = distribution_url(distribution)
    return DistributionRecord(
        id=distribution.pk,
        title=distribution.name,
        description=distribution.description,
        access_url=url,
        download_url=url if distribution.file else None,
        format=distribution.format,
        media_type=distribution.media_type,
        byte_size=distribution.byte_size,
        checksum_sha256=distribution.checksum_sha256 or None,
        license_id=dataset.license_id,
        issued=distribution.created_at,
        modified=distribution.updated_at,
        datastore_active=distribution.pk in active,
        name=distribution.name,
    )


def dataset_record(
    dataset: Dataset, *, distributions: list[Distribution] | None = None, active: set[uuid.UUID] | None = None
) -> DatasetRecord:
    from django.conf import settings as django_settings

    language = django_settings.LANGUAGE_CODE
    files = (
        distributions
        if distributions is not None
        else list(dataset.distributions.order_by("position", "created_at"))
    )
    if active is None:
        active = datastore_active_ids(d.pk for d in files)
    license = license_lookup(dataset.license_id)
    department = dataset.department
    return DatasetRecord(
        id=dataset.pk,
        name=dataset.name,
        identifier=dataset.identifier,
        title={language: dataset.title, **dataset.title_translations},
        description={language: dataset.description, **dataset.description_translations}
        if dataset.description
        else dict(dataset.description_translations),
        publisher_id=dataset.department_id,
        publisher_name=department.name,
        publisher_slug=department.slug,
        contact_name=dataset.contact_name,
        contact_email=dataset.contact_email,
        themes=tuple(dataset.themes),
        keywords=tuple(dataset.keywords),
        license_id=dataset.license_id,
        license_url=license.url if license else "",
        access_rights=dataset.access_rights,
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
        spatial=dataset.spatial,
        frequency=dataset.frequency,
        conforms_to=tuple(dataset.conforms_to),
        landing_page=dataset.landing_page,
        issued=dataset.issued,
        modified=dataset.metadata_modified,
        state=dataset.state,
        private=dataset.private,
        harvest_source=dataset.harvest_source,
        distributions=tuple(distribution_record(d, dataset, active=active) for d in files),
        extras=dict(dataset.extras),
        license_title=license.title if license else dataset.license_id,
        license_eu_iri=license.eu_iri if license else "",
        publisher_email=department.email,
        version=dataset.version,
        created=dataset.created_at,
        url=dataset_page_url(dataset),
    )


def dataset_records(datasets: list[Dataset]) -> list[DatasetRecord]:
    """Records for many datasets in a bounded number of queries."""
    ids = [d.pk for d in datasets]
    by_dataset: dict[uuid.UUID, list[Distribution]] = {pk: [] for pk in ids}
    for distribution in Distribution.objects.filter(dataset_id__in=ids).order_by("position", "created_at"):
        by_dataset[distribution.dataset_id].append(distribution)
    active = datastore_active_ids(d.pk for files in by_dataset.values() for d in files)
    return [dataset_record(d, distributions=by_dataset[d.pk], active=active) for d in datasets]


def public_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(state=DatasetState.PUBLISHED, private=False).select_related("department")


def public_dataset_records(
    *, modified_since: dt.datetime | None = None, offset: int = 0, limit: int = 100
) -> tuple[int, list[DatasetRecord]]:
    queryset = public_datasets()
    if modified_since is not None:
        queryset = queryset.filter(metadata_modified__gte=modified_since)
    total = queryset.count()
    page = list(queryset.order_by("id")[offset : offset + limit])
    return total, dataset_records(page)


def visible_to(user: Any, dataset: Dataset) -> bool:
    return rules.can_read_dataset(user, dataset)


# --- History --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    created_at: dt.datetime
    actor: str
    action: str
    changes: tuple[Change, ...]


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def snapshot_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[Change, ...]:
    """What changed between two snapshots, field by field; files by id."""
    before = before or {}
    changes: list[Change] = []
    for field, value in after.items():
        if field == "distributions":
            continue
        if before.get(field) != value and (before or value not in (None, "", [], {}, False)):
            changes.append(Change(field, _shown(before.get(field)), _shown(value)))
    old_files = {d["id"]: d for d in before.get("distributions", [])}
    new_files = {d["id"]: d for d in after.get("distributions", [])}
    for key, file in new_files.items():
        if key not in old_files:
            changes.append(Change("distribution", "—", f"{file['name']} ({file['format'] or '?'})"))
        elif old_files[key] != file:
            old = old_files[key]
            changed = [k for k in file if file.get(k) != old.get(k)]
            changes.append(Change("distribution", f"{old['name']}", f"{file['name']}: {', '.join(changed)}"))
    for key, file in old_files.items():
        if key not in new_files:
            changes.append(Change("distribution", f"{file['name']} ({file['format'] or '?'})", "—"))
    return tuple(changes)


def version_history(dataset: Dataset, *, limit: int = 50) -> list[VersionView]:
    versions = list(DatasetVersion.objects.filter(dataset=dataset).order_by("-number")[: limit + 1])
    views = []
    for index, version in enumerate(versions[:limit]):
        previous = versions[index + 1].snapshot if index + 1 < len(versions) else None
        views.append(
            VersionView(
                number=version.number,
                created_at=version.created_at,
                actor=version.actor,
                action=version.action,
                changes=snapshot_diff(previous, version.snapshot),
            )
        )
    return views
