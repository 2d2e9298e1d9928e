"""Reads for the harvest pages and the catalogue endpoints."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments_with_permission
from cityhall.dcat import rules
from cityhall.dcat.contracts import HarvestStatus
from cityhall.dcat.models import HarvestRun, HarvestSource

STALE_RUN = dt.timedelta(hours=6)


def visible_sources(user: Any) -> QuerySet[HarvestSource]:
    """Administrators see every source; a data publisher sees the sources of their departments."""
    sources = HarvestSource.objects.select_related("department").order_by("name")
    if rules.is_administrator(user):
        return sources
    return sources.filter(department_id__in=departments_with_permission(user, Permission.PUBLISH_DATASETS))


def source_for(user: Any, source_id: uuid.UUID) -> HarvestSource | None:
    return visible_sources(user).filter(pk=source_id).first()


def source_runs(source: HarvestSource, *, limit: int = 50) -> list[HarvestRun]:
    return list(source.runs.defer("log").order_by("-started_at")[:limit])


def latest_runs(source_ids: list[uuid.UUID]) -> dict[uuid.UUID, HarvestRun]:
    latest: dict[uuid.UUID, HarvestRun] = {}
    for run in (
        HarvestRun.objects.filter(source_id__in=source_ids)
        .defer("log", "item_errors")
        .order_by("-started_at")
    ):
        latest.setdefault(run.source_id, run)
    return latest


def run_for(user: Any, run_id: uuid.UUID) -> HarvestRun | None:
    run = HarvestRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None or source_for(user, run.source_id) is None:
        return None
    return run


def is_running(source: HarvestSource) -> bool:
    """A run started less than STALE_RUN ago and not finished (an older one crashed with its worker)."""
    return HarvestRun.objects.filter(
        source_id=source.pk, status=HarvestStatus.RUNNING, started_at__gt=timezone.now() - STALE_RUN
    ).exists()
