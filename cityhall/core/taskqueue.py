"""Glue around Django's Tasks API: enqueue after commit, queue state, and running the worker.

One API (django-tasks) with two backends: the database (django-tasks-db, the default) and RQ on
Redis (django-tasks-rq). Nothing here knows which task it runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    """Start a task once the surrounding transaction commits (never for rolled-back work)."""
    transaction.on_commit(partial(task.enqueue, **kwargs))


@dataclass(frozen=True, slots=True)
class QueueState:
    backend: str
    waiting: int
    oldest_waiting_age_seconds: float | None


def queue_state() -> QueueState:
    backend = settings.TASKS_BACKEND
    if backend == "database":
        return _database_queue_state()
    if backend == "rq":
        return _rq_queue_state()
    return QueueState(backend=backend, waiting=0, oldest_waiting_age_seconds=None)


def _age(enqueued_at: dt.datetime | None) -> float | None:
    if enqueued_at is None:
        return None
    if timezone.is_naive(enqueued_at):
        enqueued_at = enqueued_at.replace(tzinfo=dt.UTC)
    return max(0.0, round((timezone.now() - enqueued_at).total_seconds(), 3))


def _database_queue_state() -> QueueState:
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    summary = DBTaskResult.objects.ready().aggregate(waiting=Count("id"), oldest=Min("enqueued_at"))
    return QueueState("database", summary["waiting"], _age(summary["oldest"]))


def _rq_queue_state() -> QueueState:
    import django_rq

    waiting = 0
    oldest: dt.datetime | None = None
    for name in settings.TASKS["default"].get("QUEUES", ["default"]):
        queue = django_rq.get_queue(name)
        waiting += queue.count
        first = queue.get_job_ids(0, 1)
        if first:
            job = queue.fetch_job(first[0])
            if job is not None and job.enqueued_at and (oldest is None or job.enqueued_at < oldest):
                oldest = job.enqueued_at
    return QueueState("rq", waiting, _age(oldest))


def run_worker(*, burst: bool, queues: list[str] | None = None) -> None:
    """Run the configured backend's worker; with burst=True, stop when the queue is empty."""
    names = queues or list(settings.TASKS["default"].get("QUEUES", ["default"]))
    backend = settings.TASKS_BACKEND
    if backend == "database":
        from django_tasks.utils import get_random_id
        from django_tasks_db.management.commands.db_worker import Worker

        Worker(
            queue_names=names,
            interval=0.5,
            batch=burst,
            backend_name="default",
            startup_delay=not burst,
            max_tasks=None,
            worker_id=get_random_id(),
            excluded_queue_names=[],
        ).run()
    elif backend == "rq":
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker
        from rq import Worker as ForkingWorker

        worker_class = SimpleWorker if burst else ForkingWorker
        worker = worker_class(
            [django_rq.get_queue(name, job_class=Job) for name in names],
            connection=django_rq.get_connection(names[0]),
            job_class=Job,
        )
        worker.work(burst=burst, with_scheduler=not burst)
    else:
        # The immediate backend runs tasks as they are enqueued: there is nothing to wait for.
        return


def backend_name() -> str:
    return type(default_task_backend).__name__
