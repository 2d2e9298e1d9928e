"""Open requests of the same type within 50 m (one indexed query), and idempotent creation."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityhall.accounts.models import User
from cityhall.servicerequests import selectors
from cityhall.servicerequests.contracts import Channel, Status
from cityhall.servicerequests.models import ServiceRequest, ServiceType
from cityhall.servicerequests.services import (
    ServiceRequestDraft,
    new_reference,
    service_request_create,
)
from cityhall.servicerequests.validation import InvalidRequestError
from tests.conftest import require_service
from tests.servicerequests.conftest import NORTH_30_M, NORTH_80_M, OLD_TOWN, pothole_form

METRES_PER_DEGREE = 111_320


def at(
    service_type: ServiceType, lat: float, long: float, status: Status = Status.SUBMITTED
) -> ServiceRequest:
    return ServiceRequest.objects.create(
        reference=new_reference(),
        service_type=service_type,
        department_id=service_type.department_id,
        status=status,
        latitude=lat,
        longitude=long,
        channel="web",
    )


# --- Nearby ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_open_requests_of_the_same_type_within_50_m(pothole: ServiceType, graffiti: ServiceType) -> None:
    near = at(pothole, *NORTH_30_M)
    edge = at(pothole, OLD_TOWN[0] + 49 / METRES_PER_DEGREE, OLD_TOWN[1])
    at(pothole, OLD_TOWN[0] + 51 / METRES_PER_DEGREE, OLD_TOWN[1])  # just outside
    at(pothole, *NORTH_80_M)
    at(pothole, *NORTH_30_M, status=Status.RESOLVED)  # closed
    at(graffiti, *NORTH_30_M)  # another type
    found = selectors.nearby_open_requests(
        service_type_id=pothole.pk, latitude=OLD_TOWN[0], longitude=OLD_TOWN[1], radius_m=50
    )
    assert [item.request for item in found] == [near, edge]
    assert found[0].distance_m == pytest.approx(30, abs=0.5)


@pytest.mark.django_db
def test_east_west_distances_shrink_with_latitude(pothole: ServiceType) -> None:
    import math

    metres_per_degree_long = METRES_PER_DEGREE * math.cos(math.radians(OLD_TOWN[0]))
    inside = at(pothole, OLD_TOWN[0], OLD_TOWN[1] + 45 / metres_per_degree_long)
    at(pothole, OLD_TOWN[0], OLD_TOWN[1] + 55 / metres_per_degree_long)
    found = selectors.nearby_open_requests(
        service_type_id=pothole.pk, latitude=OLD_TOWN[0], longitude=OLD_TOWN[1], radius_m=50
    )
    assert [item.request for item in found] == [inside]


@pytest.mark.django_db
def test_the_nearby_search_is_one_query_with_a_bounding_box_in_sql(pothole: ServiceType) -> None:
    for step in range(20):
        at(pothole, OLD_TOWN[0] + step * 0.001, OLD_TOWN[1])
    with CaptureQueriesContext(connection) as queries:
        found = selectors.nearby_open_requests(
            service_type_id=pothole.pk, latitude=OLD_TOWN[0], longitude=OLD_TOWN[1], radius_m=50
        )
        for item in found:
            list(item.request.photos.all())
    assert len(found) == 1
    assert len(queries) == 2  # the requests, then their photos in one go
    sql = queries[0]["sql"]
    for column in ('"latitude" >=', '"latitude" <=', '"longitude" >=', '"longitude" <='):
        assert column in sql
    assert '"status" IN' in sql  # matches the partial index of open requests


@pytest.mark.django_db
def test_a_radius_of_zero_switches_the_check_off(pothole: ServiceType) -> None:
    at(pothole, *OLD_TOWN)
    assert (
        selectors.nearby_open_requests(
            service_type_id=pothole.pk, latitude=OLD_TOWN[0], longitude=OLD_TOWN[1], radius_m=0
        )
        == []
    )


@pytest.mark.django_db
def test_the_nearby_api(city: Any, pothole: ServiceType, client: Client) -> None:
    near = at(pothole, *NORTH_30_M)
    response = client.get(
        "/api/v1/servicerequests/nearby", {"service_code": "001", "lat": OLD_TOWN[0], "long": OLD_TOWN[1]}
    )
    assert response.status_code == 200
    assert [item["service_request_id"] for item in response.json()] == [near.reference]


# --- Idempotency ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_open311_retries_with_the_same_key_create_one_request(
    city: Any, pothole: ServiceType, api_key: str, client: Client
) -> None:
    first = client.post(
        "/open311/v2/requests.json", pothole_form(api_key), headers={"Idempotency-Key": "k-1"}
    )
    again = client.post(
        "/open311/v2/requests.json", pothole_form(api_key), headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 200
    assert json.loads(first.content) == json.loads(again.content)
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
    other = client.post(
        "/open311/v2/requests.json", pothole_form(api_key), headers={"Idempotency-Key": "k-2"}
    )
    assert json.loads(other.content) != json.loads(first.content)
    assert ServiceRequest.objects.count() == 2


@pytest.mark.django_db
def test_a_key_reused_for_a_different_report_is_refused(
    city: Any, pothole: ServiceType, api_key: str, client: Client
) -> None:
    client.post("/open311/v2/requests.json", pothole_form(api_key), headers={"Idempotency-Key": "k-1"})
    response = client.post(
        "/open311/v2/requests.json",
        pothole_form(api_key, description="Another hole entirely"),
        headers={"Idempotency-Key": "k-1"},
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in json.loads(response.content)[0]["description"]
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_client(
    city: Any, pothole: ServiceType, api_key: str, staff_key: str, client: Client
) -> None:
    client.post("/open311/v2/requests.json", pothole_form(api_key), headers={"Idempotency-Key": "same"})
    client.post("/open311/v2/requests.json", pothole_form(staff_key), headers={"Idempotency-Key": "same"})
    assert ServiceRequest.objects.count() == 2


@pytest.mark.django_db
def test_the_json_api_is_idempotent_too(
    city: Any, pothole: ServiceType, api_client: Callable[[User], Client], resident: User
) -> None:
    client = api_client(resident)
    body = {"service_code": "001", "lat": OLD_TOWN[0], "long": OLD_TOWN[1], "attributes": {"SIZE": "S"}}
    first = client.post(
        "/api/v1/servicerequests/requests",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "a"},
    )
    again = client.post(
        "/api/v1/servicerequests/requests",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "a"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["service_request_id"] == again.json()["service_request_id"]
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_row_with_the_same_key(pothole: ServiceType) -> None:
    from django.db import IntegrityError, transaction

    ServiceRequest.objects.create(
        reference=new_reference(), service_type=pothole, department_id=pothole.department_id,
        address="x", channel="api", idempotency_key="user:1:k",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.create(
            reference=new_reference(), service_type=pothole, department_id=pothole.department_id,
            address="x", channel="api", idempotency_key="user:1:k",
        )  # fmt: skip


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_request_on_postgresql(
    city: Any, pothole: ServiceType, resident: User
) -> None:
    """Eight threads, each with its own database connection, post the same key at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...); SQLite serialises writers anyway")
    require_service("PostgreSQL", "postgres://127.0.0.1:5432", 5432)
    draft = ServiceRequestDraft(
        service_code="001", lat=str(OLD_TOWN[0]), long=str(OLD_TOWN[1]), attributes={"SIZE": "L"}
    )
    barrier = threading.Barrier(8)
    references: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            submission = service_request_create(
                actor=resident, draft=draft, channel=Channel.API, idempotency_key="retry-me"
            )
            references.append(submission.request.reference)
        except BaseException as error:  # collected and re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(references)) == 1 and len(references) == 8
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_different_key_after_an_invalid_attempt_works(
    city: Any, pothole: ServiceType, resident: User
) -> None:
    bad = ServiceRequestDraft(service_code="001", lat="95", long="11")
    with pytest.raises(InvalidRequestError):
        service_request_create(actor=resident, draft=bad, channel=Channel.API, idempotency_key="k")
    good = ServiceRequestDraft(service_code="001", lat="48", long="11", attributes={"SIZE": "S"})
    assert service_request_create(
        actor=resident, draft=good, channel=Channel.API, idempotency_key="k"
    ).created
