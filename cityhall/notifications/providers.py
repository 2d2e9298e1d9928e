"""Channel providers: SMTP email, an HTTP SMS gateway, signed webhooks. Pluggable per channel.

A provider sends one message and answers what happened: accepted (with the provider's id and
status) or a ProviderError saying whether trying again can help.
"""

from __future__ import annotations

import enum
import http.client
import ipaddress
import json
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from cityhall.notifications.contracts import Channel, NotificationStatus
from cityhall.notifications.mail import build_email
from cityhall.notifications.signing import DELIVERY_HEADER, SIGNATURE_HEADER, signature_header, webhook_secret


class FailureKind(enum.StrEnum):
    PERMANENT = "permanent"  # the address does not work: stop using it
    TECHNICAL = "technical"  # the provider or the network failed: safe to try again
    RATE_LIMITED = "rate_limited"  # the provider asked us to slow down: not the recipient's fault


class ProviderError(Exception):
    def __init__(
        self, message: str, *, kind: FailureKind, code: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Outgoing:
    delivery_id: uuid.UUID
    channel: Channel
    address: str
    subject: str
    body: str
    template_key: str
    reference: str = ""
    unsubscribe_url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Accepted:
    status: NotificationStatus
    provider_message_id: str = ""


class Provider(Protocol):
    name: str

    def send(self, message: Outgoing) -> Accepted: ...

    def close(self) -> None: ...


# --- HTTP with connection reuse -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection that, when given a pinned address, connects there instead of resolving."""

    pinned_address = ""

    def connect(self) -> None:
        if not self.pinned_address:
            super().connect()
            return
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a pinned address; the TLS handshake and certificate check still use the host name."""

    pinned_address = ""

    def connect(self) -> None:
        if not self.pinned_address:
            super().connect()
            return
        raw = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class HttpClient:
    """Plain http.client with one kept-alive connection per host: no extra dependency, no pool magic."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._connections: dict[tuple[str, str, int, str], http.client.HTTPConnection] = {}

    def post(self, url: str, body: bytes, headers: dict[str, str], *, address: str = "") -> HttpAnswer:
        """POST to the URL. With `address`, connect to that IP only (still speaking TLS to and checking
        the certificate of the URL's host): the address vetted before is the one used, so a DNS answer
        that changes between the check and the connection cannot point the request inwards."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ProviderError(
                f"{url} is not an http(s) address.", kind=FailureKind.PERMANENT, code="bad_url"
            )
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port, address)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        reused = key in self._connections
        for attempt in (1, 2):
            connection = self._connection(key)
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except TimeoutError as error:
                self._drop(key)
                raise ProviderError(
                    f"{parts.hostname} did not answer within {self.timeout:g} seconds.",
                    kind=FailureKind.TECHNICAL,
                    code="timeout",
                ) from error
            except (OSError, http.client.HTTPException) as error:
                self._drop(key)
                # A kept-alive connection the server closed while idle: one fresh try is safe.
                if reused and attempt == 1:
                    continue
                raise ProviderError(
                    f"Could not reach {parts.hostname}: {error.__class__.__name__}.",
                    kind=FailureKind.TECHNICAL,
                    code="connection_failed",
                ) from error
            if response.will_close:
                self._drop(key)
            return HttpAnswer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self, key: tuple[str, str, int, str]) -> http.client.HTTPConnection:
        if key not in self._connections:
            scheme, host, port, address = key
            connection: http.client.HTTPConnection
            if scheme == "https":
                connection = _PinnedHTTPSConnection(host, port, timeout=self.timeout)
            else:
                connection = _PinnedHTTPConnection(host, port, timeout=self.timeout)
            connection.pinned_address = address
            self._connections[key] = connection
        return self._connections[key]

    def _drop(self, key: tuple[str, str, int, str]) -> None:
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)


def _retry_after(answer: HttpAnswer) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("retry-after", "")))
    except ValueError:
        return None


def _http_failure(answer: HttpAnswer, what: str) -> ProviderError:
    """4xx (except 408 and 429) is final; 408, 429 and 5xx are worth another try."""
    if answer.status == 429:
        return ProviderError(
            f"{what} asked us to slow down (HTTP 429).",
            kind=FailureKind.RATE_LIMITED,
            code="rate_limited",
            retry_after=_retry_after(answer),
        )
    if 400 <= answer.status < 500 and answer.status != 408:
        return ProviderError(
            f"{what} refused the message (HTTP {answer.status}).",
            kind=FailureKind.PERMANENT,
            code=f"http_{answer.status}",
        )
    return ProviderError(
        f"{what} failed (HTTP {answer.status}).", kind=FailureKind.TECHNICAL, code=f"http_{answer.status}"
    )


# --- Email ----------------------------------------------------------------------------------


class EmailProvider:
    """SMTP (or whatever EMAIL_BACKEND says) through Django's mail, one connection per batch."""

    name = "email"

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: Outgoing) -> Accepted:
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()
        email = build_email(
            to=message.address,
            subject=message.subject,
            body_text=message.body,
            message_id=str(message.delivery_id),
            unsubscribe_url=message.unsubscribe_url,
        )
        email.connection = self._connection
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise ProviderError(
                "The mail server refused the address.", kind=FailureKind.PERMANENT, code="address_refused"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise ProviderError(
                f"The mail server failed: {error.__class__.__name__}.",
                kind=FailureKind.TECHNICAL,
                code="smtp_error",
            ) from error
        # SMTP gives no delivery receipt: handed over is as far as we can know.
        return Accepted(NotificationStatus.SENT, provider_message_id=f"<{message.delivery_id}@cityhall>")

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


# --- SMS ------------------------------------------------------------------------------------

GATEWAY_STATUSES = {
    "delivered": NotificationStatus.DELIVERED,
    "sent": NotificationStatus.SENT,
    "accepted": NotificationStatus.SENDING,
    "queued": NotificationStatus.SENDING,
    "sending": NotificationStatus.SENDING,
    "pending": NotificationStatus.PENDING,
    "failed": NotificationStatus.TECHNICAL_FAILURE,
    "undeliverable": NotificationStatus.PERMANENT_FAILURE,
    "expired": NotificationStatus.TEMPORARY_FAILURE,
}


def gateway_status(value: str) -> NotificationStatus | None:
    """The one mapping from the SMS gateway's words to Notify's states (receipts use it too)."""
    return GATEWAY_STATUSES.get(value.strip().lower())


class HttpSmsGateway:
    """An HTTP SMS gateway: POST JSON {to, body, reference, sender} with a bearer token.

    The answer is {"id": ..., "status": ...}. `reference` is the delivery id, so a gateway that
    deduplicates on it never sends a retried message twice.
    """

    name = "sms-http"

    def __init__(self, url: str, token: str, timeout: float, sender: str) -> None:
        self.url = url
        self.token = token
        self.sender = sender
        self.http = HttpClient(timeout)

    def send(self, message: Outgoing) -> Accepted:
        body = json.dumps(
            {
                "to": message.address,
                "body": message.body,
                "reference": str(message.delivery_id),
                "sender": self.sender,
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        answer = self.http.post(self.url, body, headers)
        if answer.status not in (200, 201, 202):
            raise _http_failure(answer, "The SMS gateway")
        try:
            reply = json.loads(answer.body or b"{}")
        except ValueError:
            reply = {}
        status = gateway_status(str(reply.get("status", "accepted"))) or NotificationStatus.SENDING
        if status == NotificationStatus.PERMANENT_FAILURE:
            raise ProviderError(
                "The SMS gateway cannot reach this number.", kind=FailureKind.PERMANENT, code="undeliverable"
            )
        return Accepted(status, provider_message_id=str(reply.get("id", ""))[:200])

    def close(self) -> None:
        self.http.close()


class FileSms:
    """Development: each SMS is written as a JSON file to var/sms/, as emails go to var/mail/."""

    name = "sms-file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: Outgoing) -> Accepted:
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"to": message.address, "body": message.body, "reference": str(message.delivery_id)}
        (self.directory / f"{message.delivery_id}.json").write_text(json.dumps(record, ensure_ascii=False))
        return Accepted(NotificationStatus.SENT, provider_message_id=str(message.delivery_id))

    def close(self) -> None:
        return None


# --- Webhooks -------------------------------------------------------------------------------


def check_webhook_address(url: str, *, resolve: bool) -> str:
    """'' when the city may POST to this URL; else why not. Private networks are off limits (SSRF)."""
    return vet_webhook_address(url, resolve=resolve)[0]


def vet_webhook_address(url: str, *, resolve: bool) -> tuple[str, str]:
    """(problem, address): why the city may not POST to this URL ('' when it may), and the public IP
    address to connect to ('' when any may be used: private addresses allowed, or not resolved)."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        return "A webhook address must start with https:// and name a host.", ""
    if parts.username or parts.password:
        return "A webhook address must not contain a user name or password.", ""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return "", ""
    public = "A webhook address must be on the public internet."
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None:
        return ("", str(literal)) if literal.is_global else (public, "")
    if not resolve:
        return "", ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        return "The webhook's host name does not resolve.", ""
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or any(not ipaddress.ip_address(address).is_global for address in addresses):
        return public, ""
    return "", addresses[0]


class WebhookProvider:
    """POST the message as JSON, signed with HMAC-SHA256 (see signing.py), with a short timeout."""

    name = "webhook"

    def __init__(self, timeout: float) -> None:
        self.http = HttpClient(timeout)

    def send(self, message: Outgoing) -> Accepted:
        problem, address = vet_webhook_address(message.address, resolve=True)
        if problem:
            code = "unresolvable" if "resolve" in problem else "address_not_allowed"
            kind = FailureKind.TECHNICAL if code == "unresolvable" else FailureKind.PERMANENT
            raise ProviderError(problem, kind=kind, code=code)
        payload = {
            "id": str(message.delivery_id),
            "type": message.template_key,
            "reference": message.reference,
            "text": message.body,
            "data": message.data,
            "unsubscribe_url": message.unsubscribe_url,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        secret = webhook_secret(message.reference or str(message.delivery_id))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Cityhall-Webhooks/1",
            DELIVERY_HEADER: str(message.delivery_id),
            SIGNATURE_HEADER: signature_header(secret=secret, timestamp=int(time.time()), body=body),
        }
        answer = self.http.post(message.address, body, headers, address=address)
        if not 200 <= answer.status < 300:
            raise _http_failure(answer, "The webhook endpoint")
        return Accepted(NotificationStatus.DELIVERED, provider_message_id=str(message.delivery_id))

    def close(self) -> None:
        self.http.close()


def provider_for(channel: str) -> Provider:
    """The configured provider of a channel. NOTIFY_PROVIDERS may name another class per channel."""
    custom = getattr(settings, "NOTIFY_PROVIDERS", {}).get(channel)
    if custom:
        provider: Provider = import_string(custom)()
        return provider
    timeout = float(settings.NOTIFY_HTTP_TIMEOUT_SECONDS)
    if channel == Channel.EMAIL:
        return EmailProvider()
    if channel == Channel.SMS:
        if settings.SMS_GATEWAY_URL:
            return HttpSmsGateway(
                settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN, timeout, settings.SMS_SENDER_ID
            )
        return FileSms(Path(settings.VAR_DIR) / "sms")
    if channel == Channel.WEBHOOK:
        return WebhookProvider(timeout)
    raise ValueError(f"No provider for channel {channel!r}.")
