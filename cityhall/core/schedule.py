"""Periodic tasks: modules register a task and an interval; `cityhall scheduler` enqueues it when due.

Several schedulers (one per machine) may run: the due check locks a row per schedule, so each run
is enqueued once. The tasks themselves are idempotent anyway.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from cityhall.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    task: Any
    every: dt.timedelta


_schedules: dict[str, Schedule] = {}


def every(interval: dt.timedelta, *, name: str) -> Any:
    """Decorator for a django-tasks task: run it every `interval`."""

    def register(task: Any) -> Any:
        _schedules[name] = Schedule(name=name, task=task, every=interval)
        return task

    return register


def schedules() -> list[Schedule]:
    autodiscover_modules("tasks")
    return sorted(_schedules.values(), key=lambda s: s.name)


def schedule_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every schedule that is due; returns the names enqueued."""
    now = now or timezone.now()
    started = []
    for schedule in schedules():
        with transaction.atomic():
            run, _ = ScheduledRun.objects.select_for_update().get_or_create(name=schedule.name)
            if run.last_enqueued_at is not None and now - run.last_enqueued_at < schedule.every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(schedule.task.enqueue)
        started.append(schedule.name)
        logger.info("schedule.enqueued", extra={"schedule": schedule.name})
    return started
