from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.alerts import services
from cityhall.alerts.models import Alert
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.notifications.testgateway import LocalSmsGateway
from tests.alerts.support import CAP_XSD, WebhookReceiver, alert_input, ensure_templates
from tests.factories import DepartmentFactory


@pytest.fixture(autouse=True)
def _alerts_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.VAR_DIR = tmp_path_factory.mktemp("var")  # development SMS files land here
    settings.CAP_SCHEMA_PATH = str(CAP_XSD)
    settings.CAP_SENDER = "alerts@aldermere.example"
    settings.CITYHALL_BASE_URL = "https://aldermere.example"
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.NOTIFY_RATE_PER_SECOND = {"email": 0, "sms": 0, "webhook": 0}
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 1


@pytest.fixture(autouse=True)
def _templates(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
        ensure_templates()


@pytest.fixture
def city(db: Any) -> None:
    """Aldermere and its six districts (the preset areas)."""
    place_demo_load(lambda line: None)


@pytest.fixture
def emergency_department(db: Any) -> Department:
    return DepartmentFactory(slug="emergency", name="Emergency Management")


@pytest.fixture
def managers(make_user: Callable[..., User], emergency_department: Department) -> tuple[User, User]:
    """Two emergency managers: one writes, the other approves."""
    return (
        make_user(Role.EMERGENCY_MANAGER, emergency_department, full_name="Emma Author"),
        make_user(Role.EMERGENCY_MANAGER, emergency_department, full_name="Omar Approver"),
    )


@pytest.fixture
def publish(city: None, managers: tuple[User, User]) -> Callable[..., Alert]:
    """Write, submit and approve an alert: published by the second manager."""

    def _publish(**changes: Any) -> Alert:
        author, approver = managers
        alert = services.alert_create(actor=author, data=alert_input(**changes))
        services.alert_submit(actor=author, alert_id=alert.pk)
        return services.alert_approve(actor=approver, alert_id=alert.pk)

    return _publish


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[LocalSmsGateway]:
    gateway = LocalSmsGateway(token="gateway-test-token").start()
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = "gateway-test-token"
    yield gateway
    gateway.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
