"""Every "bad input" of the issue, through Open311: the spec's error code, a message that says what to
fix, and nothing stored."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from cityhall.accounts.models import ApiToken
from cityhall.accounts.services import api_token_revoke
from cityhall.servicerequests.models import ServiceRequest, ServiceRequestPhoto, ServiceType
from tests.servicerequests import open311_schemas as schemas
from tests.servicerequests.conftest import pothole_form

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def ready(city: Any, pothole: ServiceType) -> None:
    return None


def refused(response: Any, status: int, *words: str) -> list[dict[str, Any]]:
    """The spec's error list with that HTTP status, each description naming what to fix; nothing stored."""
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    jsonschema.validate(body, schemas.ERRORS)
    assert all(error["code"] == status for error in body)
    text = " ".join(error["description"] for error in body)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    assert all(
        error["description"].rstrip().endswith((".", ":", "?")) or "e.g." in error["description"]
        for error in body
    )
    assert ServiceRequest.objects.count() == 0
    assert ServiceRequestPhoto.objects.count() == 0
    return body


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 50, 50)).save(buffer, format="JPEG")
    return buffer.getvalue()


def no_files(media: Path) -> bool:
    return not any(files for _root, _dirs, files in os.walk(media))


# --- Location -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "long", "named"),
    [("91", "11", "lat"), ("-90.5", "11", "lat"), ("48", "180.1", "long"), ("48", "-181", "long")],
)
def test_coordinates_out_of_range(
    ready: None, api_key: str, client: Client, lat: str, long: str, named: str
) -> None:
    refused(client.post(URL, pothole_form(api_key, lat=lat, long=long)), 400, named, "between")


@pytest.mark.parametrize(("given", "missing"), [("lat", "long"), ("long", "lat")])
def test_only_one_coordinate(ready: None, api_key: str, client: Client, given: str, missing: str) -> None:
    form = pothole_form(api_key)
    del form[missing]
    body = refused(client.post(URL, form), 400, given, missing, "both")
    assert len(body) == 1


def test_coordinates_that_are_not_numbers(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, lat="north", long="11")), 400, "lat", "decimal")


def test_no_location_at_all(ready: None, api_key: str, client: Client) -> None:
    form = pothole_form(api_key)
    del form["lat"], form["long"]
    refused(client.post(URL, form), 400, "address_string", "address_id")


# --- Service code and attributes ------------------------------------------------------------


def test_unknown_service_code_is_404(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, service_code="999")), 404, "999", "service list")


def test_missing_service_code(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, service_code="")), 400, "service_code")


def test_a_required_attribute_is_missing(ready: None, api_key: str, client: Client) -> None:
    form = pothole_form(api_key)
    del form["attribute[SIZE]"]
    refused(client.post(URL, form), 400, "attribute[SIZE]", "required", "How big is it?")


def test_a_required_attribute_sent_empty(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, **{"attribute[SIZE]": ""})), 400, "attribute[SIZE]")


@pytest.mark.parametrize(
    ("code", "value", "hint"),
    [
        ("DEPTH", "deep", "number"),
        ("DEPTH", "NaN", "number"),
        ("SEEN", "yesterday", "time zone"),
        ("SEEN", "2025-03-01T10:15:00", "time zone"),  # naive: no zone
        ("NOTE", "two\nlines", "single line"),
    ],
)
def test_an_attribute_of_the_wrong_type(
    ready: None, api_key: str, client: Client, code: str, value: str, hint: str
) -> None:
    refused(
        client.post(URL, pothole_form(api_key, **{f"attribute[{code}]": value})),
        400,
        f"attribute[{code}]",
        hint,
    )


def test_a_value_not_in_the_list(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, **{"attribute[SIZE]": "XL"})), 400, "XL", "S, L")


def test_a_multivalue_with_a_value_not_in_the_list(ready: None, api_key: str, client: Client) -> None:
    form = pothole_form(api_key, **{"attribute[HAZARDS][]": ["traffic", "dragons"]})
    refused(client.post(URL, form), 400, "attribute[HAZARDS]", "dragons", "traffic, cyclists, pedestrians")


def test_two_values_for_a_single_value_list(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, **{"attribute[SIZE]": ["S", "L"]})), 400, "one value")


def test_an_unknown_attribute_code(ready: None, api_key: str, client: Client) -> None:
    refused(
        client.post(URL, pothole_form(api_key, **{"attribute[COLOUR]": "red"})),
        400,
        "attribute[COLOUR]",
        "SIZE",
    )


def test_an_information_only_attribute_takes_no_answer(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, **{"attribute[SAFETY]": "ok"})), 400, "attribute[SAFETY]")


def test_every_problem_is_listed_at_once(ready: None, api_key: str, client: Client) -> None:
    form = pothole_form(api_key, lat="95", description="<b>hi</b>", **{"attribute[SIZE]": "XL"})
    body = refused(client.post(URL, form), 400)
    assert len(body) == 3


# --- Description and photos -----------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "<script>alert(1)</script>",
        "Hole <b>here</b>",
        "see <a href='x'>this</a>",
        "<!-- hidden -->",
        "<img src=x>",
    ],
)
def test_html_in_the_description(ready: None, api_key: str, client: Client, description: str) -> None:
    refused(
        client.post(URL, pothole_form(api_key, description=description)), 400, "description", "plain text"
    )


def test_less_than_signs_in_plain_text_are_fine(ready: None, api_key: str, client: Client) -> None:
    form = pothole_form(api_key, description="Depth < 5 cm, width > 30 cm & growing")
    assert client.post(URL, form).status_code == 200
    assert ServiceRequest.objects.get().description == "Depth < 5 cm, width > 30 cm & growing"


def test_a_description_over_4000_characters(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, description="a" * 4001)), 400, "description", "4000")


@override_settings(SERVICE_REQUEST_PHOTO_MAX_BYTES=1000)
def test_an_oversized_photo(ready: None, api_key: str, client: Client, media: Path) -> None:
    photo = SimpleUploadedFile("big.jpg", jpeg((400, 400)), content_type="image/jpeg")
    refused(client.post(URL, {**pothole_form(api_key), "media": photo}), 400, "big.jpg", "MB")
    assert no_files(media)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
        ("notes.txt", b"hello"),
        ("cut.jpg", jpeg()[:200]),
    ],
)
def test_an_undecodable_photo(
    ready: None, api_key: str, client: Client, media: Path, name: str, content: bytes
) -> None:
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    refused(client.post(URL, {**pothole_form(api_key), "media": photo}), 400, name, "JPEG, PNG or WebP")
    assert no_files(media)


def test_a_photo_of_another_format(ready: None, api_key: str, client: Client) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    photo = SimpleUploadedFile("anim.gif", buffer.getvalue(), content_type="image/gif")
    refused(client.post(URL, {**pothole_form(api_key), "media": photo}), 400, "GIF")


def test_a_bad_media_url(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, media_url="javascript:alert(1)")), 400, "media_url")


def test_a_bad_email(ready: None, api_key: str, client: Client) -> None:
    refused(client.post(URL, pothole_form(api_key, email="not-an-address")), 400, "email")


# --- Keys and bodies ------------------------------------------------------------------------


def test_a_missing_api_key_is_403(ready: None, client: Client) -> None:
    form = pothole_form("")
    refused(client.post(URL, form), 403, "api_key")


def test_a_wrong_api_key_is_403(ready: None, client: Client) -> None:
    refused(client.post(URL, pothole_form("chk_not_a_real_key")), 403, "api_key", "not known")


def test_a_revoked_api_key_is_403(ready: None, api_key: str, client: Client) -> None:
    api_token_revoke(actor=None, token_id=ApiToken.objects.get().pk)
    refused(client.post(URL, pothole_form(api_key)), 403, "revoked")


def test_a_json_body_is_refused(ready: None, api_key: str, client: Client) -> None:
    response = client.post(URL, json.dumps(pothole_form(api_key)), content_type="application/json")
    refused(response, 400, "form-encoded", "application/json")


def test_errors_come_in_xml_too(ready: None, api_key: str, client: Client) -> None:
    response = client.post("/open311/v2/requests.xml", pothole_form(api_key, lat="95"))
    assert response.status_code == 400
    assert b"<errors><error><code>400</code><description>lat is 95" in response.content


@override_settings(OPEN311_POSTS_PER_MINUTE=2)
def test_posts_are_limited_per_key(ready: None, api_key: str, client: Client) -> None:
    assert client.post(URL, pothole_form(api_key)).status_code == 200
    assert client.post(URL, pothole_form(api_key)).status_code == 200
    response = client.post(URL, pothole_form(api_key))
    assert response.status_code == 400
    assert json.loads(response.content)[0]["code"] == 429
    assert ServiceRequest.objects.count() == 2


# --- Searching ------------------------------------------------------------------------------


def _search_refused(client: Client, params: dict[str, str], *words: str) -> None:
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    body = json.loads(response.content)
    jsonschema.validate(body, schemas.ERRORS)
    text = " ".join(error["description"] for error in body)
    for word in words:
        assert word in text


def test_a_date_range_over_90_days(ready: None, client: Client) -> None:
    _search_refused(
        client,
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-04-02T00:00:00Z"},
        "91.0 days",
        "90 days",
    )


def test_exactly_90_days_is_fine(ready: None, client: Client) -> None:
    response = client.get(URL, {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-04-01T00:00:00Z"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start_date": "2025-01-01"}, "start_date"),  # no time, no zone
        ({"end_date": "2025-01-01T00:00:00"}, "end_date"),  # naive
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2025-02-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}, "end_date is before"),
        ({"status": "pending"}, "status"),
        ({"service_code": "999"}, "999"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "-1"}, "page"),
    ],
)
def test_bad_search_parameters(ready: None, client: Client, params: dict[str, str], named: str) -> None:
    _search_refused(client, params, named)
