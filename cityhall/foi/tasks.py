from __future__ import annotations

import datetime as dt

from django_tasks import task

from cityhall.core.schedule import every
from cityhall.foi import services


@every(dt.timedelta(days=1), name="foi.overdue")
@task()
def foi_overdue_notify() -> int:
    """Daily: tell FOI staff about requests that went past their deadline (each once per stage)."""
    return services.foi_overdue_notify()
