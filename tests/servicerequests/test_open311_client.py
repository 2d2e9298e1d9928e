"""A real Open311 client from PyPI (`georeport` 0.3.1) drives the live server, in JSON and in XML.

georeport reads (services, definitions, requests) but cannot create requests, so the reports it reads
are posted over plain HTTP, form-encoded as Open311 clients send them.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from cityhall.servicerequests.models import ServiceType
from tests.servicerequests.conftest import NORTH_80_M, OLD_TOWN, pothole_form

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server: Any) -> str:
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def posted(endpoint: str, city: Any, pothole: ServiceType, graffiti: ServiceType, api_key: str) -> list[str]:
    ids = []
    for lat, long, extra in [
        (OLD_TOWN[0], OLD_TOWN[1], {"attribute[HAZARDS][]": ["traffic", "cyclists"]}),
        (NORTH_80_M[0], NORTH_80_M[1], {"description": "Second hole, near the school"}),
    ]:
        response = requests.post(
            f"{endpoint}/requests.json",
            data=pothole_form(api_key, lat=str(lat), long=str(long), **extra),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        ids.append(response.json()[0]["service_request_id"])
    return ids


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_the_service_list(endpoint: str, pothole: ServiceType, output_format: str) -> None:
    client = GeoReport(endpoint, output_format=output_format)
    services = client.get_service_list()
    service = services if isinstance(services, dict) else services[0]  # xmltodict: one item is a dict
    assert service["service_code"] == "001"
    assert service["service_name"] == "Pothole"
    assert str(service["metadata"]).lower() == "true"
    assert service["type"] == "realtime"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_a_service_definition(
    endpoint: str, pothole: ServiceType, output_format: str
) -> None:
    definition = GeoReport(endpoint, output_format=output_format).get_service_definition("001")
    assert definition["service_code"] == "001"
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if output_format == "xml" else attributes
    size = next(a for a in attributes if a["code"] == "SIZE")
    assert size["datatype"] == "singlevaluelist"
    values = size["values"]["value"] if output_format == "xml" else size["values"]
    assert [v["key"] for v in values] == ["S", "L"]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_searches_and_fetches_requests(
    endpoint: str, posted: list[str], output_format: str
) -> None:
    client = GeoReport(endpoint, output_format=output_format)
    found = client.get_service_requests(service_code="001", status="open")
    found = [found] if isinstance(found, dict) else found
    assert {item["service_request_id"] for item in found} == set(posted)
    one = client.get_service_request(posted[0])
    assert one["service_request_id"] == posted[0]
    assert one["status"] == "open"
    assert one["agency_responsible"] == "Roads and Streets"
    assert float(one["lat"]) == pytest.approx(OLD_TOWN[0])
    several = client.get_service_requests(service_request_id=",".join(posted))
    assert len(several) == 2


def test_georeport_sees_http_errors_for_unknown_things(endpoint: str, pothole: ServiceType) -> None:
    client = GeoReport(endpoint)
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("999")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as raised:
        GeoReport(endpoint, jurisdiction="elsewhere.example").get_service_list()
    assert raised.value.response.status_code == 404


def test_a_jurisdiction_aware_client_works(endpoint: str, posted: list[str]) -> None:
    client = GeoReport(endpoint, jurisdiction="127.0.0.1")
    assert len(client.get_service_requests()) == 2


def test_multipart_post_with_a_photo_strips_its_location(
    endpoint: str, city: Any, pothole: ServiceType, api_key: str, settings: Any, tmp_path: Any
) -> None:
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 0.0, 43.0), 1: "N"}  # GPSInfo
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    assert b"Exif" in buffer.getvalue()[:200]
    response = requests.post(
        f"{endpoint}/requests.json",
        data=pothole_form(api_key),
        files={"media": ("hole.jpg", buffer.getvalue(), "image/jpeg")},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    reference = response.json()[0]["service_request_id"]
    media_url = requests.get(f"{endpoint}/requests/{reference}.json", timeout=10).json()[0]["media_url"]
    assert "/requests/photos/" in media_url
    path = media_url.split("://", 1)[1].split("/", 1)[1]
    photo = requests.get(f"{endpoint.rsplit('/open311', 1)[0]}/{path}", timeout=10)
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.size == (64, 48)
    assert not stored.getexif()
    assert b"Exif" not in photo.content
