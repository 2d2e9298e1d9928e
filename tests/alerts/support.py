"""Helpers shared by the alerts and notifications tests: the CAP schema, alert input, receivers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from lxml import etree

from cityhall.alerts.services import AlertInput, AreaInput, InfoInput
from cityhall.notifications.signing import SIGNATURE_HEADER, verify_signature, webhook_secret

CAP_XSD = Path(settings.BASE_DIR).parent / "shared" / "standards" / "schemas" / "cap12.xsd"
CAP_XSD_SHA256 = "f6c6ed7537a463968b7b36110f7e8bba1f86ad2257a8b84619d7dce530e57401"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
NS = {"cap": CAP_NS}

# A square on the eastern edge of Riverside (lat, lon), closed.
SQUARE = "47.975,11.005 47.985,11.005 47.985,11.015 47.975,11.015 47.975,11.005"


@functools.lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CAP_XSD)))


def assert_valid_cap(data: bytes) -> etree._Element:
    """Every CAP document the platform produces goes through the OASIS XSD in the tests."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(data, parser)
    schema = cap_schema()
    assert schema.validate(document), str(schema.error_log)
    return document


def texts(language: str = "en", suffix: str = "") -> InfoInput:
    words = {
        "en": (
            "Flood",
            "Flood warning for Riverside",
            "The river is rising fast.",
            "Keep away from the riverbank.",
        ),
        "es": (
            "Inundación",
            "Aviso de inundación en Ribera",
            "El río crece rápido.",
            "Aléjese de la orilla.",
        ),
        "ar": ("فيضان", "تحذير من الفيضان في ضفة النهر", "يرتفع النهر بسرعة.", "ابتعد عن ضفة النهر."),
    }[language]
    return InfoInput(language, words[0], words[1] + suffix, words[2], words[3])


def alert_input(**changes: Any) -> AlertInput:
    base: dict[str, Any] = {
        "categories": ("Met",),
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "response_types": ("Avoid",),
        "expires": timezone.now() + dt.timedelta(days=1),
        "infos": (texts("en"), texts("es")),
        "areas": (AreaInput(district="riverside"),),
    }
    base.update(changes)
    return AlertInput(**base)


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def payload(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class ReceiverState:
    received: list[ReceivedWebhook] = field(default_factory=list)
    delay_seconds: float = 0.0
    status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)


class _WebhookHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if state.delay_seconds:
            time.sleep(state.delay_seconds)
        payload = json.loads(body)
        secret = webhook_secret(payload.get("reference") or payload["id"])
        ok = verify_signature(
            secret=secret, header=self.headers.get(SIGNATURE_HEADER, ""), body=body, now=int(time.time())
        )
        with state.lock:
            state.received.append(ReceivedWebhook(dict(self.headers), body, ok))
        status = state.status if ok else 401
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    state: ReceiverState


class WebhookReceiver:
    """A program that receives the city's webhooks and checks each HMAC signature."""

    def __init__(self) -> None:
        self.server = _ReceiverServer(("127.0.0.1", 0), _WebhookHandler)
        self.server.state = ReceiverState()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def state(self) -> ReceiverState:
        return self.server.state

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def ensure_templates() -> None:
    """The message templates come from a data migration; a transactional test's flush removes them."""
    import importlib

    from django.apps import apps

    from cityhall.notifications.models import NotificationTemplate

    if NotificationTemplate.objects.exists():
        return
    migration = importlib.import_module("cityhall.notifications.migrations.0003_alert_templates")
    migration.add_templates(apps, None)


def subscriber(
    address: str,
    *,
    channel: str = "email",
    language: str = "en",
    kind: str = "city",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
) -> Any:
    """A confirmed subscription, written directly (the opt-in has its own tests)."""
    from cityhall.alerts.models import Subscription
    from cityhall.alerts.services import category_mask
    from cityhall.alerts.targeting import WORLD, circle_box

    box = circle_box(latitude, longitude, radius_km) if kind == "point" else WORLD  # type: ignore[arg-type]
    return Subscription.objects.create(
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        min_latitude=box.min_latitude,
        min_longitude=box.min_longitude,
        max_latitude=box.max_latitude,
        max_longitude=box.max_longitude,
        category_mask=category_mask([]),
        language=language,
        channel=channel,
        address=address,
        status="active",
        confirmed_at=timezone.now(),
    )
