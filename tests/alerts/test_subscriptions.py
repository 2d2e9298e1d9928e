"""Subscriptions: by place, point, district or city, on email, SMS or webhook; confirmation before
the first message; a one-click unsubscribe link in every message (RFC 8058 headers for email)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cityhall.alerts import services
from cityhall.alerts.contracts import AreaKind, SubscriptionStatus
from cityhall.alerts.models import Alert, Place, Subscription
from cityhall.alerts.services import SubscriptionInput, SubscriptionInvalidError
from cityhall.core.errors import ServiceError
from cityhall.notifications.models import Delivery
from cityhall.notifications.testgateway import LocalSmsGateway
from tests.alerts.support import WebhookReceiver

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(**changes: Any) -> Subscription:
    data: dict[str, Any] = {
        "channel": "email",
        "address": "rosa@example.org",
        "language": "en",
        "area": "city",
    }
    data.update(changes)
    return services.subscription_create(data=SubscriptionInput(**data)).subscription


def link(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"no {pattern} in {text}"
    return match.group(0).removeprefix("https://aldermere.example")


def test_nothing_is_sent_before_the_resident_confirms(
    city: None, publish: Callable[..., Alert], run_tasks: Callable[[], None]
) -> None:
    subscription = subscribe()
    run_tasks()
    assert [message.subject for message in mail.outbox] == ["Confirm your Aldermere alert subscription"]
    publish()
    run_tasks()
    assert len(mail.outbox) == 1  # still only the confirmation
    assert not Delivery.objects.filter(message__source__startswith="alerts.alert").exists()
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING


def test_confirming_by_the_link_then_alerts_arrive_with_one_click_unsubscribe(
    city: None, publish: Callable[..., Alert], run_tasks: Callable[[], None]
) -> None:
    subscription = subscribe(language="es")
    run_tasks()
    confirmation = mail.outbox[0]
    confirm = link(r"https://aldermere\.example/alerts/subscriptions/confirm/\S+/", confirmation.body)
    client = Client()
    assert client.get(confirm).status_code == 200  # a page with a button: link scanners confirm nothing
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING
    assert client.post(confirm).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE

    publish()
    run_tasks()
    alert_email = mail.outbox[-1]
    assert alert_email.subject == "Alerta de Aldermere: Aviso de inundación en Ribera"  # in Spanish
    unsubscribe = alert_email.extra_headers["List-Unsubscribe"].strip("<>")
    assert alert_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in alert_email.body
    # RFC 8058: the mail client POSTs without a CSRF token, and that is enough.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix("https://aldermere.example"), {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.UNSUBSCRIBED


def test_the_form_subscribes_by_place_name(city: None, run_tasks: Callable[[], None]) -> None:
    Place.objects.create(name="Mill Lane", search_name="mill lane", latitude=47.985, longitude=11.001)
    client = Client()
    page = client.get("/alerts/subscribe/")
    assert page.status_code == 200
    response = client.post(
        "/alerts/subscribe/",
        {
            "channel": "email",
            "address": "Mia@Example.org",
            "language": "en",
            "area": "point",
            "place": "mill",
            "radius_km": "2",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/alerts/subscribe/sent/"
    subscription = Subscription.objects.get()
    assert (subscription.kind, subscription.latitude, subscription.radius_km) == (AreaKind.POINT, 47.985, 2.0)
    assert subscription.address == "mia@example.org" and subscription.place_text == "Mill Lane"
    assert client.get("/alerts/subscribe/sent/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"address": "not-an-address"}, "address", "email address"),
        ({"channel": "sms", "address": "0151 2345"}, "address", "international form"),
        ({"channel": "webhook", "address": "ftp://example.org/hook"}, "address", "https://"),
        ({"area": "district", "district": "atlantis"}, "district", "districts"),
        ({"area": "point", "place": "Nowhere Street"}, "place", "could not find"),
        (
            {"area": "point", "latitude": 48.0, "longitude": 11.0, "radius_km": 80},
            "radius_km",
            "between 0.1 and 50",
        ),
        ({"categories": ("Weather",)}, "categories", "Unknown topics"),
        ({"language": "fr"}, "language", "languages offered"),
    ],
)
def test_bad_subscriptions_name_the_field(
    city: None, changes: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(SubscriptionInvalidError) as error:
        subscribe(**changes)
    found = {problem.location: problem.message for problem in error.value.problems}
    assert words in found[field]
    assert not Subscription.objects.exists()


def test_the_api_answers_a_bad_subscription_with_the_field(city: None) -> None:
    response = Client().post(
        "/api/v1/alerts/subscriptions",
        {"channel": "sms", "address": "12", "area": "city"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["location"] == "body.payload.address"


def test_asking_twice_resends_the_confirmation_and_too_often_is_refused(
    city: None, run_tasks: Callable[[], None]
) -> None:
    first = subscribe()
    assert subscribe().pk == first.pk
    for _ in range(3):
        subscribe()
    with pytest.raises(ServiceError) as error:
        subscribe()
    assert error.value.status == 429
    run_tasks()
    assert len(mail.outbox) == 5


def test_a_webhook_subscriber_confirms_through_the_api_and_gets_signed_alerts(
    city: None,
    publish: Callable[..., Alert],
    run_tasks: Callable[[], None],
    webhook_receiver: WebhookReceiver,
) -> None:
    subscription = subscribe(channel="webhook", address=webhook_receiver.url)
    run_tasks()
    [confirmation] = webhook_receiver.state.received
    assert confirmation.signature_ok
    token = confirmation.payload["data"]["confirm_token"]
    response = Client().post(
        "/api/v1/alerts/subscriptions/confirm", {"token": token}, content_type="application/json"
    )
    assert response.json()["status"] == "active"
    publish()
    run_tasks()
    alert = webhook_receiver.state.received[-1]
    assert alert.signature_ok and alert.payload["type"] == "alert"
    assert alert.payload["data"]["cap_url"].endswith(".cap")
    assert alert.payload["unsubscribe_url"].startswith(
        "https://aldermere.example/alerts/subscriptions/unsubscribe/"
    )
    assert alert.headers["X-Cityhall-Delivery"] == alert.payload["id"]
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE


def test_an_sms_subscriber_gets_a_short_message_with_the_stop_link(
    city: None, publish: Callable[..., Alert], run_tasks: Callable[[], None], sms_gateway: LocalSmsGateway
) -> None:
    subscription = subscribe(channel="sms", address="+49 151 2345 6789")
    run_tasks()
    [confirmation] = sms_gateway.accepted.values()
    assert confirmation["to"] == "+4915123456789" and "/alerts/subscriptions/confirm/" in confirmation["body"]
    services.subscription_confirm(token=services.subscriptions.confirm_token(subscription.pk))
    publish()
    run_tasks()
    texts = [message["body"] for message in sms_gateway.accepted.values()]
    assert texts[-1].startswith("Aldermere ALERT: Flood warning for Riverside.")
    assert "/alerts/subscriptions/unsubscribe/" in texts[-1] and len(texts[-1]) <= 918


def test_a_link_that_was_tampered_with_is_refused(city: None) -> None:
    subscription = subscribe()
    token = services.unsubscribe_token(subscription.pk)
    response = Client().post(f"/alerts/subscriptions/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.PENDING


def test_fan_out_unsubscribe_links_are_the_signed_tokens(city: None) -> None:
    from cityhall.alerts.services.subscriptions import UNSUBSCRIBE_SALT, UnsubscribeLinks

    subscription = subscribe()
    links = UnsubscribeLinks()
    from django.core import signing

    assert links.token(subscription.pk) == signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription.pk))
    assert links.url(subscription.pk) == services.unsubscribe_url(subscription.pk)
