"""Background work for service requests. Each task calls one service and is safe to run twice."""

from __future__ import annotations

import uuid

from django_tasks import task

from cityhall.servicerequests import services


@task(queue_name="default")
def questionnaire_send(request_id: str) -> bool:
    """Ask the reporter of a resolved request whether it is fixed (once per resolution)."""
    return services.service_request_questionnaire_send(request_id=uuid.UUID(request_id))
