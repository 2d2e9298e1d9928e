from __future__ import annotations

import uuid
from typing import Any

from django_tasks import task
from django_tasks.base import Task

from cityhall.alerts import services


@task(queue_name="alerts")
def alert_fanout(alert_id: str) -> dict[str, int] | None:
    """Target the subscribers of a published alert and plan their deliveries (idempotent)."""
    result = services.alert_fanout(alert_id=uuid.UUID(alert_id))
    if result is None:
        return None
    return {"targeted": result.targeted, "planned": result.planned, "send_tasks": result.send_tasks}


def urgent(task_: Task[Any, Any]) -> Task[Any, Any]:
    """Ahead of routine work: RQ serves the "alerts" queue first; the database queue needs a priority."""
    return task_.using(priority=50) if task_.get_backend().supports_priority else task_
