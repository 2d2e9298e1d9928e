"""The notifications tests use the same city, managers, SMS gateway and webhook receiver."""

from tests.alerts.conftest import (  # noqa: F401 - fixtures
    _alerts_settings,
    _templates,
    city,
    emergency_department,
    managers,
    publish,
    sms_gateway,
    webhook_receiver,
)
