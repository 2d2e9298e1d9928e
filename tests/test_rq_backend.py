"""The RQ backend on Redis runs the same task as the database backend does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from cityhall.core.taskqueue import queue_state, run_worker
from cityhall.notifications.contracts import DeliveryStatus
from cityhall.notifications.services import email_queue
from tests.conftest import require_service

RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_email_task_runs_through_rq_on_redis() -> None:
    require_service("Redis", settings.RQ_QUEUES["default"]["URL"], 6379)
    import django_rq

    with override_settings(TASKS=RQ_TASKS, TASKS_BACKEND="rq"):
        django_rq.get_queue("default").empty()
        email = email_queue(to="rq@example.org", subject="Via RQ", body_text="Hi", purpose="test")
        state = queue_state()
        assert (state.backend, state.waiting) == ("rq", 1)
        assert state.oldest_waiting_age_seconds is not None

        run_worker(burst=True)

        email.refresh_from_db()
        assert email.status == DeliveryStatus.SENT
        assert [m.to for m in mail.outbox] == [["rq@example.org"]]
        assert queue_state().waiting == 0
