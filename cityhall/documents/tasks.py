from __future__ import annotations

import datetime as dt

from django_tasks import task

from cityhall.core.schedule import every
from cityhall.documents import services


@every(dt.timedelta(days=1), name="documents-retention")
@task(queue_name="default")
def documents_retention() -> int:
    """Mark documents past their retention period for disposal (audited); idempotent."""
    return services.documents_mark_for_disposal()
