from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django_tasks import task

from cityhall.core.schedule import every
from cityhall.dcat import services


@task(queue_name="default")
def harvest_source_run(source_id: str, user_id: str | None = None) -> dict[str, object]:
    """Harvest one source now (started from the staff pages)."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = services.harvest_run(source_id=uuid.UUID(source_id), actor=user, trigger="manual")
    return {"run": str(run.pk), "status": run.status}


@every(dt.timedelta(minutes=15), name="dcat.harvest_due")
@task(queue_name="default")
def harvest_due_sources() -> list[str]:
    """Harvest every active source whose interval has passed; idempotent within the interval."""
    return [str(run_id) for run_id in services.harvest_due()]
