"""Pages: catalog search with facets, the dataset page (metadata, files, a preview of the first rows,
history), publisher pages, downloads; and the staff pages where data publishers manage datasets."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.accounts.facade import departments
from cityhall.catalog import forms, rules, selectors, services
from cityhall.catalog.models import Dataset, DatasetState, Distribution
from cityhall.catalog.search import FACET_FIELDS, SearchParams, SearchQueryError, search
from cityhall.catalog.vocabularies import FREQUENCIES, TABULAR_FORMATS, THEMES, license_lookup
from cityhall.core.errors import ServiceError

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
PREVIEW_ROWS = 10
PREVIEW_MAX_BYTES = 256 * 1024
RDF_TYPES = {"text/turtle": "ttl", "application/rdf+xml": "rdf", "application/ld+json": "jsonld"}
FACET_TITLES = {
    "organization": _("Publisher"),
    "groups": _("Theme"),
    "tags": _("Keyword"),
    "res_format": _("Format"),
    "license_id": _("Licence"),
}


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _texts(dataset: Dataset) -> tuple[str, str]:
    language = _language()
    title = dataset.title_translations.get(language) or dataset.title
    description = dataset.description_translations.get(language) or dataset.description
    return title, description


def _facet_label(field: str, value: str, department_names: dict[str, str]) -> str:
    if field == "organization":
        return department_names.get(value, value)
    if field == "groups":
        return str(THEMES.get(value.upper(), value))
    if field == "license_id":
        license = license_lookup(value)
        return license.title if license else value
    return value


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- Public pages ---------------------------------------------------------------------------


@require_GET
def dataset_search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    chosen = {field: [v for v in request.GET.getlist(field) if v][:10] for field in FACET_FIELDS}
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    fq = [f"{field}:{_quoted(value)}" for field, values in chosen.items() for value in values]
    error = ""
    try:
        result = search(
            SearchParams(
                q=q,
                fq=fq,
                rows=PAGE_SIZE,
                start=(page_number - 1) * PAGE_SIZE,
                sort=sort,
                facet_fields=list(FACET_FIELDS),
                facet_limit=10,
            )
        )
    except SearchQueryError as problem:
        error = str(problem)
        result = search(SearchParams(rows=0, facet_fields=list(FACET_FIELDS), facet_limit=10))
    datasets = Dataset.objects.select_related("department").in_bulk(result.dataset_ids)
    formats: dict[uuid.UUID, list[str]] = {}
    for dataset_id, format_ in Distribution.objects.filter(dataset_id__in=result.dataset_ids).values_list(
        "dataset_id", "format"
    ):
        if format_ and format_ not in formats.setdefault(dataset_id, []):
            formats[dataset_id].append(format_)
    rows = []
    for pk in result.dataset_ids:
        if pk in datasets:
            title, description = _texts(datasets[pk])
            rows.append(
                {
                    "dataset": datasets[pk],
                    "title": title,
                    "description": description,
                    "formats": formats.get(pk, []),
                }
            )
    department_names = {d.slug: d.name for d in departments()}
    base_params = [(key, value) for key in ("q", "sort") for value in request.GET.getlist(key) if value]
    base_params += [(field, value) for field, values in chosen.items() for value in values]
    facet_groups = []
    for field in FACET_FIELDS:
        items = []
        for value, count in result.facets.get(field, []):
            selected = value in chosen[field]
            params = (
                [p for p in base_params if p != (field, value)]
                if selected
                else [*base_params, (field, value)]
            )
            items.append(
                {
                    "value": value,
                    "label": _facet_label(field, value, department_names),
                    "count": count,
                    "selected": selected,
                    "url": "?" + urlencode(params),
                }
            )
        facet_groups.append({"field": field, "title": FACET_TITLES[field], "items": items})
    pages = (result.count + PAGE_SIZE - 1) // PAGE_SIZE
    context = {
        "form": form,
        "rows": rows,
        "count": result.count,
        "facet_groups": facet_groups,
        "error": error,
        "page_number": page_number,
        "pages": pages,
        "previous_url": "?" + urlencode([*base_params, ("page", page_number - 1)]) if page_number > 1 else "",
        "next_url": "?" + urlencode([*base_params, ("page", page_number + 1)]) if page_number < pages else "",
        "selected_filters": [
            {
                "label": f"{FACET_TITLES[field]}: {_facet_label(field, value, department_names)}",
                "url": "?" + urlencode([p for p in base_params if p != (field, value)]),
            }
            for field, values in chosen.items()
            for value in values
        ],
    }
    return render(request, "catalog/search.html", context)


def _preferred_rdf(request: HttpRequest) -> str | None:
    """The RDF format the client prefers over HTML by its Accept header, if any."""
    accept = request.headers.get("Accept", "")
    if not accept:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media.lower()))
    for _quality, _position, media in sorted(ranked):
        if media in RDF_TYPES:
            return RDF_TYPES[media]
        if media in {"text/html", "application/xhtml+xml", "*/*", "text/*"}:
            return None
    return None


def _preview_from_file(distribution: Distribution) -> tuple[list[str], list[list[str]]] | None:
    if not distribution.file or distribution.format not in TABULAR_FORMATS:
        return None
    try:
        if distribution.format == "CSV":
            with distribution.file.open("rb") as handle:
                raw = handle.read(PREVIEW_MAX_BYTES)
            text = raw.decode("utf-8-sig", errors="replace")
            lines = text.splitlines()[: PREVIEW_ROWS + 1]
            reader = list(csv.reader(lines))
            if not reader:
                return None
            return reader[0], [row for row in reader[1:]]
        from openpyxl import load_workbook

        with distribution.file.open("rb") as handle:
            workbook = load_workbook(io.BytesIO(handle.read()), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        values = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(max_row=PREVIEW_ROWS + 1, values_only=True)
        ]
        workbook.close()
        return (values[0], values[1:]) if values else None
    except Exception:  # a broken file shows no preview, never an error page
        logger.warning("No preview for distribution %s", distribution.pk, exc_info=True)
        return None


def _preview(distribution: Distribution, active: set[uuid.UUID]) -> tuple[list[str], list[list[str]]] | None:
    if distribution.pk in active:
        try:
            from cityhall.datastore import facade as datastore

            preview = getattr(datastore, "datastore_preview", None)
            if preview is not None:
                found = preview(distribution.pk, rows=PREVIEW_ROWS)
                if found is not None:
                    return (list(found[0]), [list(row) for row in found[1]])
        except Exception:
            logger.warning("DataStore preview failed for %s", distribution.pk, exc_info=True)
    return _preview_from_file(distribution)


def _rdf_response(request: HttpRequest, dataset: Dataset, fmt: str) -> HttpResponse | None:
    try:
        from cityhall.dcat import facade as dcat
    except ImportError:  # pragma: no cover
        return None
    respond = getattr(dcat, "dataset_rdf_response", None)
    if respond is None:
        return None
    response: HttpResponse = respond(request, dataset.pk, fmt)
    response["Vary"] = "Accept"
    return response


@require_GET
def dataset_page(request: HttpRequest, name: str) -> HttpResponse:
    dataset = selectors.dataset_by_id_or_name(name)
    if dataset is None or not rules.can_read_dataset(request.user, dataset):
        raise Http404(_("There is no dataset at this address."))
    fmt = _preferred_rdf(request)
    if fmt is not None:
        rdf = _rdf_response(request, dataset, fmt)
        if rdf is not None:
            return rdf
    distributions = list(dataset.distributions.order_by("position", "created_at"))
    active = selectors.datastore_active_ids(d.pk for d in distributions if d.file)
    files = []
    preview_shown = False
    for distribution in distributions:
        preview = None
        if not preview_shown:
            preview = _preview(distribution, active)
            preview_shown = preview is not None
        files.append(
            {
                "distribution": distribution,
                "url": selectors.download_path(distribution) if distribution.file else distribution.url,
                "preview": preview,
                "datastore_active": distribution.pk in active,
            }
        )
    title, description = _texts(dataset)
    license = license_lookup(dataset.license_id)
    context = {
        "dataset": dataset,
        "title": title,
        "description": description,
        "files": files,
        "license": license,
        "themes": [(code, THEMES[code]) for code in dataset.themes if code in THEMES],
        "frequency": FREQUENCIES.get(dataset.frequency, ""),
        "history": selectors.version_history(dataset, limit=20),
        "can_edit": rules.can_edit_dataset(request.user, dataset) if request.user.is_authenticated else False,
        "translations": sorted(set(dataset.title_translations) | set(dataset.description_translations)),
    }
    response = render(request, "catalog/dataset.html", context)
    response["Vary"] = "Accept"
    return response


@require_GET
def download(
    request: HttpRequest, dataset_id: uuid.UUID, resource_id: uuid.UUID, file_name: str
) -> HttpResponseBase:
    distribution = selectors.distribution_by_id(resource_id)
    if (
        distribution is None
        or distribution.dataset_id != dataset_id
        or distribution.dataset.state == DatasetState.DELETED
        or not rules.can_read_dataset(request.user, distribution.dataset)
    ):
        raise Http404(_("There is no file at this address."))
    if not distribution.file:
        return HttpResponseRedirect(distribution.url)
    response = FileResponse(
        distribution.file.open("rb"),
        as_attachment=True,
        filename=distribution.file_name,
        content_type=distribution.media_type or "application/octet-stream",
    )
    return response


@require_GET
def publisher_list(request: HttpRequest) -> HttpResponse:
    counts: dict[uuid.UUID, int] = {}
    for department_id in selectors.public_datasets().values_list("department_id", flat=True):
        counts[department_id] = counts.get(department_id, 0) + 1
    publishers = [{"department": d, "count": counts.get(d.id, 0)} for d in departments() if counts.get(d.id)]
    return render(request, "catalog/publishers.html", {"publishers": publishers})


@require_GET
def publisher_page(request: HttpRequest, slug: str) -> HttpResponse:
    department = next((d for d in departments() if d.slug == slug), None)
    if department is None:
        raise Http404(_("There is no publisher at this address."))
    datasets = list(selectors.public_datasets().filter(department_id=department.id).order_by("title"))
    language = _language()
    context = {
        "department": department,
        "name": department.name_translations.get(language) or department.name,
        "rows": [{"dataset": d, "title": _texts(d)[0], "description": _texts(d)[1]} for d in datasets],
        "search_url": "?" + urlencode({"organization": department.slug}),
    }
    return render(request, "catalog/publisher.html", context)


# --- Staff pages ----------------------------------------------------------------------------


def _publisher_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.publisher_departments(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _own_dataset(request: HttpRequest, dataset_id: uuid.UUID) -> Dataset:
    dataset = Dataset.objects.select_related("department").filter(pk=dataset_id).first()
    if dataset is None:
        raise Http404(_("There is no dataset with this id."))
    if not rules.can_edit_dataset(request.user, dataset):
        raise PermissionDenied
    return dataset


def _own_departments(user: Any) -> list[Any]:
    allowed = rules.publisher_departments(user)
    return [d for d in departments() if d.id in allowed]


@_publisher_only
def staff_datasets(request: HttpRequest) -> HttpResponse:
    allowed = rules.publisher_departments(request.user)
    datasets = (
        Dataset.objects.filter(department_id__in=allowed)
        .select_related("department")
        .order_by("state", "title")
    )
    groups = [
        (label, [d for d in datasets if d.state == state])
        for state, label in (
            (DatasetState.DRAFT, _("Drafts")),
            (DatasetState.PUBLISHED, _("Published")),
            (DatasetState.DELETED, _("Deleted")),
        )
    ]
    return render(request, "catalog/staff/datasets.html", {"groups": groups})


def _form_errors(form: forms.DatasetForm, error: services.MetadataError) -> None:
    for field, problems in error.errors.items():
        name = forms.DatasetForm.FIELD_FOR.get(field, field)
        target = name if name in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


@_publisher_only
@require_http_methods(["GET", "POST"])
def staff_dataset_new(request: HttpRequest) -> HttpResponse:
    own = _own_departments(request.user)
    form = forms.DatasetForm(
        request.POST or None, departments=own, initial={"license_id": "CC-BY-4.0", "access_rights": "PUBLIC"}
    )
    if request.method == "POST" and form.is_valid():
        metadata = form.metadata()
        metadata.setdefault("name", _free_slug(metadata["title"]))
        try:
            dataset = services.dataset_create(actor=request.user, metadata=metadata)
        except services.MetadataError as error:
            _form_errors(form, error)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The draft is saved. Add its files, then publish it."))
            return redirect("catalog:staff_dataset", dataset.pk)
    return render(request, "catalog/staff/edit.html", {"form": form, "dataset": None})


def _free_slug(title: str) -> str:
    base = slugify(title)[:90] or "dataset"
    name, counter = base, 2
    while Dataset.objects.filter(name=name).exists():
        name, counter = f"{base}-{counter}", counter + 1
    return name


@_publisher_only
@require_http_methods(["GET", "POST"])
def staff_dataset_edit(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _own_dataset(request, dataset_id)
    form = forms.DatasetForm(
        request.POST or None,
        departments=_own_departments(request.user),
        initial=forms.DatasetForm.initial_for(dataset),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_update(actor=request.user, dataset=dataset, metadata=form.metadata())
        except services.MetadataError as error:
            _form_errors(form, error)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The changes are saved; the history keeps the previous version."))
            return redirect("catalog:staff_dataset", dataset.pk)
    return render(request, "catalog/staff/edit.html", {"form": form, "dataset": dataset})


def _problem_text(problem: Any) -> str:
    where = []
    if getattr(problem, "row", None):
        where.append(_("row %(row)s") % {"row": problem.row})
    if getattr(problem, "column", None):
        where.append(_("column %(column)s") % {"column": problem.column})
    message = str(getattr(problem, "message", problem))
    return f"{', '.join(where)}: {message}" if where else message


def _quality(dataset: Dataset) -> dict[str, Any] | None:
    try:
        from cityhall.dcat import facade as dcat

        report = getattr(dcat, "dataset_quality", None)
        result = report(dataset.pk) if report is not None else None
    except Exception:
        logger.warning("Quality report failed for %s", dataset.pk, exc_info=True)
        return None
    if result is None:
        return None
    return {
        "score": getattr(result, "score", None),
        "conforms": getattr(result, "conforms", True),
        "messages": [
            {
                "severity": str(getattr(m, "severity", "")),
                "text": str(getattr(m, "message", m)),
                "path": str(getattr(m, "path", "")),
            }
            for m in getattr(result, "messages", ())
        ],
    }


def _load_status(distribution: Distribution) -> dict[str, Any] | None:
    if not distribution.file or distribution.format not in TABULAR_FORMATS:
        return None
    try:
        from cityhall.datastore import facade as datastore

        status_of = getattr(datastore, "datastore_status", None)
        status = status_of(distribution.pk) if status_of else None
    except Exception:
        logger.warning("DataStore status failed for %s", distribution.pk, exc_info=True)
        return None
    if status is None:
        return None
    return {
        "state": str(getattr(status, "state", "")),
        "percent": getattr(status, "percent", None),
        "rows_loaded": getattr(status, "rows_loaded", None),
        "rows_total": getattr(status, "rows_total", None),
        "errors": [_problem_text(p) for p in getattr(status, "errors", ())][:20],
        "warnings": [_problem_text(p) for p in getattr(status, "warnings", ())][:20],
    }


@_publisher_only
@require_GET
def staff_dataset(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _own_dataset(request, dataset_id)
    distributions = list(dataset.distributions.order_by("position", "created_at"))
    context = {
        "dataset": dataset,
        "files": [
            {
                "distribution": d,
                "url": selectors.download_path(d) if d.file else d.url,
                "load_status": _load_status(d),
            }
            for d in distributions
        ],
        "problems": services.publish_problems(dataset),
        "quality": _quality(dataset),
        "history": selectors.version_history(dataset, limit=20),
        "distribution_form": forms.DistributionForm(),
        "license": license_lookup(dataset.license_id),
    }
    return render(request, "catalog/staff/dataset.html", context)


@_publisher_only
@require_POST
def staff_dataset_state(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _own_dataset(request, dataset_id)
    state = request.POST.get("state", "")
    if state not in DatasetState.values:
        messages.error(request, _("Choose publish, withdraw or delete."))
        return redirect("catalog:staff_dataset", dataset.pk)
    try:
        services.dataset_set_state(actor=request.user, dataset=dataset, state=state)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        done = {
            DatasetState.PUBLISHED: _("The dataset is published."),
            DatasetState.DRAFT: _("The dataset is back to draft; the public no longer sees it."),
            DatasetState.DELETED: _("The dataset is deleted."),
        }
        messages.success(request, done[DatasetState(state)])
    return redirect("catalog:staff_dataset", dataset.pk)


@_publisher_only
@require_http_methods(["GET", "POST"])
def staff_distribution_new(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _own_dataset(request, dataset_id)
    form = forms.DistributionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            services.distribution_create(
                actor=request.user,
                dataset=dataset,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                url=form.cleaned_data["url"] or "",
                upload=upload,
                upload_name=upload.name if upload else "",
                upload_size=upload.size if upload else None,
                format=form.cleaned_data["format"],
            )
        except services.MetadataError as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The file is added."))
            return redirect("catalog:staff_dataset", dataset.pk)
    return render(request, "catalog/staff/distribution.html", {"form": form, "dataset": dataset})


@_publisher_only
@require_POST
def staff_distribution_delete(
    request: HttpRequest, dataset_id: uuid.UUID, resource_id: uuid.UUID
) -> HttpResponse:
    dataset = _own_dataset(request, dataset_id)
    distribution = dataset.distributions.filter(pk=resource_id).first()
    if distribution is None:
        raise Http404(_("There is no such file in this dataset."))
    services.distribution_delete(actor=request.user, distribution=distribution)
    messages.success(request, _("The file is removed."))
    return redirect("catalog:staff_dataset", dataset.pk)
