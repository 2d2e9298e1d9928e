"""Open311 GeoReport v2: every response checked field by field against the fact sheet
(shared/standards/open311-georeport-v2.md), in XML (element names and order) and JSON (JSON Schema)."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET  # parses only our own server's answers
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from cityhall.servicerequests.contracts import Status
from cityhall.servicerequests.models import ServiceRequest, ServiceType
from cityhall.servicerequests.services import service_request_update
from tests.servicerequests import open311_schemas as schemas
from tests.servicerequests.conftest import OLD_TOWN, pothole_form

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


def as_json(response: Any, schema: dict[str, Any], status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content.decode("utf-8"))
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
    return body


def as_xml(response: Any, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    element = ET.fromstring(response.content)  # noqa: S314 - our own server's answer
    assert element.tag == root
    assert "}" not in element.tag  # no namespace
    return element


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    assert found is not None, f"<{tag}> is missing"
    return found.text


@pytest.fixture
def created(city: Any, pothole: ServiceType, api_key: str, client: Client) -> ServiceRequest:
    response = client.post(
        f"{BASE}/requests.json", pothole_form(api_key, address_string="Calle Mayor 1, Old Town")
    )
    assert response.status_code == 200, response.content
    return ServiceRequest.objects.get()


# --- Discovery ------------------------------------------------------------------------------


def test_discovery_json_has_every_required_field(pothole: ServiceType, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/discovery.json"), schemas.DISCOVERY)
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert body["changeset"] == endpoint["changeset"]
    assert "tokens" in body["key_service"]


def test_discovery_xml_lists_elements_in_order(pothole: ServiceType, client: Client) -> None:
    root = as_xml(client.get(f"{BASE}/discovery.xml"), "discovery")
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_the_changeset_moves_when_a_service_changes(pothole: ServiceType, client: Client) -> None:
    before = json.loads(client.get(f"{BASE}/discovery.json").content)["changeset"]
    pothole.name = "Pothole or crack"
    pothole.save()
    after = json.loads(client.get(f"{BASE}/discovery.json").content)["changeset"]
    assert after > before  # sortable, and it changed


# --- Services -------------------------------------------------------------------------------


def test_services_json(pothole: ServiceType, graffiti: ServiceType, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/services.json"), schemas.SERVICES)
    by_code = {service["service_code"]: service for service in body}
    assert by_code["001"] == {
        "service_code": "001",
        "service_name": "Pothole",
        "description": "Hole in the road surface.",
        "metadata": True,
        "type": "realtime",
        "keywords": "road, hole, tarmac",
        "group": "streets",
    }
    assert by_code["GRAF"]["metadata"] is False  # no questions: no definition to fetch
    assert by_code["GRAF"]["description"] is None  # empty becomes null


def test_services_xml(pothole: ServiceType, client: Client) -> None:
    root = as_xml(client.get(f"{BASE}/services.xml"), "services")
    service = root.find("service")
    assert service is not None
    assert children(service) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert text(service, "service_code") == "001"  # leading zeros kept
    assert text(service, "metadata") == "true"
    assert text(service, "type") == "realtime"


def test_inactive_services_are_not_listed(pothole: ServiceType, client: Client) -> None:
    ServiceType.objects.filter(pk=pothole.pk).update(active=False)
    assert json.loads(client.get(f"{BASE}/services.json").content) == []
    assert client.get(f"{BASE}/services/001.json").status_code == 404


def test_service_definition_json(pothole: ServiceType, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/services/001.json"), schemas.SERVICE_DEFINITION)
    assert body["service_code"] == "001"
    attributes = {attribute["code"]: attribute for attribute in body["attributes"]}
    assert attributes["SIZE"] == {
        "variable": True,
        "code": "SIZE",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "How big is it?",
        "values": [{"key": "S", "name": "Smaller than a plate"}, {"key": "L", "name": "Larger than a plate"}],
    }
    assert "values" not in attributes["DEPTH"]  # only list types carry values
    assert attributes["SAFETY"]["variable"] is False
    assert [a["order"] for a in body["attributes"]] == sorted(a["order"] for a in body["attributes"])
    assert {a["datatype"] for a in body["attributes"]} == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }


def test_service_definition_xml(pothole: ServiceType, client: Client) -> None:
    root = as_xml(client.get(f"{BASE}/services/001.xml"), "service_definition")
    assert children(root) == ["service_code", "attributes"]
    first = root.find("attributes/attribute")
    assert first is not None
    assert children(first) == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert first.find("datatype_description") is not None
    assert text(first, "datatype_description") is None  # <datatype_description/>
    assert [children(value) for value in first.findall("values/value")] == [["key", "name"], ["key", "name"]]


def test_service_names_follow_the_accept_language(pothole: ServiceType, client: Client) -> None:
    ServiceType.objects.filter(pk=pothole.pk).update(name_translations={"es": "Bache"})
    body = json.loads(client.get(f"{BASE}/services.json", headers={"Accept-Language": "es"}).content)
    assert body[0]["service_name"] == "Bache"


# --- POST requests --------------------------------------------------------------------------


def test_post_returns_the_id_at_once_never_a_token(
    city: Any, pothole: ServiceType, api_key: str, client: Client
) -> None:
    body = as_json(client.post(f"{BASE}/requests.json", pothole_form(api_key)), schemas.CREATED)
    stored = ServiceRequest.objects.get()
    assert body == [
        {
            "service_request_id": stored.reference,
            "service_notice": "Inspected within 2 working days.",
            "account_id": None,
        }
    ]


def test_post_xml_answer(city: Any, pothole: ServiceType, api_key: str, client: Client) -> None:
    root = as_xml(client.post(f"{BASE}/requests.xml", pothole_form(api_key)), "service_requests")
    request = root.find("request")
    assert request is not None
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    assert text(request, "service_request_id") == ServiceRequest.objects.get().reference
    assert request.find("token") is None


def test_post_stores_every_field_and_routes_the_request(
    city: Any, pothole: ServiceType, api_key: str, client: Client, resident: Any
) -> None:
    form = pothole_form(
        api_key,
        **{
            "attribute[HAZARDS][]": ["traffic", "cyclists"],
            "attribute[DEPTH]": "7.5",
            "attribute[SEEN]": "2025-03-01T10:15:00+01:00",
            "email": "Ana@Mail.Example",
            "first_name": "Ana",
            "last_name": "García",
            "phone": "+34 600 000 000",
            "device_id": "dev-1",
            "account_id": "acc-9",
            "media_url": "https://photos.example/1.jpg",
            "address_string": "Calle Mayor 1, Old Town",
            "address_id": "A-17",
            "zipcode": "28013",
        },
    )
    assert client.post(f"{BASE}/requests.json", form).status_code == 200
    stored = ServiceRequest.objects.get()
    assert stored.attributes == {
        "SIZE": "L",
        "HAZARDS": ["traffic", "cyclists"],
        "DEPTH": "7.5",
        "SEEN": "2025-03-01T10:15:00+01:00",
    }
    assert (stored.email, stored.first_name, stored.last_name) == ("ana@mail.example", "Ana", "García")
    assert (stored.address, stored.address_id, stored.zipcode) == ("Calle Mayor 1, Old Town", "A-17", "28013")
    assert (stored.latitude, stored.longitude) == OLD_TOWN  # both coordinates and an address: both kept
    assert stored.district is not None and stored.district.slug == "old-town"
    assert stored.department_id == pothole.department_id
    assert stored.channel == "api"
    assert stored.api_token_id is not None  # the key id is logged on every created request
    assert stored.reporter is None  # the key's owner is the client app, not the reporter
    assert stored.expected_at == stored.requested_at + dt.timedelta(hours=48)


# --- GET requests ---------------------------------------------------------------------------


def test_get_requests_json_fields(created: ServiceRequest, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/requests.json"), schemas.REQUESTS)
    assert body == [
        {
            "service_request_id": created.reference,
            "status": "open",
            "status_notes": None,
            "service_name": "Pothole",
            "service_code": "001",
            "description": "Deep hole near the bus stop",
            "agency_responsible": "Roads and Streets",
            "service_notice": "Inspected within 2 working days.",
            "requested_datetime": f"{created.requested_at:%Y-%m-%dT%H:%M:%SZ}",
            "updated_datetime": f"{created.updated_at:%Y-%m-%dT%H:%M:%SZ}",
            "expected_datetime": f"{created.expected_at:%Y-%m-%dT%H:%M:%SZ}",
            "address": "Calle Mayor 1, Old Town",
            "address_id": None,
            "zipcode": None,
            "lat": OLD_TOWN[0],
            "long": OLD_TOWN[1],
            "media_url": None,
        }
    ]
    assert isinstance(body[0]["lat"], float)


def test_get_requests_xml_element_order(created: ServiceRequest, client: Client) -> None:
    root = as_xml(client.get(f"{BASE}/requests.xml"), "service_requests")
    request = root.find("request")
    assert request is not None
    assert children(request) == schemas.REQUEST_FIELDS
    assert text(request, "status_notes") is None
    assert text(request, "lat") == str(OLD_TOWN[0])
    assert text(request, "requested_datetime").endswith("Z")  # type: ignore[union-attr]


def test_get_one_request_is_a_one_element_list(created: ServiceRequest, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/requests/{created.reference}.json"), schemas.REQUESTS)
    assert [item["service_request_id"] for item in body] == [created.reference]
    root = as_xml(client.get(f"{BASE}/requests/{created.reference}.xml"), "service_requests")
    assert len(root.findall("request")) == 1


def test_richer_states_collapse_to_open_and_closed(
    created: ServiceRequest, roads_staff: Any, client: Client
) -> None:
    for status, expected in [
        (Status.ACKNOWLEDGED, "open"),
        (Status.IN_PROGRESS, "open"),
        (Status.SCHEDULED, "open"),
        (Status.RESOLVED, "closed"),
        (Status.CLOSED, "closed"),
        (Status.NOT_RESPONSIBLE, "closed"),
        (Status.SUBMITTED, "open"),
    ]:
        service_request_update(
            actor=roads_staff, request_id=created.pk, status=status, text=f"Now {status.label}."
        )
        item = json.loads(client.get(f"{BASE}/requests/{created.reference}.json").content)[0]
        assert item["status"] == expected
        assert item["status_notes"] == f"Now {status.label}."


def test_nothing_found_is_an_empty_list(pothole: ServiceType, client: Client) -> None:
    assert as_json(client.get(f"{BASE}/requests.json"), schemas.REQUESTS) == []
    root = as_xml(client.get(f"{BASE}/requests.xml"), "service_requests")
    assert list(root) == []


def _request_at(
    pothole: ServiceType, when: dt.datetime, status: Status = Status.SUBMITTED, code: str = ""
) -> ServiceRequest:
    from cityhall.servicerequests.services import new_reference

    return ServiceRequest.objects.create(
        reference=new_reference(),
        service_type=pothole,
        department_id=pothole.department_id,
        status=status,
        latitude=OLD_TOWN[0],
        longitude=OLD_TOWN[1],
        channel="web",
        requested_at=when,
    )


def _ids(response: Any) -> list[str]:
    return [item["service_request_id"] for item in json.loads(response.content)]


def test_default_window_is_the_last_90_days_newest_first(pothole: ServiceType, client: Client) -> None:
    now = timezone.now()
    old = _request_at(pothole, now - dt.timedelta(days=91))
    recent = _request_at(pothole, now - dt.timedelta(days=10))
    newest = _request_at(pothole, now - dt.timedelta(days=1))
    assert _ids(client.get(f"{BASE}/requests.json")) == [newest.reference, recent.reference]
    # service_request_id overrides every other filter, the date window included
    found = client.get(f"{BASE}/requests.json", {"service_request_id": f"{old.reference},{recent.reference}"})
    assert set(_ids(found)) == {old.reference, recent.reference}


def test_filters_by_status_code_and_dates(
    pothole: ServiceType, graffiti: ServiceType, client: Client
) -> None:
    now = timezone.now()
    open_one = _request_at(pothole, now - dt.timedelta(days=5))
    closed_one = _request_at(pothole, now - dt.timedelta(days=4), Status.CLOSED)
    other = _request_at(graffiti, now - dt.timedelta(days=3))
    get = client.get
    assert _ids(get(f"{BASE}/requests.json", {"status": "open"})) == [other.reference, open_one.reference]
    assert _ids(get(f"{BASE}/requests.json", {"status": "closed"})) == [closed_one.reference]
    assert len(_ids(get(f"{BASE}/requests.json", {"status": "open,closed"}))) == 3
    assert _ids(get(f"{BASE}/requests.json", {"service_code": "GRAF"})) == [other.reference]
    assert len(_ids(get(f"{BASE}/requests.json", {"service_code": "GRAF,001"}))) == 3
    start = (now - dt.timedelta(days=4, hours=1)).isoformat()
    end = (now - dt.timedelta(days=3, hours=12)).isoformat()
    assert _ids(get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})) == [
        closed_one.reference
    ]


def test_a_lone_start_or_end_date_spans_90_days(pothole: ServiceType, client: Client) -> None:
    now = timezone.now()
    early = _request_at(pothole, now - dt.timedelta(days=200))
    later = _request_at(pothole, now - dt.timedelta(days=150))
    start = (now - dt.timedelta(days=201)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client.get(f"{BASE}/requests.json", {"start_date": start})) == [
        later.reference,
        early.reference,
    ]
    end = (now - dt.timedelta(days=149)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client.get(f"{BASE}/requests.json", {"end_date": end})) == [later.reference, early.reference]
    too_late = (now - dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client.get(f"{BASE}/requests.json", {"start_date": too_late})) == []


def test_empty_parameters_count_as_absent(created: ServiceRequest, client: Client) -> None:
    response = client.get(
        f"{BASE}/requests.json",
        {
            "status": "",
            "service_code": "",
            "start_date": "",
            "end_date": "",
            "jurisdiction_id": "",
            "page": "",
        },
    )
    assert _ids(response) == [created.reference]


def test_pages_of_requests(pothole: ServiceType, client: Client) -> None:
    now = timezone.now()
    made = [_request_at(pothole, now - dt.timedelta(hours=hours)) for hours in range(1, 6)]
    newest_first = [item.reference for item in made]
    assert _ids(client.get(f"{BASE}/requests.json", {"page_size": 2})) == newest_first[:2]
    assert _ids(client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 3})) == newest_first[4:]
    assert _ids(client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 4})) == []


def test_100_requests_by_default_and_at_most_1000(pothole: ServiceType, client: Client) -> None:
    from cityhall.servicerequests.services import new_reference

    now = timezone.now()
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            reference=new_reference(),
            service_type=pothole,
            department_id=pothole.department_id,
            address="Somewhere",
            channel="web",
            requested_at=now - dt.timedelta(minutes=number),
        )
        for number in range(1005)
    )
    assert len(_ids(client.get(f"{BASE}/requests.json"))) == 100
    assert len(_ids(client.get(f"{BASE}/requests.json", {"page_size": 1000}))) == 1000
    assert len(_ids(client.get(f"{BASE}/requests.json", {"page_size": 1000, "page": 2}))) == 5


def test_the_search_makes_a_bounded_number_of_queries(
    pothole: ServiceType, client: Client, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    for hours in range(30):
        _request_at(pothole, now - dt.timedelta(hours=hours + 1))
    with django_assert_max_num_queries(2):
        response = client.get(f"{BASE}/requests.json", {"service_code": "001", "status": "open"})
    assert len(_ids(response)) == 30


def test_jurisdiction_of_this_city_is_accepted_any_other_is_404(
    created: ServiceRequest, client: Client
) -> None:
    assert client.get(f"{BASE}/requests.json", {"jurisdiction_id": "127.0.0.1"}).status_code == 200
    body = as_json(
        client.get(f"{BASE}/services.json", {"jurisdiction_id": "sfgov.org"}), schemas.ERRORS, status=404
    )
    assert "sfgov.org" in body[0]["description"] and "127.0.0.1" in body[0]["description"]


# --- Tokens and errors ----------------------------------------------------------------------


def test_tokens_are_never_issued_so_any_token_is_404(pothole: ServiceType, client: Client) -> None:
    body = as_json(client.get(f"{BASE}/tokens/t-55.json"), schemas.ERRORS, status=404)
    assert body[0]["code"] == 404
    root = as_xml(client.get(f"{BASE}/tokens/t-55.xml"), "errors", status=404)
    assert children(root) == ["error"]


def test_errors_xml_shape(pothole: ServiceType, client: Client) -> None:
    root = as_xml(client.post(f"{BASE}/requests.xml", {"service_code": "001"}), "errors", status=403)
    error = root.find("error")
    assert error is not None
    assert children(error) == ["code", "description"]
    assert text(error, "code") == "403"


def test_an_unknown_address_or_format_is_a_404_in_the_spec_format(client: Client) -> None:
    as_json(client.get(f"{BASE}/nothing-here.json"), schemas.ERRORS, status=404)
    as_xml(client.get(f"{BASE}/services.html"), "errors", status=404)


def test_a_wrong_method_is_a_400(pothole: ServiceType, client: Client) -> None:
    body = as_json(client.delete(f"{BASE}/requests.json"), schemas.ERRORS, status=400)
    assert "DELETE" in body[0]["description"]


# --- mySociety extension: service request updates -------------------------------------------


def test_update_feed_uses_fixmystreet_status_words(
    created: ServiceRequest, roads_staff: Any, client: Client
) -> None:
    service_request_update(
        actor=roads_staff, request_id=created.pk, status=Status.SCHEDULED, text="Crew booked."
    )
    service_request_update(
        actor=roads_staff, request_id=created.pk, text="Internal only.", visibility="internal"
    )  # type: ignore[arg-type]
    body = as_json(client.get(f"{BASE}/servicerequestupdates.json"), schemas.UPDATES)
    assert [(u["service_request_id"], u["status"], u["description"], u["media_url"]) for u in body] == [
        (created.reference, "action_scheduled", "Crew booked.", "")
    ]
    root = as_xml(client.get(f"{BASE}/servicerequestupdates.xml"), "service_request_updates")
    update = root.find("request_update")
    assert update is not None
    assert children(update) == [
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    ]


def test_a_staff_key_posts_an_update_that_changes_the_status(
    created: ServiceRequest, staff_key: str, client: Client
) -> None:
    form = {
        "api_key": staff_key,
        "service_request_id": created.reference,
        "update_id": "u-981",
        "status": "FIXED",
        "description": "Filled and rolled.",
        "updated_datetime": "2025-03-02T08:00:00+01:00",
    }
    body = json.loads(client.post(f"{BASE}/servicerequestupdates.json", form).content)
    created.refresh_from_db()
    assert created.status == Status.RESOLVED
    assert list(body[0]) == ["update_id"]
    again = json.loads(client.post(f"{BASE}/servicerequestupdates.json", form).content)
    assert again == body  # the client's update_id makes the POST idempotent
    assert created.updates.count() == 1
    root = as_xml(client.post(f"{BASE}/servicerequestupdates.xml", form), "service_request_updates")
    assert text(root.find("request_update"), "update_id") == body[0]["update_id"]  # type: ignore[arg-type]


def test_a_resident_key_can_comment_but_not_change_the_status(
    created: ServiceRequest, api_key: str, client: Client
) -> None:
    form = {
        "api_key": api_key,
        "service_request_id": created.reference,
        "status": "CLOSED",
        "description": "Still there this morning.",
    }
    assert client.post(f"{BASE}/servicerequestupdates.json", form).status_code == 200
    created.refresh_from_db()
    assert created.status == Status.SUBMITTED
    assert created.updates.get().description == "Still there this morning."


def test_an_update_for_an_unknown_request_is_404(pothole: ServiceType, api_key: str, client: Client) -> None:
    form = {
        "api_key": api_key,
        "service_request_id": "NOPE0-NOPE0",
        "status": "OPEN",
        "description": "Hello there.",
    }
    as_json(client.post(f"{BASE}/servicerequestupdates.json", form), schemas.ERRORS, status=404)


def test_head_is_answered_like_get(pothole: ServiceType, client: Client) -> None:
    assert client.head(f"{BASE}/services.json").status_code == 200
    assert client.head(f"{BASE}/discovery.xml").status_code == 200


def test_ids_are_found_whatever_their_case(created: ServiceRequest, client: Client) -> None:
    response = client.get(f"{BASE}/requests.json", {"service_request_id": created.reference.lower()})
    assert [item["service_request_id"] for item in json.loads(response.content)] == [created.reference]
