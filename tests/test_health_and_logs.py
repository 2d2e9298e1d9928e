from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
from django.test import Client

from cityhall.core.logging import JsonFormatter, request_id_var
from cityhall.notifications.services import email_queue

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_reports_database_and_queue() -> None:
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["tasks"]["ok"] is True
    assert body["tasks"]["waiting"] == 0
    assert body["tasks"]["oldest_waiting_age_seconds"] is None


def test_healthz_reports_the_age_of_the_oldest_waiting_task() -> None:
    email_queue(to="a@example.org", subject="s", body_text="b", purpose="test")
    body = Client().get("/healthz").json()
    assert body["tasks"]["waiting"] == 1
    assert body["tasks"]["oldest_waiting_age_seconds"] >= 0


def test_healthz_answers_503_when_the_database_is_down() -> None:
    with mock.patch("cityhall.core.health.connection.cursor", side_effect=OSError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"vendor": mock.ANY, "ok": False, "error": "OSError"}


def test_the_api_health_endpoint_matches() -> None:
    body = Client().get("/api/v1/health").json()
    assert set(body) == {"status", "database", "tasks"}


def test_log_lines_are_json_with_the_request_id() -> None:
    record = logging.LogRecord("cityhall.x", logging.INFO, __file__, 1, "thing.happened", None, None)
    record.path = "/here"
    token = request_id_var.set("abc123def456")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    parsed = json.loads(line)
    assert parsed["message"] == "thing.happened"
    assert parsed["level"] == "INFO"
    assert parsed["request_id"] == "abc123def456"
    assert parsed["path"] == "/here"


def test_every_response_carries_a_request_id() -> None:
    response = Client().get("/api/v1/ping")
    assert len(response["X-Request-ID"]) >= 8
