from __future__ import annotations

import datetime as dt
import uuid

from django_tasks import task

from cityhall.core.schedule import every
from cityhall.notifications import services


@task(queue_name="default")
def email_deliver(email_id: str) -> str:
    return str(services.email_deliver(email_id=uuid.UUID(email_id)))


@task(queue_name="default")
def message_send(message_id: str, channel: str) -> dict[str, int]:
    """Send one batch of a message's deliveries on one channel (queued on "alerts" for alerts)."""
    outcome = services.message_send_batch(message_id=uuid.UUID(message_id), channel=channel)
    return {
        "claimed": outcome.claimed,
        "accepted": outcome.accepted,
        "failed": outcome.failed,
        "retrying": outcome.retrying,
        "released": outcome.released,
    }


@every(dt.timedelta(minutes=1), name="notifications.resume")
@task(queue_name="alerts")
def deliveries_resume() -> int:
    """Every minute: restart sending wherever deliveries are due and no task is on them."""
    return services.deliveries_resume()
