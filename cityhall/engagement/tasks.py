"""Background work for engagement. Each task calls one service and is safe to run twice."""

from __future__ import annotations

import uuid

from django_tasks import task

from cityhall.engagement import services


@task(queue_name="default")
def proposal_qualified_notify(proposal_id: str) -> int:
    """Tell the author and supporters that a proposal reached its threshold (once)."""
    return services.proposal_qualified_notify(proposal_id=uuid.UUID(proposal_id))


@task(queue_name="default")
def proposal_answered_notify(proposal_id: str) -> int:
    """Tell the author and supporters the city's response (once)."""
    return services.proposal_answered_notify(proposal_id=uuid.UUID(proposal_id))


@task(queue_name="default")
def consultation_report_notify(consultation_id: str) -> int:
    """Tell the participants that the "you said, we did" report is published (once)."""
    return services.consultation_report_notify(consultation_id=uuid.UUID(consultation_id))
