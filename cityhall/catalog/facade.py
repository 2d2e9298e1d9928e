"""The catalog module as other apps see it (the DataStore, DCAT-AP output and harvesting, and modules
that publish open data). Import from here and from contracts, nothing else. See docs/catalog.md."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from cityhall.catalog import rules, selectors, services
from cityhall.catalog.contracts import DatasetRecord, GeneratedFile, ResourceRef
from cityhall.catalog.models import Dataset, DatasetState, Distribution

__all__ = [
    "dataset_mark_removed_at_source",
    "dataset_publish_generated",
    "dataset_record",
    "dataset_upsert_harvested",
    "demo_load",
    "public_dataset_records",
    "resource_ref",
    "user_can_edit_resource",
    "user_can_read_resource",
]


def resource_ref(resource_id: uuid.UUID | str) -> ResourceRef | None:
    """One distribution (any dataset state; check `is_public` or the user rules before showing it)."""
    distribution = selectors.distribution_by_id(resource_id)
    return selectors.resource_ref(distribution) if distribution else None


def user_can_read_resource(user: Any, resource_id: uuid.UUID | str) -> bool:
    distribution = selectors.distribution_by_id(resource_id)
    return distribution is not None and rules.can_read_dataset(user, distribution.dataset)


def user_can_edit_resource(user: Any, resource_id: uuid.UUID | str) -> bool:
    distribution = selectors.distribution_by_id(resource_id)
    if distribution is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return rules.can_edit_dataset(user, distribution.dataset)


def dataset_record(dataset_id_or_name: uuid.UUID | str) -> DatasetRecord | None:
    """The dataset in any state (draft, published, deleted; private or not): callers check."""
    dataset = selectors.dataset_by_id_or_name(dataset_id_or_name)
    return selectors.dataset_record(dataset) if dataset else None


def public_dataset_records(
    *, modified_since: dt.datetime | None = None, offset: int = 0, limit: int = 100
) -> tuple[int, list[DatasetRecord]]:
    """Published, non-private datasets ordered by id, with the total count."""
    return selectors.public_dataset_records(modified_since=modified_since, offset=offset, limit=limit)


def _free_name(wanted: str, *, exclude: uuid.UUID | None = None) -> str:
    base = (slugify(wanted)[:90] or "dataset").strip("-") or "dataset"
    if len(base) < 2:
        base = f"dataset-{base}"
    name = base
    counter = 2
    while Dataset.objects.filter(name=name).exclude(pk__in=[exclude] if exclude else []).exists():
        name = f"{base}-{counter}"
        counter += 1
    return name


def _metadata_from_record(record: DatasetRecord, department_id: uuid.UUID) -> dict[str, Any]:
    from django.conf import settings

    language = settings.LANGUAGE_CODE
    titles = dict(record.title)
    descriptions = dict(record.description)
    title = titles.pop(language, "") or next(iter(titles.values()), "") or record.name
    description = descriptions.pop(language, "") or next(iter(descriptions.values()), "")
    return {
        "title": title[:300],
        "title_translations": {k: v for k, v in titles.items() if v and v != title},
        "description": description,
        "description_translations": {k: v for k, v in descriptions.items() if v and v != description},
        "department_id": str(department_id),
        "contact_name": record.contact_name,
        "contact_email": record.contact_email,
        "themes": [theme for theme in record.themes if theme.upper() in services.THEMES],
        "keywords": list(record.keywords),
        "license_id": record.license_id if services.license_lookup(record.license_id) else "notspecified",
        "access_rights": record.access_rights or "PUBLIC",
        "temporal_start": record.temporal_start,
        "temporal_end": record.temporal_end,
        "spatial": record.spatial,
        "frequency": record.frequency if record.frequency.upper() in services.FREQUENCIES else "",
        "conforms_to": list(record.conforms_to),
        "landing_page": record.landing_page,
        "version": record.version,
        "extras": dict(record.extras),
        "private": False,
    }


def _sync_links(dataset: Dataset, record: DatasetRecord) -> None:
    """Make the harvested dataset's links match the source's distributions (matched by URL)."""
    existing = {d.url: d for d in dataset.distributions.all()}
    wanted_urls = []
    for source in record.distributions:
        url = source.download_url or source.access_url
        wanted_urls.append(url)
        changes = {
            "name": source.title or source.name,
            "description": source.description,
            "format": source.format,
        }
        if source.media_type:
            changes["media_type"] = source.media_type
        current = existing.get(url)
        if current is None:
            services.distribution_create(
                actor=None,
                dataset=dataset,
                name=str(changes["name"]),
                description=source.description,
                url=url,
                format=source.format,
                media_type=source.media_type,
                record_version=False,
            )
        elif any(getattr(current, k if k != "media_type" else "media_type") != v for k, v in changes.items()):
            services.distribution_update(
                actor=None, distribution=current, changes=changes, record_version=False
            )
    for url, distribution in existing.items():
        if url not in wanted_urls:
            services.distribution_delete(actor=None, distribution=distribution, record_version=False)


@transaction.atomic
def dataset_upsert_harvested(
    *, source: str, record: DatasetRecord, publisher_department_id: uuid.UUID
) -> tuple[uuid.UUID, str]:
    """Create or update the dataset harvested from `source` with `record.identifier` (record.id is
    ignored). Harvested datasets are published. Returns (id, "created" | "updated" | "unchanged")."""
    if not record.identifier:
        raise services.MetadataError({"identifier": ["A harvested record needs an identifier."]})
    metadata = _metadata_from_record(record, publisher_department_id)
    dataset = Dataset.objects.filter(harvest_source=source, identifier=record.identifier).first()
    if dataset is None:
        metadata["name"] = _free_name(record.name or metadata["title"])
        dataset = services.dataset_create(
            actor=None,
            metadata=metadata,
            state=DatasetState.PUBLISHED,
            harvest_source=source,
            identifier=record.identifier,
            record_version=False,
        )
        _sync_links(dataset, record)
        services.dataset_record_version(actor=None, dataset=dataset, action="harvest")
        return dataset.pk, "created"
    before = dataset.version_number
    dataset = services.dataset_update(
        actor=None, dataset=dataset, metadata=metadata, action="harvest", record_version=False
    )
    _sync_links(dataset, record)
    if dataset.state != DatasetState.PUBLISHED:
        dataset.state = DatasetState.PUBLISHED
        dataset.save(update_fields=["state", "updated_at"])
    services.dataset_record_version(actor=None, dataset=dataset, action="harvest")
    dataset.refresh_from_db(fields=["version_number"])
    return dataset.pk, "updated" if dataset.version_number != before else "unchanged"


@transaction.atomic
def dataset_mark_removed_at_source(*, source: str, keep_identifiers: set[str]) -> int:
    """Soft-delete the datasets harvested from `source` that the source no longer lists."""
    gone = (
        Dataset.objects.filter(harvest_source=source)
        .exclude(state=DatasetState.DELETED)
        .exclude(identifier__in=keep_identifiers)
    )
    count = 0
    for dataset in list(gone):
        services.dataset_set_state(actor=None, dataset=dataset, state=DatasetState.DELETED)
        count += 1
    return count


@transaction.atomic
def dataset_publish_generated(
    *,
    source_key: str,
    department_id: uuid.UUID,
    title: str,
    description: str,
    keywords: list[str],
    theme: str,
    files: list[GeneratedFile],
    license_id: str = "CC-BY-4.0",
) -> uuid.UUID:
    """Publish (or refresh) the open data another module generates, one dataset per source_key.
    Files are matched by name: changed content replaces the file and keeps a new version."""
    metadata = {
        "title": title,
        "description": description,
        "keywords": keywords,
        "themes": [theme],
        "license_id": license_id,
        "department_id": str(department_id),
    }
    dataset = Dataset.objects.filter(source_key=source_key).first()
    if dataset is None:
        metadata["name"] = _free_name(title)
        dataset = services.dataset_create(
            actor=None,
            metadata=metadata,
            state=DatasetState.DRAFT,
            source_key=source_key,
            record_version=False,
        )
    else:
        dataset = services.dataset_update(
            actor=None, dataset=dataset, metadata=metadata, action="regenerate", record_version=False
        )
    existing = {d.name: d for d in dataset.distributions.all()}
    for generated in files:
        current: Distribution | None = existing.get(generated.name)
        if current is None:
            services.distribution_create(
                actor=None,
                dataset=dataset,
                name=generated.name,
                upload=io.BytesIO(generated.content),
                upload_name=generated.name,
                upload_size=len(generated.content),
                format=generated.format,
                media_type=generated.media_type,
                record_version=False,
            )
        elif current.checksum_sha256 != services.hashlib.sha256(generated.content).hexdigest():
            services.distribution_update(
                actor=None,
                distribution=current,
                changes={"format": generated.format, "media_type": generated.media_type},
                upload=io.BytesIO(generated.content),
                upload_name=generated.name,
                upload_size=len(generated.content),
                record_version=False,
            )
    if dataset.state != DatasetState.PUBLISHED:
        services.dataset_set_state(actor=None, dataset=dataset, state=DatasetState.PUBLISHED)
    services.dataset_record_version(actor=None, dataset=dataset, action="regenerate")
    return dataset.pk


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.catalog.demo import demo_load as load

    load(log)
