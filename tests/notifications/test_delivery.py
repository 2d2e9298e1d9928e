"""Fan-out and delivery: one record and one send per recipient, retries with capped backoff,
rate limits, receipts, and what happens when an address or an endpoint does not work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from cityhall.accounts.models import User
from cityhall.alerts import services as alert_services
from cityhall.alerts.contracts import SubscriptionStatus
from cityhall.alerts.models import Alert, Subscription
from cityhall.alerts.services.fanout import message_source
from cityhall.notifications import services
from cityhall.notifications.contracts import Channel, NotificationStatus, Priority, Recipient
from cityhall.notifications.models import Delivery, Message, RateBucket
from cityhall.notifications.testgateway import LocalSmsGateway
from tests.alerts.support import WebhookReceiver, subscriber, texts

pytestmark = pytest.mark.django_db(transaction=True)


def deliveries(alert: Alert) -> Any:
    return Delivery.objects.filter(message__source=message_source(alert.pk))


def test_one_alert_reaches_every_channel_once(
    publish: Callable[..., Alert],
    run_tasks: Callable[[], None],
    sms_gateway: LocalSmsGateway,
    webhook_receiver: WebhookReceiver,
) -> None:
    subscriber("rosa@example.org")
    subscriber("ROSA@example.org ")  # the same person, subscribed twice
    subscriber("+4915100000001", channel="sms", language="ar")
    subscriber(webhook_receiver.url, channel="webhook", language="es")
    alert = publish()
    run_tasks()
    rows = deliveries(alert)
    assert rows.count() == 3
    assert set(rows.values_list("status", flat=True)) <= {
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
    }
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    [sms] = sms_gateway.accepted.values()
    assert "تنبيه" in sms["body"]  # in Arabic
    [hook] = webhook_receiver.state.received
    assert hook.signature_ok and hook.payload["data"]["headline"] == "Aviso de inundación en Ribera"
    assert set(rows.values_list("template_version", flat=True)) == {1}

    # Running the fan-out again plans nothing new and sends nothing new.
    again = alert_services.alert_fanout(alert_id=alert.pk)
    assert again is not None and again.planned == 0
    run_tasks()
    assert rows.count() == 3 and len(mail.outbox) == 1 and len(sms_gateway.accepted) == 1


def test_the_database_refuses_a_second_delivery_of_a_message_to_a_recipient(
    publish: Callable[..., Alert],
) -> None:
    message = Message.objects.create(source="test:1", template_key="alert", priority=Priority.ALERT)
    key = services.recipient_key("email", "rosa@example.org")
    Delivery.objects.create(
        message=message, recipient=key, channel="email", address="rosa@example.org", language="en"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            message=message, recipient=key, channel="email", address="Rosa@example.org", language="en"
        )


def test_an_update_reaches_earlier_recipients_after_their_first_message(
    publish: Callable[..., Alert], managers: tuple[User, User], run_tasks: Callable[[], None]
) -> None:
    author, approver = managers
    subscriber("rosa@example.org")
    alert = publish()
    run_tasks()
    update = alert_services.alert_update_draft(actor=author, alert_id=alert.pk)
    alert_services.alert_submit(actor=author, alert_id=update.pk)
    alert_services.alert_approve(actor=approver, alert_id=update.pk)
    run_tasks()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Aldermere alert", "Aldermere alert UPDATED"]
    assert Message.objects.get(source=message_source(update.pk)).after.source == message_source(alert.pk)


def test_a_cancel_goes_only_to_those_who_got_the_warning(
    publish: Callable[..., Alert], managers: tuple[User, User], run_tasks: Callable[[], None]
) -> None:
    author, approver = managers
    subscriber("early@example.org")
    alert = publish()
    run_tasks()
    subscriber("late@example.org")
    cancel = alert_services.alert_cancel(actor=author, alert_id=alert.pk, reason="The river fell.")
    alert_services.alert_approve(actor=approver, alert_id=cancel.pk)
    run_tasks()
    assert [m.to[0] for m in mail.outbox] == ["early@example.org", "early@example.org"]
    assert "cancelled" in mail.outbox[-1].body


def test_an_unsubscribed_resident_gets_no_follow_up(
    publish: Callable[..., Alert], managers: tuple[User, User], run_tasks: Callable[[], None]
) -> None:
    author, approver = managers
    rosa = subscriber("rosa@example.org")
    alert = publish()
    run_tasks()
    alert_services.subscription_unsubscribe(token=alert_services.unsubscribe_token(rosa.pk))
    cancel = alert_services.alert_cancel(actor=author, alert_id=alert.pk, reason="Over.")
    alert_services.alert_approve(actor=approver, alert_id=cancel.pk)
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_webhook_endpoint_that_times_out_loses_nothing(
    publish: Callable[..., Alert], run_tasks: Callable[[], None], webhook_receiver: WebhookReceiver
) -> None:
    subscriber(webhook_receiver.url, channel="webhook")
    webhook_receiver.state.delay_seconds = 2.0  # the timeout is 1 s in these tests
    alert = publish()
    run_tasks()
    delivery = deliveries(alert).get()
    assert delivery.status == NotificationStatus.CREATED  # waiting for its retry, not lost
    assert delivery.error_code == "timeout" and delivery.attempts == 1
    assert "did not answer within 1 seconds" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()
    assert Alert.objects.get(pk=alert.pk).state == "published"  # nothing else changed

    webhook_receiver.state.delay_seconds = 0
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # the retry is due
    services.message_send_batch(message_id=delivery.message_id, channel="webhook")
    delivery.refresh_from_db()
    assert delivery.status == NotificationStatus.DELIVERED and delivery.attempts == 2
    assert sum(1 for hook in webhook_receiver.state.received if hook.signature_ok) >= 1


def test_retries_back_off_up_to_four_minutes() -> None:
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 5, 7, 8, 20)] == [
        2,
        4,
        8,
        32,
        128,
        240,
        240,
    ]


def test_an_alert_message_is_never_sent_after_it_expires(
    publish: Callable[..., Alert], sms_gateway: LocalSmsGateway
) -> None:
    subscriber("+4915100000002", channel="sms")
    alert = publish()
    alert_services.alert_fanout(alert_id=alert.pk)
    message = Message.objects.get(source=message_source(alert.pk))
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    services.message_send_batch(message_id=message.pk, channel="sms")
    delivery = deliveries(alert).get()
    assert (delivery.status, delivery.error_code) == (NotificationStatus.TEMPORARY_FAILURE, "expired")
    assert sms_gateway.accepted == {}


def test_a_gateway_that_asks_to_slow_down_is_honoured(
    publish: Callable[..., Alert], sms_gateway: LocalSmsGateway
) -> None:
    subscriber("+4915100000003", channel="sms")
    alert = publish()
    alert_services.alert_fanout(alert_id=alert.pk)
    sms_gateway.script((429, {"Retry-After": "30"}))
    message = Message.objects.get(source=message_source(alert.pk))
    outcome = services.message_send_batch(message_id=message.pk, channel="sms")
    delivery = deliveries(alert).get()
    assert outcome.retrying == 1 and delivery.status == NotificationStatus.CREATED
    assert delivery.attempts == 0  # being asked to wait is not a failed attempt
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)


def test_a_number_that_does_not_exist_suspends_its_subscriptions(
    publish: Callable[..., Alert], sms_gateway: LocalSmsGateway
) -> None:
    first = subscriber("+4915100000004", channel="sms")
    second = subscriber(
        "+4915100000004", channel="sms", kind="point", latitude=47.98, longitude=11.0, radius_km=1
    )
    alert = publish()
    alert_services.alert_fanout(alert_id=alert.pk)
    sms_gateway.script((400, {}))
    message = Message.objects.get(source=message_source(alert.pk))
    services.message_send_batch(message_id=message.pk, channel="sms")
    assert deliveries(alert).get().status == NotificationStatus.PERMANENT_FAILURE
    statuses = set(Subscription.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == {SubscriptionStatus.SUSPENDED}


def test_the_token_bucket_limits_each_channel(settings: Any) -> None:
    settings.NOTIFY_RATE_PER_SECOND = {"sms": 5}
    assert services.rate_acquire("sms", 50, max_wait=0) == 10  # the burst: twice the rate
    assert services.rate_acquire("sms", 5, max_wait=0) == 0
    RateBucket.objects.filter(channel="sms").update(refilled_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.rate_acquire("sms", 50, max_wait=0) == 5
    assert services.rate_acquire("email", 1000, max_wait=0) == 1000  # no limit set


def test_rate_limited_sends_wait_for_the_bucket(settings: Any, sms_gateway: LocalSmsGateway) -> None:
    settings.NOTIFY_RATE_PER_SECOND = {"sms": 20}
    recipients = [Recipient(Channel.SMS, f"+49151000001{n:02d}", "en") for n in range(50)]
    result = services.message_fanout(
        source="test:rate", template_key="alert", priority=Priority.ALERT,
        personalisation={"en": {k: "x" for k in ("city", "headline", "url")}},
        recipients=recipients,
    )  # fmt: skip
    started = timezone.now()
    services.message_send_batch(message_id=result.message_id, channel="sms", size=50)
    elapsed = (timezone.now() - started).total_seconds()
    assert len(sms_gateway.accepted) == 50
    assert elapsed >= 0.4  # 40 tokens burst, then 10 more at 20/s


def test_receipts_move_forward_only_and_need_the_token(
    settings: Any, publish: Callable[..., Alert], sms_gateway: LocalSmsGateway
) -> None:
    settings.SMS_GATEWAY_RECEIPT_TOKEN = "receipt-token-123"
    sms_gateway.state.status_word = "accepted"
    subscriber("+4915100000005", channel="sms")
    alert = publish()
    alert_services.alert_fanout(alert_id=alert.pk)
    message = Message.objects.get(source=message_source(alert.pk))
    services.message_send_batch(message_id=message.pk, channel="sms")
    delivery = deliveries(alert).get()
    assert delivery.status == NotificationStatus.SENDING
    client = Client()

    def receipt(status: str, token: str = "receipt-token-123") -> Any:
        return client.post(
            "/api/v1/notifications/receipts/sms",
            {"reference": str(delivery.pk), "status": status},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert receipt("delivered", token="wrong").status_code == 401
    assert receipt("delivered").json() == {"status": "delivered"}
    assert receipt("pending").json() == {"status": "delivered"}  # late and out of order: ignored
    delivery.refresh_from_db()
    assert delivery.status == NotificationStatus.DELIVERED and delivery.completed_at is not None


def test_the_delivery_report_counts_and_times_the_sends(
    publish: Callable[..., Alert], managers: tuple[User, User], run_tasks: Callable[[], None],
    api_client: Callable[[User], Client],
) -> None:  # fmt: skip
    for number in range(3):
        subscriber(f"person{number}@example.org")
    alert = publish(infos=(texts("en"),))
    run_tasks()
    report = api_client(managers[0]).get(f"/api/v1/alerts/manage/{alert.pk}/deliveries").json()
    assert (
        report["total"] == 3 and report["by_status"] == {"sent": 3} and report["by_channel"] == {"email": 3}
    )
    assert report["p95_seconds_to_send"] is not None


def test_transactional_email_still_goes_through_its_outbox(run_tasks: Callable[[], None]) -> None:
    from cityhall.notifications.facade import email_queue

    email_queue(to="a@example.org", subject="Hello", body_text="Hi", purpose="test")
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["Hello"]
