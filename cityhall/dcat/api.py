"""/api/v1/catalog/harvest/: harvest sources, their run reports, "run now", and the metadata quality
of a dataset. For data publishers (their departments) and administrators, with an API token.

No `from __future__ import annotations` here: ninja resolves the string annotations of a view wrapped
by @paginate in the pagination module's globals, where `uuid` is unknown."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from cityhall.catalog import facade as catalog
from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.core.taskqueue import enqueue_on_commit
from cityhall.dcat import facade, rules, selectors, tasks
from cityhall.dcat.models import HarvestRun, HarvestSource

router = Router(tags=["DCAT-AP and harvesting"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _require_harvesting(user: Any) -> None:
    if not rules.can_see_harvesting(user):
        raise ApiError(
            403, "permission_denied", "Only data publishers and administrators can use harvesting."
        )


def _source(user: Any, source_id: uuid.UUID) -> HarvestSource:
    _require_harvesting(user)
    source = selectors.source_for(user, source_id)
    if source is None:
        raise ApiError(404, "not_found", "There is no harvest source with this id that you can see.")
    return source


class SourceOut(Schema):
    id: uuid.UUID
    slug: str
    name: str
    url: str
    source_type: str
    department_id: uuid.UUID
    interval_hours: int
    incremental: bool
    is_active: bool
    last_run_at: dt.datetime | None
    last_success_at: dt.datetime | None


class RunOut(Schema):
    id: uuid.UUID
    source_id: uuid.UUID
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    full: bool
    created: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    error: str
    item_errors: list[dict[str, str]]


class RunQueuedOut(Schema):
    source_id: uuid.UUID
    queued: bool


class QualityMessageOut(Schema):
    severity: str
    path: str
    message: str


class QualityOut(Schema):
    dataset_id: uuid.UUID
    score: int
    conforms: bool
    messages: list[QualityMessageOut]


@router.get("/sources", response={200: list[SourceOut], **ERROR_RESPONSES}, summary="List harvest sources")
@paginate
def source_list(request: HttpRequest) -> Any:
    _require_harvesting(_user(request))
    return selectors.visible_sources(_user(request))


@router.get(
    "/sources/{source_id}/runs",
    response={200: list[RunOut], **ERROR_RESPONSES},
    summary="Run reports of a source",
)
@paginate
def source_runs(request: HttpRequest, source_id: uuid.UUID) -> Any:
    source = _source(_user(request), source_id)
    return HarvestRun.objects.filter(source=source).defer("log").order_by("-started_at")


@router.post(
    "/sources/{source_id}/run",
    response={202: RunQueuedOut, **ERROR_RESPONSES},
    summary="Harvest a source now",
)
def source_run(request: HttpRequest, source_id: uuid.UUID) -> Any:
    user = _user(request)
    source = _source(user, source_id)
    if not rules.can_manage_harvest(user, source.department_id):
        raise ApiError(403, "permission_denied", "Only the department's data publishers can run this source.")
    if selectors.is_running(source):
        raise ApiError(409, "busy", "A harvest of this source is already running. Wait for it to finish.")
    enqueue_on_commit(tasks.harvest_source_run, source_id=str(source.pk), user_id=str(user.pk))
    return Status(202, {"source_id": source.pk, "queued": True})


@router.get(
    "/datasets/{dataset_id}/quality",
    response={200: QualityOut, **ERROR_RESPONSES},
    summary="DCAT-AP metadata quality of a dataset",
)
def dataset_quality(request: HttpRequest, dataset_id: uuid.UUID) -> Any:
    user = _user(request)
    record = catalog.dataset_record(dataset_id)
    if record is None or not rules.can_manage_harvest(user, record.publisher_id):
        raise ApiError(404, "not_found", "There is no dataset with this id that you publish.")
    report = facade.record_quality(record)
    return {
        "dataset_id": record.id,
        "score": report.score,
        "conforms": report.conforms,
        "messages": [m._asdict() for m in report.messages],
    }
