from __future__ import annotations

import datetime as dt

from django_tasks import task

from cityhall.core.schedule import every
from cityhall.decisions import services


@every(dt.timedelta(days=1), name="decisions.open-data")
@task()
def decisions_open_data_publish() -> bool:
    """Daily: refresh the decisions dataset in the open-data catalog (a no-op until the catalog takes it)."""
    return services.open_data_publish(actor=None)
