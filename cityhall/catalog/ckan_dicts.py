"""CKAN's dictionaries (package, resource, organization, group, tag, licence) built from the catalog,
and CKAN's input dictionaries turned into catalog metadata. Package dicts for a whole page of search
results are built in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from django.conf import settings

from cityhall.catalog import selectors
from cityhall.catalog.models import Dataset, DatasetState, Distribution
from cityhall.catalog.search_index import CKAN_STATE
from cityhall.catalog.vocabularies import LICENSES, THEMES, License, license_lookup, theme_iri

# Cityhall metadata that CKAN has no field for: returned (and accepted) as top-level keys.
EXTRA_TOP_LEVEL = (
    "title_translated",
    "notes_translated",
    "contact_name",
    "contact_email",
    "access_rights",
    "temporal_start",
    "temporal_end",
    "spatial",
    "frequency",
    "conforms_to",
    "identifier",
)


def ckan_time(value: dt.datetime | None) -> str | None:
    """CKAN's timestamp: naive UTC with microseconds (harvesters compare these as strings)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(department: Any, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(department.pk),
        "name": department.slug,
        "title": department.name,
        "display_name": department.name,
        "type": "organization",
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(department.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(code: str, *, package_count: int | None = None) -> dict[str, Any]:
    title = str(THEMES[code])
    data: dict[str, Any] = {
        "id": code.lower(),
        "name": code.lower(),
        "title": title,
        "display_name": title,
        "description": theme_iri(code),
        "image_url": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "created": None,
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def license_dict(license: License) -> dict[str, Any]:
    return {
        "id": license.id,
        "title": license.title,
        "url": license.url,
        "od_conformance": "approved" if license.open_data else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "family": license.family,
        "maintainer": "",
        "domain_content": True,
        "domain_data": True,
        "domain_software": False,
        "is_generic": license.id in {"notspecified", "other-closed"},
        "is_okd_compliant": license.open_data,
        "is_osi_compliant": False,
    }


def tag_dict(name: str) -> dict[str, Any]:
    return {"id": name, "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def resource_dict(distribution: Distribution, *, active: bool) -> dict[str, Any]:
    data = {
        **{str(k): v for k, v in distribution.extras.items()},
        "id": str(distribution.pk),
        "package_id": str(distribution.dataset_id),
        "position": distribution.position,
        "url": selectors.distribution_url(distribution),
        "name": distribution.name,
        "description": distribution.description,
        "format": distribution.format,
        "mimetype": distribution.media_type or None,
        "mimetype_inner": None,
        "size": distribution.byte_size,
        "hash": distribution.checksum_sha256,
        "created": ckan_time(distribution.created_at),
        "last_modified": ckan_time(distribution.updated_at) if distribution.file else None,
        "metadata_modified": ckan_time(distribution.updated_at),
        "url_type": "upload" if distribution.file else None,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "state": "active",
        "datastore_active": active,
    }
    return data


def package_dict(
    dataset: Dataset, distributions: list[Distribution], active: set[uuid.UUID]
) -> dict[str, Any]:
    license = license_lookup(dataset.license_id)
    language = settings.LANGUAGE_CODE
    tags = [tag_dict(keyword) for keyword in dataset.keywords]
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description or None,
        "url": dataset.landing_page or None,
        "version": dataset.version or None,
        "author": None,
        "author_email": None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "license_id": dataset.license_id,
        "license_title": license.title if license else dataset.license_id,
        "license_url": license.url if license else "",
        "isopen": bool(license and license.open_data),
        "state": CKAN_STATE[DatasetState(dataset.state)],
        "type": "dataset",
        "private": dataset.private,
        "owner_org": str(dataset.department_id),
        "organization": organization_dict(dataset.department),
        "groups": [
            {
                k: v
                for k, v in group_dict(code).items()
                if k in {"id", "name", "title", "display_name", "description", "image_display_url"}
            }
            for code in dataset.themes
            if code in THEMES
        ],
        "tags": tags,
        "extras": [{"key": key, "value": value} for key, value in sorted(dataset.extras.items())],
        "resources": [resource_dict(d, active=d.pk in active) for d in distributions],
        "num_resources": len(distributions),
        "num_tags": len(tags),
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.metadata_modified),
        "creator_user_id": str(dataset.created_by_id) if dataset.created_by_id else None,
        "relationships_as_subject": [],
        "relationships_as_object": [],
        # Cityhall's DCAT-AP metadata, beside CKAN's fields.
        "title_translated": {language: dataset.title, **dataset.title_translations},
        "notes_translated": {language: dataset.description, **dataset.description_translations},
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "access_rights": dataset.access_rights,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "spatial": dataset.spatial or None,
        "frequency": dataset.frequency or None,
        "conforms_to": list(dataset.conforms_to),
        "identifier": dataset.identifier,
        "issued": ckan_time(dataset.issued),
    }


def package_dicts(ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Package dicts for these ids, in this order, in a bounded number of queries."""
    datasets = Dataset.objects.select_related("department").in_bulk(ids)
    by_dataset: dict[uuid.UUID, list[Distribution]] = {pk: [] for pk in ids}
    for distribution in Distribution.objects.filter(dataset_id__in=ids).order_by("position", "created_at"):
        by_dataset[distribution.dataset_id].append(distribution)
    active = selectors.datastore_active_ids(d.pk for files in by_dataset.values() for d in files if d.file)
    return [package_dict(datasets[pk], by_dataset[pk], active) for pk in ids if pk in datasets]


def package_dict_for(dataset: Dataset) -> dict[str, Any]:
    return package_dicts([dataset.pk])[0]


def license_list() -> list[dict[str, Any]]:
    return [license_dict(license) for license in LICENSES]


def theme_counts(rows: list[list[str]]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for themes in rows:
        counter.update(themes)
    return counter


# --- CKAN input → catalog metadata ----------------------------------------------------------

CKAN_TO_FIELD = {
    "name": "name",
    "title": "title",
    "notes": "description",
    "owner_org": "department_id",
    "private": "private",
    "license_id": "license_id",
    "url": "landing_page",
    "version": "version",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "access_rights": "access_rights",
    "temporal_start": "temporal_start",
    "temporal_end": "temporal_end",
    "spatial": "spatial",
    "frequency": "frequency",
    "conforms_to": "conforms_to",
}
FIELD_TO_CKAN = {
    "description": "notes",
    "department_id": "owner_org",
    "landing_page": "url",
    "keywords": "tags",
    "themes": "groups",
}


def metadata_from_package(data: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    """Catalog metadata from a CKAN package dict. With replace (package_update), omitted fields are
    cleared, as CKAN does; otherwise only the given keys are set."""
    out: dict[str, Any] = {}
    for ckan_key, field in CKAN_TO_FIELD.items():
        if ckan_key in data:
            out[field] = data[ckan_key]
    if "maintainer" in data and "contact_name" not in data:
        out["contact_name"] = data["maintainer"] or data.get("author") or ""
    if "maintainer_email" in data and "contact_email" not in data:
        out["contact_email"] = data["maintainer_email"] or data.get("author_email") or ""
    if "tags" in data:
        out["keywords"] = data["tags"] or []
    if "groups" in data:
        groups = data["groups"] or []
        out["themes"] = [
            (g.get("name") or g.get("id") or "") if isinstance(g, dict) else str(g) for g in groups
        ]
    if "extras" in data:
        out["extras"] = data["extras"] or []
    for key, field in (
        ("title_translated", "title_translations"),
        ("notes_translated", "description_translations"),
    ):
        if key in data and isinstance(data[key], dict):
            language = settings.LANGUAGE_CODE
            texts = {k: v for k, v in data[key].items() if k != language}
            out[field] = texts
            if data[key].get(language) and key == "title_translated" and "title" not in data:
                out["title"] = data[key][language]
            if data[key].get(language) and key == "notes_translated" and "notes" not in data:
                out["description"] = data[key][language]
        elif key in data:
            out[field] = data[key]
    if replace:
        defaults: dict[str, Any] = {
            "description": "",
            "private": False,
            "landing_page": "",
            "version": "",
            "keywords": [],
            "themes": [],
            "extras": {},
            "contact_name": "",
            "contact_email": "",
            "license_id": "notspecified",
            "temporal_start": None,
            "temporal_end": None,
            "spatial": "",
            "frequency": "",
            "conforms_to": [],
            "title_translations": {},
            "description_translations": {},
        }
        for field, value in defaults.items():
            out.setdefault(field, value)
    return out


def ckan_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {FIELD_TO_CKAN.get(field, field): messages for field, messages in errors.items()}
