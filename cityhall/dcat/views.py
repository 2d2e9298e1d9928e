"""Pages: the DCAT-AP catalogue and dataset files, and the staff harvest pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments_with_permission
from cityhall.catalog import facade as catalog
from cityhall.core.errors import ServiceError
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.dcat import facade, rdf, rules, selectors, services, tasks
from cityhall.dcat.forms import HarvestSourceEditForm, HarvestSourceForm

CATALOG_CACHE_SECONDS = 3600

# --- Public RDF ------------------------------------------------------------------------------


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _modified_since(value: str) -> dt.datetime | None:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = dt.datetime.combine(day, dt.time.min)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@require_GET
def catalog_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue, 100 datasets a page (?page=N), with Hydra paging links; ?modified_since=ISO."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return _plain(_("The page parameter must be a whole number from 1."), 400)
    if page < 1:
        return _plain(_("The page parameter must be a whole number from 1."), 400)
    query: dict[str, str] = {}
    since = None
    if request.GET.get("modified_since"):
        try:
            since = _modified_since(request.GET["modified_since"])
        except ValueError:
            return _plain(
                _("modified_since must be an ISO 8601 date or date and time, such as 2024-05-01."), 400
            )
        query["modified_since"] = request.GET["modified_since"]
    size = rdf.PAGE_SIZE
    total, records = catalog.public_dataset_records(
        modified_since=since, offset=(page - 1) * size, limit=size
    )
    if page > 1 and not records:
        return _plain(_("There is no page %(page)s of the catalogue.") % {"page": page}, 404)
    url = f"{rdf.base_iri()}/catalog.{fmt}"
    title = _("%(city)s open data") % {"city": settings.CITY_NAME}
    # Serialising is the slow part (rdflib's Turtle writer); the records are cheap to load, so the
    # cache key is a digest of exactly what would be written: any change is a new key.
    digest = hashlib.sha256(repr((fmt, url, page, size, total, query, title, records)).encode()).hexdigest()
    key = f"dcat:catalog:{digest}"
    body = cache.get(key)
    if body is None:
        graph = rdf.catalog_graph(
            records,
            page=rdf.CatalogPage(url=url, page=page, page_size=size, total=total, query=query),
            title=title,
            description=_("The datasets published by %(city)s.") % {"city": settings.CITY_NAME},
        )
        body = rdf.serialize(graph, fmt)
        cache.set(key, body, CATALOG_CACHE_SECONDS)
    response = HttpResponse(body, content_type=f"{rdf.FORMATS[fmt][1]}; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def dataset_rdf(request: HttpRequest, dataset_id: uuid.UUID, fmt: str) -> HttpResponse:
    return facade.dataset_rdf_response(request, dataset_id, fmt)


@require_GET
def dataset_rdf_by_name(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return facade.dataset_rdf_response(request, name, fmt)


# --- Staff -----------------------------------------------------------------------------------


def _staff(
    check: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _department_ids(user: Any) -> frozenset[uuid.UUID] | None:
    return (
        None
        if rules.is_administrator(user)
        else departments_with_permission(user, Permission.PUBLISH_DATASETS)
    )


@_staff(rules.can_see_harvesting)
@require_http_methods(["GET", "POST"])
def staff_sources(request: HttpRequest) -> HttpResponse:
    form = HarvestSourceForm(request.POST or None, department_ids=_department_ids(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source = services.harvest_source_create(
                actor=request.user,
                name=data["name"],
                url=data["url"],
                source_type=data["source_type"],
                department_id=data["department"],
                interval_hours=data["interval_hours"],
                incremental=data["incremental"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The source is saved. Run it now to see its first report."))
            return redirect("dcat:staff_source", source.pk)
    sources = list(selectors.visible_sources(request.user))
    latest = selectors.latest_runs([s.pk for s in sources])
    rows = [{"source": s, "latest": latest.get(s.pk)} for s in sources]
    return render(
        request, "dcat/staff/sources.html", {"rows": rows, "form": form}, status=400 if form.errors else 200
    )


@_staff(rules.can_see_harvesting)
@require_http_methods(["GET", "POST"])
def staff_source(request: HttpRequest, source_id: uuid.UUID) -> HttpResponse:
    source = selectors.source_for(request.user, source_id)
    if source is None:
        raise Http404(_("There is no harvest source at this address."))
    initial = {
        "name": source.name,
        "url": source.url,
        "interval_hours": source.interval_hours,
        "incremental": source.incremental,
        "is_active": source.is_active,
    }
    form = HarvestSourceEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.harvest_source_update(actor=request.user, source_id=source.pk, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The source is saved."))
            return redirect("dcat:staff_source", source.pk)
    context = {"source": source, "runs": selectors.source_runs(source), "form": form}
    return render(request, "dcat/staff/source.html", context, status=400 if form.errors else 200)


@_staff(rules.can_see_harvesting)
@require_POST
def staff_source_run(request: HttpRequest, source_id: uuid.UUID) -> HttpResponse:
    source = selectors.source_for(request.user, source_id)
    if source is None:
        raise Http404(_("There is no harvest source at this address."))
    if not rules.can_manage_harvest(request.user, source.department_id):
        raise PermissionDenied
    if selectors.is_running(source):
        messages.error(request, _("A harvest of this source is already running. Wait for it to finish."))
    else:
        enqueue_on_commit(tasks.harvest_source_run, source_id=str(source.pk), user_id=str(request.user.pk))
        messages.success(
            request, _("The harvest has started. Its report appears below when it finishes; reload the page.")
        )
    return redirect("dcat:staff_source", source.pk)


@_staff(rules.can_see_harvesting)
@require_GET
def staff_run(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = selectors.run_for(request.user, run_id)
    if run is None:
        raise Http404(_("There is no harvest report at this address."))
    return render(request, "dcat/staff/run.html", {"run": run, "source": run.source})


@login_required
@require_GET
def staff_quality(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    record = catalog.dataset_record(dataset_id)
    if record is None:
        raise Http404(_("There is no dataset at this address."))
    if not (
        rules.is_administrator(request.user) or rules.can_manage_harvest(request.user, record.publisher_id)
    ):
        raise PermissionDenied
    report = facade.record_quality(record)
    return render(request, "dcat/staff/quality.html", {"record": record, "report": report})
