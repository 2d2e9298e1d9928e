"""/api/v1/catalog/: the data catalog in Cityhall's own API (the CKAN Action API serves the same data
in CKAN's terms at /api/3/action/).

No `from __future__ import annotations` here: @paginate wraps a view, and ninja must resolve its
parameter types at import time."""

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cityhall.catalog import rules, selectors, services
from cityhall.catalog.models import Dataset, DatasetState, Distribution
from cityhall.catalog.search import FACET_FIELDS, SearchParams, SearchQueryError, search
from cityhall.catalog.vocabularies import FREQUENCIES, LICENSES, THEMES
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError, FieldError

router = Router(tags=["Data catalog"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@contextlib.contextmanager
def _field_errors(prefix: str = "body.payload") -> Iterator[None]:
    try:
        yield
    except services.MetadataError as error:
        raise ApiError(
            422,
            "validation_error",
            error.message,
            [
                FieldError(location=f"{prefix}.{field}", message=m)
                for field, ms in error.errors.items()
                for m in ms
            ],
        ) from error


# --- Schemas --------------------------------------------------------------------------------


class DistributionOut(Schema):
    id: uuid.UUID
    name: str
    description: str
    format: str
    media_type: str
    byte_size: int | None
    checksum_sha256: str
    url: str = Field(..., description="The download address of an uploaded file, or the link.")
    uploaded: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class DatasetOut(Schema):
    id: uuid.UUID
    name: str
    identifier: str
    title: str
    title_translations: dict[str, str]
    description: str
    description_translations: dict[str, str]
    publisher: str = Field(..., description="The publishing department's slug.")
    publisher_name: str
    contact_name: str
    contact_email: str
    themes: list[str] = Field(..., description="EU data-theme codes.")
    keywords: list[str]
    license_id: str
    access_rights: str
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    spatial: str
    frequency: str
    conforms_to: list[str]
    landing_page: str
    version: str
    state: str = Field(..., description="draft, published or deleted.")
    private: bool
    issued: dt.datetime | None
    metadata_modified: dt.datetime
    page_url: str
    distributions: list[DistributionOut]


def _distribution_out(distribution: Distribution) -> dict[str, Any]:
    return {
        "id": distribution.pk,
        "name": distribution.name,
        "description": distribution.description,
        "format": distribution.format,
        "media_type": distribution.media_type,
        "byte_size": distribution.byte_size,
        "checksum_sha256": distribution.checksum_sha256,
        "url": selectors.distribution_url(distribution),
        "uploaded": bool(distribution.file),
        "created_at": distribution.created_at,
        "updated_at": distribution.updated_at,
    }


def _dataset_out(dataset: Dataset, distributions: list[Distribution] | None = None) -> dict[str, Any]:
    files = distributions if distributions is not None else list(dataset.distributions.order_by("position"))
    return {
        **{
            field: getattr(dataset, field)
            for field in (
                "id",
                "name",
                "identifier",
                "title",
                "title_translations",
                "description",
                "description_translations",
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
                "state",
                "private",
                "issued",
                "metadata_modified",
            )
        },
        "publisher": dataset.department.slug,
        "publisher_name": dataset.department.name,
        "page_url": selectors.dataset_page_url(dataset),
        "distributions": [_distribution_out(d) for d in files],
    }


def _datasets_out(ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    datasets = Dataset.objects.select_related("department").in_bulk(ids)
    files: dict[uuid.UUID, list[Distribution]] = {pk: [] for pk in ids}
    for distribution in Distribution.objects.filter(dataset_id__in=ids).order_by("position"):
        files[distribution.dataset_id].append(distribution)
    return [_dataset_out(datasets[pk], files[pk]) for pk in ids if pk in datasets]


class SearchQueryIn(Schema):
    q: str = Field("", max_length=200, description="Words to find (all of them, as prefixes).")
    fq: str = Field(
        "", max_length=1000, description="A CKAN/Solr filter, e.g. `organization:parks +tags:trees`."
    )
    sort: str = Field("", max_length=200, description="e.g. `metadata_modified desc`; default: relevance.")


class _SearchPages:
    """The catalog search seen as a sliceable sequence, for the standard pagination."""

    def __init__(self, query: SearchQueryIn) -> None:
        self.query = query
        self._count: int | None = None

    def _params(self, rows: int, start: int) -> SearchParams:
        return SearchParams(q=self.query.q, fq=[self.query.fq], sort=self.query.sort, rows=rows, start=start)

    def _run(self, rows: int, start: int) -> Any:
        try:
            return search(self._params(rows, start))
        except SearchQueryError as error:
            raise ApiError(400, "invalid_query", str(error)) from error

    def count(self) -> int:
        if self._count is None:
            self._count = self._run(0, 0).count
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start = window.start or 0
        result = self._run((window.stop or start) - start, start)
        self._count = result.count
        return _datasets_out(result.dataset_ids)


@router.get(
    "/datasets",
    response={200: list[DatasetOut], **ERROR_RESPONSES},
    auth=None,
    summary="Search the public datasets: words, a CKAN-style filter, sort",
)
@paginate
def dataset_list(request: HttpRequest, query: Query[SearchQueryIn]) -> Any:
    return _SearchPages(query)


class FacetItem(Schema):
    value: str
    count: int


class FacetsOut(Schema):
    count: int
    facets: dict[str, list[FacetItem]] = Field(
        ..., description="publisher (organization), theme (groups), tags, res_format, license_id"
    )


@router.get(
    "/datasets/facets",
    response={200: FacetsOut, **ERROR_RESPONSES},
    auth=None,
    summary="Facet counts (publisher, theme, keyword, format, licence) for a search",
)
def dataset_facets(request: HttpRequest, query: Query[SearchQueryIn]) -> dict[str, Any]:
    try:
        result = search(
            SearchParams(q=query.q, fq=[query.fq], rows=0, facet_fields=list(FACET_FIELDS), facet_limit=50)
        )
    except SearchQueryError as error:
        raise ApiError(400, "invalid_query", str(error)) from error
    return {
        "count": result.count,
        "facets": {
            name: [{"value": v, "count": c} for v, c in items] for name, items in result.facets.items()
        },
    }


def _public_dataset(value: str) -> Dataset:
    dataset = selectors.dataset_by_id_or_name(value)
    if dataset is None or not selectors.is_public(dataset):
        raise ApiError(404, "not_found", "There is no public dataset with this id or name.")
    return dataset


@router.get(
    "/datasets/{dataset}",
    response={200: DatasetOut, **ERROR_RESPONSES},
    auth=None,
    summary="One public dataset, by id or URL name",
)
def dataset_detail(request: HttpRequest, dataset: str) -> dict[str, Any]:
    return _dataset_out(_public_dataset(dataset))


class ChangeOut(Schema):
    field: str
    before: str
    after: str


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    action: str
    changes: list[ChangeOut]


@router.get(
    "/datasets/{dataset}/history",
    response={200: list[VersionOut], **ERROR_RESPONSES},
    auth=None,
    summary="The versions of a public dataset's metadata, newest first, with what changed",
)
def dataset_history(request: HttpRequest, dataset: str) -> list[dict[str, Any]]:
    found = _public_dataset(dataset)
    return [
        {
            "number": v.number,
            "created_at": v.created_at,
            "action": v.action,
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in v.changes],
        }
        for v in selectors.version_history(found, limit=200)
    ]


# --- Writes (data publishers) ---------------------------------------------------------------


class DatasetIn(Schema):
    name: str = Field(..., max_length=100, description="URL name: lower-case letters, digits, - and _.")
    title: str = Field(..., max_length=300)
    title_translations: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    description_translations: dict[str, str] = Field(default_factory=dict)
    publisher: str = Field(..., description="The publishing department's slug or id.")
    contact_name: str = ""
    contact_email: str = ""
    themes: list[str] = Field(default_factory=list, description="EU data-theme codes (ENVI, TRAN, ...).")
    keywords: list[str] = Field(default_factory=list)
    license_id: str = Field("CC-BY-4.0", description="From GET /api/v1/catalog/licences.")
    access_rights: str = "PUBLIC"
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    spatial: str = ""
    frequency: str = Field("", description="EU frequency code (MONTHLY, ANNUAL, ...).")
    conforms_to: list[str] = Field(default_factory=list)
    landing_page: str = ""
    version: str = ""
    private: bool = False


def _metadata(payload: dict[str, Any]) -> dict[str, Any]:
    if "publisher" in payload:
        payload["department_id"] = payload.pop("publisher")
    return payload


def _writable(request: HttpRequest, value: str) -> Dataset:
    dataset = selectors.dataset_by_id_or_name(value)
    if dataset is None or not rules.can_read_dataset(_user(request), dataset):
        raise ApiError(404, "not_found", "There is no dataset with this id or name.")
    if not rules.can_edit_dataset(_user(request), dataset):
        raise ApiError(
            403, "permission_denied", "Only the department's data publishers may change this dataset."
        )
    return dataset


@router.post(
    "/datasets",
    response={201: DatasetOut, **ERROR_RESPONSES},
    summary="Create a dataset as a draft (data publishers of the department)",
)
def dataset_create(request: HttpRequest, payload: DatasetIn) -> Status[dict[str, Any]]:
    with _field_errors():
        dataset = services.dataset_create(actor=_user(request), metadata=_metadata(payload.model_dump()))
    return Status(201, _dataset_out(Dataset.objects.select_related("department").get(pk=dataset.pk)))


class DatasetPatchIn(Schema):
    title: str | None = Field(None, max_length=300)
    title_translations: dict[str, str] | None = None
    description: str | None = None
    description_translations: dict[str, str] | None = None
    publisher: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    themes: list[str] | None = None
    keywords: list[str] | None = None
    license_id: str | None = None
    access_rights: str | None = None
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    spatial: str | None = None
    frequency: str | None = None
    conforms_to: list[str] | None = None
    landing_page: str | None = None
    version: str | None = None
    private: bool | None = None


@router.patch(
    "/datasets/{dataset}",
    response={200: DatasetOut, **ERROR_RESPONSES},
    summary="Change some metadata of a dataset (a version is kept)",
)
def dataset_patch(request: HttpRequest, dataset: str, payload: DatasetPatchIn) -> dict[str, Any]:
    found = _writable(request, dataset)
    with _field_errors():
        services.dataset_update(
            actor=_user(request), dataset=found, metadata=_metadata(payload.model_dump(exclude_unset=True))
        )
    return _dataset_out(Dataset.objects.select_related("department").get(pk=found.pk))


class StateIn(Schema):
    state: str = Field(..., description="published, draft (withdraw) or deleted")


@router.post(
    "/datasets/{dataset}/state",
    response={200: DatasetOut, **ERROR_RESPONSES},
    summary="Publish, withdraw to draft, or delete a dataset",
)
def dataset_state(request: HttpRequest, dataset: str, payload: StateIn) -> dict[str, Any]:
    found = _writable(request, dataset)
    if payload.state not in DatasetState.values:
        raise ApiError(
            422,
            "validation_error",
            "Use published, draft or deleted.",
            [FieldError("body.payload.state", "Use published, draft or deleted.")],
        )
    services.dataset_set_state(actor=_user(request), dataset=found, state=payload.state)
    return _dataset_out(Dataset.objects.select_related("department").get(pk=found.pk))


class DistributionIn(Schema):
    name: str = Field("", max_length=300)
    description: str = ""
    url: str = Field("", max_length=1000, description="A link to the data, when no file is uploaded.")
    format: str = Field("", max_length=50)


@router.post(
    "/datasets/{dataset}/distributions",
    response={201: DistributionOut, **ERROR_RESPONSES},
    summary="Add a file (multipart upload) or a link to a dataset",
)
def distribution_create(
    request: HttpRequest,
    dataset: str,
    payload: Form[DistributionIn],
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's way to declare an optional file
) -> Status[dict[str, Any]]:
    found = _writable(request, dataset)
    with _field_errors("body"):
        distribution = services.distribution_create(
            actor=_user(request),
            dataset=found,
            name=payload.name,
            description=payload.description,
            url=payload.url if file is None else "",
            upload=file,
            upload_name=file.name or "data" if file is not None else "",
            upload_size=file.size if file is not None else None,
            format=payload.format,
        )
    return Status(201, _distribution_out(distribution))


@router.delete(
    "/distributions/{distribution_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a distribution from its dataset",
)
def distribution_delete(request: HttpRequest, distribution_id: uuid.UUID) -> Status[None]:
    distribution = selectors.distribution_by_id(distribution_id)
    if distribution is None:
        raise ApiError(404, "not_found", "There is no distribution with this id.")
    _writable(request, str(distribution.dataset_id))
    services.distribution_delete(actor=_user(request), distribution=distribution)
    return Status(204, None)


# --- Vocabularies ---------------------------------------------------------------------------


class LicenceOut(Schema):
    id: str
    title: str
    url: str
    eu_iri: str
    open_data: bool


@router.get("/licences", response={200: list[LicenceOut]}, auth=None, summary="The licences datasets may use")
def licence_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": lic.id, "title": lic.title, "url": lic.url, "eu_iri": lic.eu_iri, "open_data": lic.open_data}
        for lic in LICENSES
    ]


class CodeOut(Schema):
    code: str
    label: str


@router.get("/themes", response={200: list[CodeOut]}, auth=None, summary="The EU data themes")
def theme_list(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": code, "label": str(label)} for code, label in THEMES.items()]


@router.get("/frequencies", response={200: list[CodeOut]}, auth=None, summary="The EU update frequencies")
def frequency_list(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": code, "label": str(label)} for code, label in FREQUENCIES.items()]


class PublisherOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    dataset_count: int


@router.get(
    "/publishers", response={200: list[PublisherOut]}, auth=None, summary="Departments that publish data"
)
def publisher_list(request: HttpRequest) -> list[dict[str, Any]]:
    from cityhall.accounts.facade import departments

    counts: dict[uuid.UUID, int] = {}
    for department_id in selectors.public_datasets().values_list("department_id", flat=True):
        counts[department_id] = counts.get(department_id, 0) + 1
    return [
        {"id": d.id, "slug": d.slug, "name": d.name, "dataset_count": counts[d.id]}
        for d in departments()
        if d.id in counts
    ]
