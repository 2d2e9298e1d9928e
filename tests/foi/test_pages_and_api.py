"""FOI through HTTP: asking, the requester's actions, the disclosure log, the staff queue, the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.foi import services
from cityhall.foi.models import FoiRequest

pytestmark = pytest.mark.django_db


def test_a_resident_asks_through_the_page(
    requester: User, department: Department, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(requester)
    response = client.post(
        "/foi/ask/",
        {
            "title": "Street light faults",
            "body": "How many street light faults in 2025?",
            "department": str(department.pk),
        },
    )
    request = FoiRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/foi/requests/{request.pk}/"
    assert "Street light faults" in client.get("/foi/mine/").content.decode()


def test_asking_needs_an_account() -> None:
    response = Client().get("/foi/ask/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_empty_request_is_an_error_on_the_page(
    requester: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(requester).post("/foi/ask/", {"title": "x", "body": ""})
    assert response.status_code == 400 and FoiRequest.objects.count() == 0


def test_the_public_page_never_names_the_requester(foi_request: FoiRequest, requester: User) -> None:
    page = Client().get(f"/foi/requests/{foi_request.pk}/").content.decode()
    assert "Tree felling contracts 2025" in page
    assert requester.email not in page and requester.full_name not in page
    log = Client().get("/foi/log/", {"q": "felling"}).content.decode()
    assert foi_request.reference in log and requester.email not in log


def test_an_overdue_request_is_flagged_in_the_log_and_to_staff(
    foi_request: FoiRequest, officer: User, signed_in_client: Callable[[User], Client]
) -> None:
    FoiRequest.objects.filter(pk=foi_request.pk).update(
        sent_on=dt.date(2025, 1, 6), due_on=dt.date(2025, 2, 3), very_late_on=dt.date(2025, 3, 3)
    )
    assert "Very long overdue" in Client().get(f"/foi/requests/{foi_request.pk}/").content.decode()
    staff = signed_in_client(officer).get("/staff/foi/").content.decode()
    assert "1 request is past its deadline." in staff and "2025-02-03 (overdue)" in staff
    api = Client().get("/api/v1/foi/requests", {"state": "overdue"}).json()
    assert (
        api["items"][0]["overdue"] is True
        and api["items"][0]["display_status"] == "waiting_response_very_overdue"
    )


def test_the_requester_withdraws_on_the_page(
    foi_request: FoiRequest, requester: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(requester).post(
        f"/foi/requests/{foi_request.pk}/", {"form": "withdraw", "withdraw-text": ""}
    )
    assert response.status_code == 302
    foi_request.refresh_from_db()
    assert foi_request.state == "user_withdrawn"


def test_someone_else_cannot_act_on_a_request(
    foi_request: FoiRequest, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(make_user()).post(f"/foi/requests/{foi_request.pk}/", {"form": "withdraw"})
    assert response.status_code == 403


def test_staff_answer_on_the_page_and_the_read_is_logged(
    foi_request: FoiRequest, officer: User, signed_in_client: Callable[[User], Client]
) -> None:
    from cityhall.accounts.models import DataAccessLog

    client = signed_in_client(officer)
    assert "asker@example.org" in client.get(f"/staff/foi/{foi_request.pk}/").content.decode()
    assert DataAccessLog.objects.filter(case_reference=foi_request.reference).exists()
    response = client.post(
        f"/staff/foi/{foi_request.pk}/",
        {
            "form": "respond",
            "respond-outcome": "not_held",
            "respond-text": "The city does not hold these contracts.",
        },
    )
    assert response.status_code == 302
    foi_request.refresh_from_db()
    assert foi_request.state == "not_held"


def test_an_invalid_move_on_the_staff_page_is_an_error(
    foi_request: FoiRequest, officer: User, signed_in_client: Callable[[User], Client]
) -> None:
    services.foi_request_respond(actor=officer, request_id=foi_request.pk, outcome="successful", text="Done.")
    response = signed_in_client(officer).post(
        f"/staff/foi/{foi_request.pk}/",
        {"form": "state", "state-state": "vexatious", "state-note": "Too late"},
    )
    assert response.status_code == 400 and "cannot be" in response.content.decode()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.DEPARTMENT_STAFF, Role.MODERATOR])
def test_the_staff_queue_is_for_foi_staff_only(
    role: Role, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(make_user(role)).get("/staff/foi/").status_code == 403


def test_the_api_flow(
    requester: User, officer: User, department: Department, api_client: Callable[[User], Client]
) -> None:
    resident, staff = api_client(requester), api_client(officer)
    filed = resident.post(
        "/api/v1/foi/requests",
        {"title": "Pool budget", "body": "The pool budget 2026.", "department_id": str(department.pk)},
        content_type="application/json",
    )
    assert filed.status_code == 201
    request_id = filed.json()["id"]
    asked = staff.post(
        f"/api/v1/foi/requests/{request_id}/ask-clarification",
        {"text": "Which pool?"},
        content_type="application/json",
    )
    assert asked.json()["state"] == "waiting_clarification"
    clarified = resident.post(
        f"/api/v1/foi/requests/{request_id}/clarify",
        {"text": "The north pool."},
        content_type="application/json",
    )
    assert clarified.json()["state"] == "waiting_response"
    answered = staff.post(
        f"/api/v1/foi/requests/{request_id}/respond",
        {"outcome": "successful", "text": "Attached."},
        content_type="application/json",
    )
    assert (
        answered.json()["state"] == "successful" and answered.json()["requester_email"] == "asker@example.org"
    )
    again = staff.post(
        f"/api/v1/foi/requests/{request_id}/respond",
        {"outcome": "successful", "text": "Again"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_transition"
    public = Client().get(f"/api/v1/foi/requests/{request_id}").json()
    assert "requester_email" not in public and len(public["messages"]) == 4
    assert resident.get("/api/v1/foi/staff/requests").status_code == 403
