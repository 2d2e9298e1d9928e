"""The staff API end to end: two managers compose, approve, update and cancel; every bad input
answers in the one error shape with the field named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.models import User
from tests.alerts.support import SQUARE, assert_valid_cap

pytestmark = pytest.mark.django_db


def body(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "categories": ["Met"],
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "response_types": ["Prepare"],
        "expires": (timezone.now() + dt.timedelta(hours=12)).isoformat(),
        "infos": [
            {
                "language": "en",
                "event": "Flood",
                "headline": "Flood warning for Riverside",
                "description": "The river is rising.",
                "instruction": "Keep away from the bank.",
            },
        ],
        "areas": [{"district": "riverside"}, {"description": "Banks", "polygons": [SQUARE]}],
    }
    payload.update(changes)
    return payload


@pytest.fixture
def clients(
    city: None, managers: tuple[User, User], api_client: Callable[[User], Client]
) -> tuple[Client, Client]:
    return api_client(managers[0]), api_client(managers[1])


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, content_type="application/json")


def test_two_managers_publish_update_and_cancel_through_the_api(clients: tuple[Client, Client]) -> None:
    author, approver = clients
    created = post(author, "/api/v1/alerts/manage", body())
    assert created.status_code == 201, created.json()
    alert = created.json()
    assert alert["state"] == "draft" and alert["cap_url"] is None

    submitted = post(author, f"/api/v1/alerts/manage/{alert['id']}/submit").json()
    assert submitted["state"] == "pending" and len(submitted["xml_sha256"]) == 64
    document = author.get(f"/api/v1/alerts/manage/{alert['id']}/cap")
    assert document["Content-Type"].startswith("application/cap+xml")
    assert_valid_cap(document.content)

    own = post(author, f"/api/v1/alerts/manage/{alert['id']}/approve", {"sha256": submitted["xml_sha256"]})
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_alert"

    approved = post(
        approver, f"/api/v1/alerts/manage/{alert['id']}/approve", {"sha256": submitted["xml_sha256"]}
    )
    assert approved.status_code == 200 and approved.json()["state"] == "published"
    assert Client().get(f"/api/v1/alerts/{alert['id']}").status_code == 200

    update = post(approver, f"/api/v1/alerts/manage/{alert['id']}/update")
    assert update.status_code == 201 and update.json()["msg_type"] == "Update"
    changed = approver.put(
        f"/api/v1/alerts/manage/{update.json()['id']}",
        body(severity="Extreme", urgency="Immediate"),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["severity"] == "Extreme"
    post(approver, f"/api/v1/alerts/manage/{update.json()['id']}/submit")
    published = post(author, f"/api/v1/alerts/manage/{update.json()['id']}/approve").json()
    assert published["references"].count(",") == 2

    cancel = post(author, f"/api/v1/alerts/manage/{alert['id']}/cancel", {"reason": "The river fell."})
    assert cancel.status_code == 201 and cancel.json()["state"] == "pending"
    done = post(approver, f"/api/v1/alerts/manage/{cancel.json()['id']}/approve").json()
    assert done["msg_type"] == "Cancel" and done["state"] == "published"
    assert len(done["references"].split()) == 2
    assert Client().get("/api/v1/alerts/").json()["count"] == 0  # nothing in force any more


@pytest.mark.parametrize(
    ("area", "field", "words"),
    [
        (
            {"description": "x", "polygons": ["47.9,11.0 48.0,11.0 48.0,11.1 47.9,11.1"]},
            "areas.0.polygons.0",
            "not closed",
        ),
        (
            {"description": "x", "polygons": ["47.9,11.0 48.0,11.0 47.9,11.0"]},
            "areas.0.polygons.0",
            "at least 4",
        ),
        (
            {"description": "x", "polygons": ["95,11.0 48.0,11.0 48.0,11.1 95,11.0"]},
            "areas.0.polygons.0",
            "out of range",
        ),
        ({"description": "x", "circles": ["47.9,-190 3"]}, "areas.0.circles.0", "out of range"),
        ({"district": "atlantis"}, "areas.0.district", "no district"),
    ],
)
def test_bad_areas_answer_400_naming_the_field(
    clients: tuple[Client, Client], area: dict[str, Any], field: str, words: str
) -> None:
    response = post(clients[0], "/api/v1/alerts/manage", body(areas=[area]))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_alert"
    assert words in error["message"]
    located = {item["location"]: item["message"] for item in error["fields"]}
    assert words in located[f"body.payload.{field}"]
    assert clients[0].get("/api/v1/alerts/manage").json()["count"] == 0


def test_an_expiry_before_the_effective_time_answers_400(clients: tuple[Client, Client]) -> None:
    start = timezone.now() + dt.timedelta(hours=3)
    response = post(
        clients[0],
        "/api/v1/alerts/manage",
        body(effective=start.isoformat(), expires=(start - dt.timedelta(hours=1)).isoformat()),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["location"] == "body.payload.expires"


def test_publishing_without_approval_answers_400(clients: tuple[Client, Client]) -> None:
    author, approver = clients
    alert = post(author, "/api/v1/alerts/manage", body()).json()
    post(author, f"/api/v1/alerts/manage/{alert['id']}/submit")
    response = post(approver, f"/api/v1/alerts/manage/{alert['id']}/publish")
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_approved"
    assert Client().get(f"/api/v1/alerts/{alert['id']}").status_code == 404


def test_the_staff_list_costs_a_bounded_number_of_queries(
    clients: tuple[Client, Client], django_assert_max_num_queries: Any
) -> None:
    for number in range(4):
        payload = body()
        payload["infos"][0]["headline"] = f"Flood warning {number}"
        post(clients[0], "/api/v1/alerts/manage", payload)
    with django_assert_max_num_queries(12):
        response = clients[0].get("/api/v1/alerts/manage")
    assert response.json()["count"] == 4


def test_the_delivery_report_is_empty_before_any_fanout(clients: tuple[Client, Client]) -> None:
    alert = post(clients[0], "/api/v1/alerts/manage", body()).json()
    report = clients[0].get(f"/api/v1/alerts/manage/{alert['id']}/deliveries").json()
    assert report["total"] == 0 and report["message_id"] is None
