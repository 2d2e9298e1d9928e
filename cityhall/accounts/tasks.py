from __future__ import annotations

import datetime as dt

from django_tasks import task

from cityhall.core.audit import Actor, audit_record
from cityhall.core.personal_data import apply_retention
from cityhall.core.schedule import every


@every(dt.timedelta(days=1), name="personal-data-retention")
@task(queue_name="default")
def personal_data_retention() -> int:
    """Delete or blank personal data past its declared retention; idempotent."""
    results = apply_retention()
    if results:
        audit_record(
            actor=Actor.system("retention"),
            action="personal_data.retention",
            object_type="personal_data",
            data={f"{r.model}.{r.field}": {"rows": r.rows, "action": str(r.action)} for r in results},
        )
    return sum(r.rows for r in results)
