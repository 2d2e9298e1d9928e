from __future__ import annotations

import uuid

from django_tasks import task

from cityhall.notifications import services


@task(queue_name="default")
def email_deliver(email_id: str) -> str:
    return str(services.email_deliver(email_id=uuid.UUID(email_id)))
