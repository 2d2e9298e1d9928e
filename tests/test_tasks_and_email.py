"""Background work through the real task backend: queued after commit, run by the worker, idempotent."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from cityhall.core.models import AuditEvent
from cityhall.notifications.contracts import DeliveryStatus
from cityhall.notifications.models import OutboundEmail
from cityhall.notifications.services import DeliveryFailedError, email_deliver, email_queue

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = {
    "email": "new.resident@example.org",
    "password1": "a long passphrase of river stones",
    "password2": "a long passphrase of river stones",
}


def test_signup_queues_the_verification_email_and_the_worker_sends_it(
    run_tasks: Callable[[], None],
) -> None:
    response = Client().post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.signup").count() == 1
    queued = OutboundEmail.objects.get(to="new.resident@example.org")
    assert queued.status == DeliveryStatus.QUEUED
    assert mail.outbox == []

    run_tasks()

    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_delivering_the_same_email_twice_sends_it_once() -> None:
    email = email_queue(to="a@example.org", subject="Hello", body_text="Hi", purpose="test")
    assert email_deliver(email_id=email.pk) == DeliveryStatus.SENT
    assert email_deliver(email_id=email.pk) == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_raised_for_a_retry() -> None:
    email = email_queue(to="a@example.org", subject="Hello", body_text="Hi", purpose="test")
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("refused")),
        pytest.raises(DeliveryFailedError),
    ):
        email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED
    assert "refused" in email.last_error
    assert email_deliver(email_id=email.pk) == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_failed_send_schedules_a_later_attempt_with_backoff(run_tasks: Callable[[], None]) -> None:
    email = email_queue(to="a@example.org", subject="Hello", body_text="Hi", purpose="test")
    run_tasks()  # the first, successful-by-default run is not what we test: start from a failure
    OutboundEmail.objects.filter(pk=email.pk).update(status=DeliveryStatus.QUEUED, sent_at=None)
    mail.outbox.clear()
    before = deferred_attempts()
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")),
        pytest.raises(DeliveryFailedError),
    ):
        email_deliver(email_id=email.pk)
    assert deferred_attempts() == before + 1
    run_tasks()  # the retry is not due yet: nothing is sent now
    assert mail.outbox == []


def deferred_attempts() -> int:
    """Tasks waiting for a future time, on whichever backend is configured."""
    from django.conf import settings
    from django.utils import timezone

    if settings.TASKS_BACKEND == "rq":
        import django_rq
        from rq.registry import ScheduledJobRegistry

        return ScheduledJobRegistry(queue=django_rq.get_queue("default")).count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(run_after__gt=timezone.now()).count()


def test_no_email_is_queued_for_work_that_rolled_back(run_tasks: Callable[[], None]) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        email_queue(to="a@example.org", subject="Hello", body_text="Hi", purpose="test")
        raise RuntimeError("abandoned")
    run_tasks()
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    run_tasks: Callable[[], None],
) -> None:
    import re

    from tests.factories import UserFactory

    user = UserFactory(email="forgetful@example.org")
    client = Client()
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    run_tasks()
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new_password = "a brand new passphrase for the river"
    done = client.post(form_page.request["PATH_INFO"], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_signing_out_ends_the_session() -> None:
    from tests.factories import UserFactory

    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
