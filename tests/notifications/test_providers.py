"""Providers against real local servers: the HTTP SMS gateway, signed webhooks, SMTP headers."""

from __future__ import annotations

import socket
import time
import uuid
from typing import Any

import pytest
from django.core import mail

from cityhall.notifications.contracts import Channel, NotificationStatus
from cityhall.notifications.providers import (
    EmailProvider,
    FailureKind,
    HttpSmsGateway,
    Outgoing,
    ProviderError,
    WebhookProvider,
    check_webhook_address,
    gateway_status,
)
from cityhall.notifications.signing import signature_header, verify_signature, webhook_secret
from cityhall.notifications.testgateway import LocalSmsGateway
from tests.alerts.support import WebhookReceiver


def outgoing(channel: Channel, address: str, **changes: Any) -> Outgoing:
    values: dict[str, Any] = {
        "delivery_id": uuid.uuid4(),
        "channel": channel,
        "address": address,
        "subject": "Flood warning",
        "body": "Keep away from the riverbank.",
        "template_key": "alert",
        "reference": "subscription:1",
        "unsubscribe_url": "https://aldermere.example/alerts/subscriptions/unsubscribe/t/",
    }
    values.update(changes)
    return Outgoing(**values)


def test_the_gateway_adapter_sends_and_the_gateway_deduplicates_on_the_reference() -> None:
    with LocalSmsGateway(token="secret-token") as gateway:
        provider = HttpSmsGateway(gateway.url, "secret-token", 2, "CITY")
        message = outgoing(Channel.SMS, "+4915112345678")
        first = provider.send(message)
        again = provider.send(message)
        provider.close()
        assert (
            first.status == NotificationStatus.SENT and first.provider_message_id == again.provider_message_id
        )
        assert gateway.state.requests == 2 and len(gateway.accepted) == 1 and gateway.state.duplicates == 1
        assert gateway.accepted[str(message.delivery_id)]["sender"] == "CITY"


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retry_after"),
    [
        (429, {"Retry-After": "7"}, FailureKind.RATE_LIMITED, 7.0),
        (500, {}, FailureKind.TECHNICAL, None),
        (503, {}, FailureKind.TECHNICAL, None),
        (400, {}, FailureKind.PERMANENT, None),
        (401, {}, FailureKind.PERMANENT, None),
    ],
)
def test_gateway_answers_map_to_retry_or_stop(
    status: int, headers: dict[str, str], kind: FailureKind, retry_after: float | None
) -> None:
    with LocalSmsGateway() as gateway:
        gateway.script((status, headers))
        provider = HttpSmsGateway(gateway.url, "", 2, "CITY")
        with pytest.raises(ProviderError) as error:
            provider.send(outgoing(Channel.SMS, "+4915112345678"))
        provider.close()
    assert error.value.kind == kind and error.value.retry_after == retry_after


def test_an_unreachable_gateway_is_a_technical_failure() -> None:
    provider = HttpSmsGateway("http://127.0.0.1:9/messages", "", 1, "CITY")
    with pytest.raises(ProviderError) as error:
        provider.send(outgoing(Channel.SMS, "+4915112345678"))
    assert error.value.kind == FailureKind.TECHNICAL and error.value.code == "connection_failed"


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("delivered", NotificationStatus.DELIVERED),
        ("sent", NotificationStatus.SENT),
        ("accepted", NotificationStatus.SENDING),
        ("pending", NotificationStatus.PENDING),
        ("undeliverable", NotificationStatus.PERMANENT_FAILURE),
        ("expired", NotificationStatus.TEMPORARY_FAILURE),
        ("failed", NotificationStatus.TECHNICAL_FAILURE),
        ("blue", None),
    ],
)
def test_one_mapping_from_gateway_words_to_notify_states(
    word: str, status: NotificationStatus | None
) -> None:
    assert gateway_status(word) == status


def test_webhooks_are_signed_and_the_receiver_can_check_them(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_ALLOW_HTTP = True
    receiver = WebhookReceiver().start()
    try:
        accepted = WebhookProvider(2).send(
            outgoing(Channel.WEBHOOK, receiver.url, data={"headline": "Flood"})
        )
    finally:
        receiver.stop()
    assert accepted.status == NotificationStatus.DELIVERED
    [received] = receiver.state.received
    assert received.signature_ok
    assert received.payload["data"] == {"headline": "Flood"}


def test_a_forged_or_replayed_signature_fails() -> None:
    secret = webhook_secret("subscription:1")
    now = int(time.time())
    header = signature_header(secret=secret, timestamp=now, body=b'{"a":1}')
    assert verify_signature(secret=secret, header=header, body=b'{"a":1}', now=now)
    assert not verify_signature(secret=secret, header=header, body=b'{"a":2}', now=now)
    assert not verify_signature(
        secret=webhook_secret("subscription:2"), header=header, body=b'{"a":1}', now=now
    )
    assert not verify_signature(secret=secret, header=header, body=b'{"a":1}', now=now + 3600)
    assert not verify_signature(secret=secret, header="garbage", body=b"", now=now)


def test_a_webhook_that_does_not_answer_in_time_is_a_technical_failure(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_ALLOW_HTTP = True
    receiver = WebhookReceiver().start()
    receiver.state.delay_seconds = 1.5
    try:
        with pytest.raises(ProviderError) as error:
            WebhookProvider(0.5).send(outgoing(Channel.WEBHOOK, receiver.url))
    finally:
        receiver.stop()
    assert error.value.kind == FailureKind.TECHNICAL and error.value.code == "timeout"
    assert "did not answer within 0.5 seconds" in error.value.message


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.example.org/x", True),
        ("http://hooks.example.org/x", False),
        ("https://127.0.0.1/x", False),
        ("https://10.0.0.5/x", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://user:pw@hooks.example.org/x", False),
    ],
)
def test_webhooks_may_not_reach_private_networks(settings: Any, url: str, allowed: bool) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_ALLOW_HTTP = False
    assert (check_webhook_address(url, resolve=False) == "") is allowed


def test_emails_carry_one_click_unsubscribe_headers() -> None:
    provider = EmailProvider()
    message = outgoing(Channel.EMAIL, "rosa@example.org")
    provider.send(message)
    provider.close()
    [email] = mail.outbox
    assert email.extra_headers["List-Unsubscribe"] == f"<{message.unsubscribe_url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["Message-ID"] == f"<{message.delivery_id}@cityhall>"


def test_a_webhook_connects_to_the_address_it_vetted_so_dns_rebinding_cannot_point_it_inwards(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host name resolves to a public address when checked; a second lookup (a rebinding DNS
    server) would answer 127.0.0.1. The provider must connect to the vetted address, never look again."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_ALLOW_HTTP = False
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    lookups: list[str] = []

    def rebinding_dns(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    connected: list[tuple[str, int]] = []

    def create_connection(target: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        connected.append(target)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    provider = WebhookProvider(timeout=1)
    with pytest.raises(ProviderError) as failure:
        provider.send(outgoing(Channel.WEBHOOK, "https://hooks.example.org/alerts"))
    provider.close()
    assert failure.value.code == "connection_failed"
    assert lookups == ["hooks.example.org"]
    assert connected == [("93.184.216.34", 443)]


def test_a_webhook_host_with_any_private_address_is_refused(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    def mixed_dns(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed_dns)
    with pytest.raises(ProviderError) as failure:
        WebhookProvider(timeout=1).send(outgoing(Channel.WEBHOOK, "https://hooks.example.org/alerts"))
    assert failure.value.code == "address_not_allowed"
