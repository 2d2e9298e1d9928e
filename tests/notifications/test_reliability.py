"""Reliability: stop the worker in the middle of a fan-out and start it again; every targeted
subscriber ends with exactly one delivery record and one send. Runs on the configured real
worker (the database queue, or RQ with TASKS_BACKEND=rq)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from cityhall.alerts.models import Alert
from cityhall.alerts.services.fanout import message_source
from cityhall.notifications import services
from cityhall.notifications.contracts import NotificationStatus
from cityhall.notifications.models import Delivery, Message
from cityhall.notifications.providers import HttpSmsGateway
from cityhall.notifications.testgateway import LocalSmsGateway
from tests.alerts.support import subscriber

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBERS = 30


class WorkerKilledError(Exception):
    """What the injected fault raises inside a send: the worker is going down."""


class Fault:
    """Fails the n-th call to the SMS gateway adapter, once, before anything reaches the gateway."""

    def __init__(self, at_call: int) -> None:
        self.at_call = at_call
        self.calls = 0
        self.fired = False
        self.original = HttpSmsGateway.send

    def __call__(self, provider: HttpSmsGateway, message: Any) -> Any:
        self.calls += 1
        if self.calls == self.at_call and not self.fired:
            self.fired = True
            raise WorkerKilledError("the worker was stopped mid-batch")
        return self.original(provider, message)


@contextlib.contextmanager
def worker_stops_after(fault: Fault) -> Iterator[None]:
    """Once the fault fired, the real worker process stops (SystemExit out of its loop) after
    finishing the bookkeeping of the task it was running, as a process that is shut down would."""
    if settings.TASKS_BACKEND == "rq":
        from rq import SimpleWorker

        original_rq = SimpleWorker.execute_job

        def execute_job(worker: Any, job: Any, queue: Any) -> Any:
            result = original_rq(worker, job, queue)
            if fault.fired:
                raise SystemExit(1)
            return result

        patch = mock.patch.object(SimpleWorker, "execute_job", execute_job)
    else:
        from django_tasks_db.management.commands.db_worker import Worker

        original_db = Worker.run_task

        def run_task(worker: Any, task_result: Any) -> None:
            original_db(worker, task_result)
            if fault.fired:
                raise SystemExit(1)

        patch = mock.patch.object(Worker, "run_task", run_task)

    def send(provider: HttpSmsGateway, message: Any) -> Any:
        return fault(provider, message)

    with patch, mock.patch.object(HttpSmsGateway, "send", send):
        yield


@pytest.fixture
def small_batches(settings: Any) -> None:
    settings.NOTIFY_BATCH_SIZE = 10
    settings.NOTIFY_SEND_PARALLELISM = 1


def assert_exactly_once(alert: Alert, gateway: LocalSmsGateway) -> None:
    rows = Delivery.objects.filter(message__source=message_source(alert.pk))
    assert rows.count() == SUBSCRIBERS
    per_recipient = rows.values("recipient").annotate(n=Count("id")).filter(n__gt=1)
    assert not per_recipient.exists()
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}
    numbers = sorted(message["to"] for message in gateway.accepted.values())
    assert numbers == sorted(f"+49151000{n:05d}" for n in range(SUBSCRIBERS))
    assert set(gateway.accepted) == {str(pk) for pk in rows.values_list("pk", flat=True)}


def test_a_worker_stopped_mid_batch_resumes_with_one_record_and_one_send_each(
    publish: Callable[..., Alert],
    run_tasks: Callable[[], None],
    sms_gateway: LocalSmsGateway,
    small_batches: None,
) -> None:
    for number in range(SUBSCRIBERS):
        subscriber(f"+49151000{number:05d}", channel="sms")
    alert = publish()
    fault = Fault(at_call=15)  # the middle of the second batch of ten
    with worker_stops_after(fault), pytest.raises(SystemExit):
        run_tasks()
    assert fault.fired
    sent_before = len(sms_gateway.accepted)
    assert 0 < sent_before < SUBSCRIBERS
    rows = Delivery.objects.filter(message__source=message_source(alert.pk))
    assert (
        rows.filter(status=NotificationStatus.SENDING, claimed_until__isnull=False).count() == 0
    )  # handed back

    run_tasks()  # the worker starts again

    assert_exactly_once(alert, sms_gateway)
    assert sms_gateway.state.requests == SUBSCRIBERS  # no message went to the gateway twice


def test_a_worker_killed_without_a_word_leaves_a_claim_that_runs_out(
    publish: Callable[..., Alert],
    run_tasks: Callable[[], None],
    sms_gateway: LocalSmsGateway,
    small_batches: None,
) -> None:
    for number in range(SUBSCRIBERS):
        subscriber(f"+49151000{number:05d}", channel="sms")
    alert = publish()
    from cityhall.alerts.services import alert_fanout

    alert_fanout(alert_id=alert.pk)
    message = Message.objects.get(source=message_source(alert.pk))
    # A worker claims a batch, sends three of them, and dies (SIGKILL): no status is written.
    claimed = services._claim(message, "sms", 10, timezone.now())
    gateway = HttpSmsGateway(sms_gateway.url, "gateway-test-token", 2, "CITY")
    for delivery in Delivery.objects.filter(pk__in=claimed[:3]):
        gateway.send(
            services.Outgoing(
                delivery_id=delivery.pk, channel="sms", address=delivery.address, subject="",  # type: ignore[arg-type]
                body="Aldermere ALERT", template_key="alert",
            )
        )  # fmt: skip
    gateway.close()
    # Its claim runs out.
    Delivery.objects.filter(pk__in=claimed).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))

    run_tasks()

    assert_exactly_once(alert, sms_gateway)
    # The three were sent again with the same reference: the gateway recognised them.
    assert sms_gateway.state.duplicates == 3


def test_the_safety_net_restarts_sending_where_no_task_is_left(
    publish: Callable[..., Alert], run_tasks: Callable[[], None], sms_gateway: LocalSmsGateway
) -> None:
    for number in range(SUBSCRIBERS):
        subscriber(f"+49151000{number:05d}", channel="sms")
    alert = publish()
    with mock.patch.object(services, "_enqueue_send"):  # the fan-out runs, its send tasks are lost
        run_tasks()
    assert sms_gateway.accepted == {}
    assert Delivery.objects.filter(status=NotificationStatus.CREATED).count() == SUBSCRIBERS
    assert services.deliveries_resume() == 1
    run_tasks()
    assert_exactly_once(alert, sms_gateway)
