"""/api/v1/servicerequests/: the platform's JSON API for service requests (error shape, pagination,
query counts, staff endpoints)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.servicerequests.contracts import Status
from cityhall.servicerequests.models import ServiceRequest, ServiceType
from cityhall.servicerequests.services import new_reference
from tests.factories import DepartmentFactory
from tests.servicerequests.conftest import OLD_TOWN

pytestmark = pytest.mark.django_db
API = "/api/v1/servicerequests"
PERSONAL = {"email", "first_name", "last_name", "phone", "device_id", "account_id", "reporter"}


def make_requests(service_type: ServiceType, count: int, **fields: Any) -> list[ServiceRequest]:
    now = timezone.now()
    fields.setdefault("channel", "web")
    return ServiceRequest.objects.bulk_create(
        ServiceRequest(
            reference=new_reference(),
            service_type=service_type,
            department_id=service_type.department_id,
            latitude=OLD_TOWN[0],
            longitude=OLD_TOWN[1],
            email=f"person{n}@example.org",
            first_name="Secret",
            requested_at=now - dt.timedelta(minutes=n),
            **fields,
        )
        for n in range(count)
    )


def test_service_types_and_their_questions(pothole: ServiceType, client: Client) -> None:
    listing = client.get(f"{API}/service-types").json()
    assert listing["count"] == 1
    assert listing["items"][0]["code"] == "001"
    detail = client.get(f"{API}/service-types/001").json()
    assert [a["code"] for a in detail["attributes"]][:2] == ["SIZE", "DEPTH"]
    missing = client.get(f"{API}/service-types/999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_public_list_pages_without_personal_data(
    city: Any, pothole: ServiceType, client: Client, django_assert_max_num_queries: Any
) -> None:
    make_requests(pothole, 30)
    with django_assert_max_num_queries(2):
        page = client.get(f"{API}/requests", {"page_size": 10, "page": 2}).json()
    assert (page["count"], len(page["items"]), page["page"]) == (30, 10, 2)
    assert page["next"] and page["previous"]
    for item in page["items"]:
        assert not PERSONAL & set(item)
    assert "Secret" not in str(page) and "example.org" not in str(page)


def test_the_query_count_does_not_grow_with_the_page(
    city: Any, pothole: ServiceType, client: Client, django_assert_max_num_queries: Any
) -> None:
    make_requests(pothole, 120)
    with django_assert_max_num_queries(2):
        assert len(client.get(f"{API}/requests", {"page_size": 100}).json()["items"]) == 100


def test_one_request_and_filters(city: Any, pothole: ServiceType, client: Client) -> None:
    [open_one] = make_requests(pothole, 1)
    [closed] = make_requests(pothole, 1, status=Status.CLOSED)
    assert (
        client.get(f"{API}/requests/{open_one.reference.lower()}").json()["service_request_id"]
        == open_one.reference
    )
    assert [
        i["service_request_id"] for i in client.get(f"{API}/requests", {"status": "closed"}).json()["items"]
    ] == [closed.reference]
    assert client.get(f"{API}/requests/AAAAA-BBBBB").status_code == 404


def test_reporting_needs_a_token_and_checks_input(
    city: Any, pothole: ServiceType, client: Client, api_client: Callable[[User], Client], resident: User
) -> None:
    body = {"service_code": "001", "lat": OLD_TOWN[0], "long": OLD_TOWN[1], "attributes": {"SIZE": "L"}}
    assert client.post(f"{API}/requests", body, content_type="application/json").status_code == 401
    authorised = api_client(resident)
    bad = authorised.post(
        f"{API}/requests", {**body, "attributes": {"SIZE": "XL"}, "lat": 95}, content_type="application/json"
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert {field["location"] for field in error["fields"]} == {"lat", "attribute[SIZE]"}
    assert not ServiceRequest.objects.exists()
    created = authorised.post(f"{API}/requests", body, content_type="application/json")
    assert created.status_code == 201
    stored = ServiceRequest.objects.get()
    assert (stored.reporter_id, stored.channel) == (resident.pk, "api")
    unknown = authorised.post(
        f"{API}/requests", {**body, "service_code": "999"}, content_type="application/json"
    )
    assert unknown.status_code == 404


def test_the_staff_queue(
    city: Any,
    pothole: ServiceType,
    api_client: Callable[[User], Client],
    roads_staff: User,
    resident: User,
    django_assert_max_num_queries: Any,
) -> None:
    make_requests(pothole, 25)
    other_type = ServiceType.objects.create(code="X", name="Other", department=DepartmentFactory())
    make_requests(other_type, 5)
    staff = api_client(roads_staff)
    with django_assert_max_num_queries(6):
        page = staff.get(f"{API}/queue", {"page_size": 50}).json()
    assert page["count"] == 25  # only their department's
    assert api_client(resident).get(f"{API}/queue").status_code == 403


def test_staff_update_assign_and_bulk(
    city: Any,
    pothole: ServiceType,
    api_client: Callable[[User], Client],
    roads_staff: User,
    resident: User,
) -> None:
    first, second = make_requests(pothole, 2)
    staff = api_client(roads_staff)
    response = staff.post(
        f"{API}/requests/{first.reference}/updates",
        {"status": "in_progress", "text": "On it."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status_changed"] is True
    note = staff.post(
        f"{API}/requests/{first.reference}/updates",
        {"text": "Call back", "internal": True},
        content_type="application/json",
    )
    assert note.json()["visibility"] == "internal"
    assign = staff.post(
        f"{API}/requests/{first.reference}/assign",
        {"assignee_id": str(roads_staff.pk)},
        content_type="application/json",
    )
    assert assign.json()["assigned_to"] == roads_staff.get_full_name()
    bulk = staff.post(
        f"{API}/bulk",
        {
            "service_request_ids": [first.reference, second.reference],
            "status": "scheduled",
            "text": "Thursday.",
        },
        content_type="application/json",
    )
    assert bulk.json() == {"updated": 2}
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {"scheduled"}
    refused = api_client(resident).post(
        f"{API}/requests/{first.reference}/updates", {"status": "closed"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_channel_figures_for_staff(
    city: Any, pothole: ServiceType, api_client: Callable[[User], Client], roads_staff: User, make_user: Any
) -> None:
    make_requests(pothole, 3)
    make_requests(pothole, 2, channel="phone")
    rows = {row["channel"]: row["requests"] for row in api_client(roads_staff).get(f"{API}/channels").json()}
    assert rows == {"web": 3, "api": 0, "assisted": 0, "phone": 2}
    moderator = make_user(Role.MODERATOR, DepartmentFactory())
    assert api_client(moderator).get(f"{API}/channels").status_code == 403
