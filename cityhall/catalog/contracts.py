"""What other apps may know about the catalog: frozen records of datasets and distributions, and the
one error type of the CKAN Action API (raised by the catalog and by the DataStore)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """One distribution as the DataStore and DCAT see it."""

    id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_name: str
    department_id: uuid.UUID
    name: str
    format: str  # "CSV", "XLSX", "JSON", ...
    media_type: str  # "text/csv", ...
    url: str  # absolute download or access URL
    file_path: str | None  # local path of an uploaded file; None for a link
    is_public: bool  # published and not private


@dataclass(frozen=True, slots=True)
class DistributionRecord:
    id: uuid.UUID
    title: str
    description: str
    access_url: str
    download_url: str | None
    format: str
    media_type: str
    byte_size: int | None
    checksum_sha256: str | None
    license_id: str
    issued: dt.datetime | None
    modified: dt.datetime | None
    datastore_active: bool = False
    name: str = ""  # the CKAN resource name (same as title)


@dataclass(frozen=True, slots=True)
class DatasetRecord:
    """A dataset's whole metadata, language-tagged texts as {"en": ..., "es": ...}."""

    id: uuid.UUID
    name: str  # the CKAN name (URL slug), unique
    identifier: str  # the persistent identifier (a URI when harvested)
    title: dict[str, str]
    description: dict[str, str]
    publisher_id: uuid.UUID
    publisher_name: str
    publisher_slug: str
    contact_name: str
    contact_email: str
    themes: tuple[str, ...]  # EU data-theme codes: "ENVI", "GOVE", ...
    keywords: tuple[str, ...]
    license_id: str  # "CC-BY-4.0", ...
    license_url: str
    access_rights: str  # "PUBLIC" | "RESTRICTED" | "NON_PUBLIC"
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    spatial: str  # place name or geometry as WKT
    frequency: str  # EU frequency code: "MONTHLY", "ANNUAL", ...
    conforms_to: tuple[str, ...]
    landing_page: str
    issued: dt.datetime | None
    modified: dt.datetime
    state: str  # "draft" | "published" | "deleted"
    private: bool
    harvest_source: str  # "" for datasets made here
    distributions: tuple[DistributionRecord, ...] = ()
    extras: dict[str, str] = field(default_factory=dict)
    license_title: str = ""
    license_eu_iri: str = ""  # EU Licences NAL IRI, "" when the licence has none
    publisher_email: str = ""
    version: str = ""
    created: dt.datetime | None = None
    url: str = ""  # the dataset page on this site (absolute)


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """A file another module publishes to the catalog (poll results, decisions as open data)."""

    name: str
    content: bytes
    media_type: str
    format: str


class CkanActionError(Exception):
    """An error in CKAN's own terms; the CKAN API turns it into CKAN's envelope and status code.

    error_type is one of CKAN's: "Validation Error" (409), "Not Found Error" (404),
    "Authorization Error" (403), "Search Query Error" (409), "Bad request" / "Parameter Error" (400).
    """

    def __init__(
        self,
        error_type: str,
        message: str,
        *,
        status: int,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.extra = extra or {}
