"""Background work of the operating model. Each task calls one service and is idempotent."""

from __future__ import annotations

import uuid

from django.db import transaction
from django_tasks import task

from cityhall.operating.models import Benefit, ComputedFrom
from cityhall.operating.services import benefit_sync_from_indicator


@task(queue_name="default")
def benefits_sync_from_indicator(indicator_id: str) -> int:
    """Recompute the measurements of the benefits computed from this indicator."""
    changed = 0
    benefits = Benefit.objects.filter(
        indicator_id=uuid.UUID(indicator_id), computed_from=ComputedFrom.INDICATOR
    )
    for benefit_id in benefits.values_list("pk", flat=True):
        with transaction.atomic():
            benefit = Benefit.objects.select_for_update().get(pk=benefit_id)
            changed += benefit_sync_from_indicator(benefit=benefit)
    return changed
