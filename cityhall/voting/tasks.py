from __future__ import annotations

import datetime as dt
import uuid

from django_tasks import task

from cityhall.core.schedule import every
from cityhall.voting import services


@every(dt.timedelta(minutes=5), name="voting.seal")
@task()
def seal_due() -> int:
    """Seal every vote whose window has closed: reshuffle its box, count, publish (idempotent)."""
    return services.processes_seal_due()


@task()
def catalog_publish(kind: str, process_id: str) -> str:
    """Publish a sealed vote's results to the open data catalog, when the catalog offers it."""
    return services.catalog_publish(kind=kind, process_id=uuid.UUID(process_id))
