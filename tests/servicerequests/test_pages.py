"""The report pages (without JavaScript), the public list and request pages (no personal data), and the
staff queue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.core.models import AuditEvent
from cityhall.servicerequests.contracts import Status
from cityhall.servicerequests.models import ServiceRequest, ServiceType
from cityhall.servicerequests.services import ServiceRequestDraft, new_reference, service_request_create
from tests.factories import DepartmentFactory
from tests.servicerequests.conftest import NORTH_30_M, OLD_TOWN

pytestmark = pytest.mark.django_db


def form_data(**extra: Any) -> dict[str, Any]:
    data = {
        "lat": str(OLD_TOWN[0]),
        "long": str(OLD_TOWN[1]),
        "address_string": "",
        "description": "Hole by the school gate",
        "attribute__SIZE": "L",
        "email": "walker@example.org",
        "first_name": "Wanda",
        "submission_key": "abc123",
    }
    data.update(extra)
    return data


def existing(pothole: ServiceType, lat: float, long: float, **fields: Any) -> ServiceRequest:
    return ServiceRequest.objects.create(
        reference=new_reference(),
        service_type=pothole,
        department_id=pothole.department_id,
        latitude=lat,
        longitude=long,
        channel=fields.pop("channel", "web"),
        description=fields.pop("description", "Already reported hole"),
        **fields,
    )


# --- Reporting ------------------------------------------------------------------------------


def test_choose_a_kind_of_problem(pothole: ServiceType, graffiti: ServiceType, client: Client) -> None:
    page = client.get("/report/").content.decode()
    assert 'href="/report/001/"' in page and 'href="/report/GRAF/"' in page


def test_step_one_asks_where_and_works_as_a_get_form(pothole: ServiceType, client: Client) -> None:
    page = client.get("/report/001/").content.decode()
    assert "Step 1 of 2" in page
    assert '<form method="get"' in page
    assert 'name="lat"' in page and 'name="address_string"' in page
    assert "<script" not in page  # no map without a tile server


def test_nearby_open_reports_of_the_same_type_are_shown_before_reporting(
    city: Any, pothole: ServiceType, graffiti: ServiceType, client: Client
) -> None:
    near = existing(pothole, *NORTH_30_M, description="The big hole near the school")
    existing(pothole, OLD_TOWN[0] + 0.01, OLD_TOWN[1])  # about 1 km away
    existing(graffiti, *NORTH_30_M)
    page = client.get("/report/001/", {"lat": OLD_TOWN[0], "long": OLD_TOWN[1]}).content.decode()
    assert "Already reported nearby" in page
    assert near.reference in page and "The big hole near the school" in page
    assert page.count("This is my problem: follow it") == 1
    assert f'action="/requests/{near.reference}/follow/"' in page
    assert "Step 2 of 2" in page
    assert f'value="{OLD_TOWN[0]}"' in page  # the place carries over


def test_no_nearby_reports_says_so(city: Any, pothole: ServiceType, client: Client) -> None:
    page = client.get("/report/001/", {"lat": OLD_TOWN[0], "long": OLD_TOWN[1]}).content.decode()
    assert "No open report of this kind is close" in page


def test_follow_instead_of_reporting_again(
    city: Any, pothole: ServiceType, resident: User, signed_in_client: Any
) -> None:
    near = existing(pothole, *NORTH_30_M)
    response = signed_in_client(resident).post(f"/requests/{near.reference}/follow/")
    assert response.status_code == 302
    assert near.followers.get().user_id == resident.pk
    assert ServiceRequest.objects.count() == 1


def test_a_report_without_an_account(city: Any, pothole: ServiceType, client: Client) -> None:
    response = client.post("/report/001/", form_data())
    stored = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{stored.reference}/"
    assert (stored.channel, stored.email, stored.first_name, stored.reporter_id) == (
        "web",
        "walker@example.org",
        "Wanda",
        None,
    )
    page = client.get(response["Location"]).content.decode()
    assert stored.reference in page and "Thank you" in page


def test_a_double_submitted_form_makes_one_report(city: Any, pothole: ServiceType, client: Client) -> None:
    first = client.post("/report/001/", form_data())
    second = client.post("/report/001/", form_data())
    assert first["Location"] == second["Location"]
    assert ServiceRequest.objects.count() == 1


def test_a_signed_in_report_is_the_residents(
    city: Any, pothole: ServiceType, resident: User, signed_in_client: Any
) -> None:
    client = signed_in_client(resident)
    assert (
        f'value="{resident.email}"'
        in client.get("/report/001/", {"lat": "48", "long": "11"}).content.decode()
    )
    client.post("/report/001/", form_data(email=""))
    assert ServiceRequest.objects.get().reporter_id == resident.pk
    mine = client.get("/requests/mine/").content.decode()
    assert ServiceRequest.objects.get().reference in mine


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lat": "95"}, "lat is 95"),
        ({"long": ""}, "without long"),
        ({"attribute__SIZE": ""}, "This field is required"),
        ({"attribute__SIZE": "XL"}, "Select a valid choice"),
        ({"attribute__DEPTH": "deep"}, "Enter a number"),
        ({"description": "<b>bold</b>"}, "plain text"),
    ],
)
def test_mistakes_are_shown_in_the_form_and_nothing_is_stored(
    city: Any, pothole: ServiceType, client: Client, changes: dict[str, str], message: str
) -> None:
    response = client.post("/report/001/", form_data(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not ServiceRequest.objects.exists()


def test_an_undecodable_photo_is_shown_as_a_form_error(
    city: Any, pothole: ServiceType, client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post("/report/001/", {**form_data(), "photos": photo})
    assert response.status_code == 400
    assert 'href="#id_photos"' in response.content.decode()
    assert not ServiceRequest.objects.exists()


# --- Public list and request pages ----------------------------------------------------------


def test_the_public_pages_never_show_personal_data(city: Any, pothole: ServiceType, client: Client) -> None:
    draft = ServiceRequestDraft(
        service_code="001",
        lat=str(OLD_TOWN[0]),
        long=str(OLD_TOWN[1]),
        attributes={"SIZE": "S"},
        email="secret.person@example.org",
        first_name="Zebedee",
        last_name="Quux",
        phone="+44 7700 900123",
    )
    stored = service_request_create(actor=None, draft=draft, channel="web").request  # type: ignore[arg-type]
    for path in ["/requests/", f"/requests/{stored.reference}/", "/api/v1/servicerequests/requests"]:
        page = client.get(path).content.decode()
        assert stored.reference in page
        for secret in ("secret.person", "Zebedee", "Quux", "7700 900123"):
            assert secret not in page, f"{secret} shown on {path}"


def test_the_list_filters_and_pages(
    city: Any, pothole: ServiceType, graffiti: ServiceType, client: Client
) -> None:
    for _ in range(30):
        existing(pothole, *OLD_TOWN)
    closed = existing(graffiti, *OLD_TOWN, status=Status.CLOSED)
    first = client.get("/requests/").content.decode()
    assert "Page 1 of 2" in first and "page=2" in first
    filtered = client.get("/requests/", {"service_code": "GRAF", "status": "closed"}).content.decode()
    assert closed.reference in filtered and "Page 1 of" not in filtered


def test_overdue_requests_are_marked(city: Any, pothole: ServiceType, client: Client) -> None:
    late = existing(pothole, *OLD_TOWN, expected_at=timezone.now() - dt.timedelta(hours=1))
    page = client.get(f"/requests/{late.reference}/").content.decode()
    assert "Overdue" in page


def test_a_map_only_when_a_tile_server_is_configured(
    city: Any, pothole: ServiceType, client: Client, settings: Any
) -> None:
    existing(pothole, *OLD_TOWN)
    assert "map.js" not in client.get("/requests/").content.decode()
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/requests/")
    page = response.content.decode()
    assert "map.js" in page and 'id="map-points"' in page
    assert "https://tiles.example.org" in response["Content-Security-Policy"]


def test_the_map_page_lists_no_personal_data(
    city: Any, pothole: ServiceType, client: Client, settings: Any
) -> None:
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    existing(pothole, *OLD_TOWN, email="hidden@example.org")
    assert "hidden@example.org" not in client.get("/requests/").content.decode()


def test_the_developer_page_documents_the_window_and_statuses(client: Client) -> None:
    page = client.get("/developers/open311/").content.decode()
    assert "90 days" in page and "Not the city&#x27;s responsibility" in page


def test_a_hidden_photo_is_not_served_to_the_public(
    city: Any,
    pothole: ServiceType,
    client: Client,
    roads_staff: User,
    signed_in_client: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cityhall.servicerequests.services import service_request_photo_hide

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    draft = ServiceRequestDraft(
        service_code="001",
        lat="48",
        long="11",
        attributes={"SIZE": "S"},
        photos=[SimpleUploadedFile("a.jpg", buffer.getvalue())],
    )
    stored = service_request_create(actor=None, draft=draft, channel="web").request  # type: ignore[arg-type]
    photo = stored.photos.get()
    assert client.get(f"/requests/photos/{photo.pk}/").status_code == 200
    service_request_photo_hide(actor=roads_staff, photo_id=photo.pk)
    assert client.get(f"/requests/photos/{photo.pk}/").status_code == 404
    assert signed_in_client(roads_staff).get(f"/requests/photos/{photo.pk}/").status_code == 200
    stored.refresh_from_db()
    assert stored.media_url == ""


# --- Questionnaire and following pages ------------------------------------------------------


def test_the_questionnaire_page_reopens(
    city: Any, pothole: ServiceType, roads_staff: User, client: Client
) -> None:
    from cityhall.servicerequests.services import questionnaire_token, service_request_update

    stored = existing(pothole, *OLD_TOWN, email="r@example.org")
    service_request_update(actor=roads_staff, request_id=stored.pk, status=Status.RESOLVED, text="Done")
    url = f"/requests/fixed/{questionnaire_token(stored)}/"
    page = client.get(url).content.decode()
    assert "Yes, it is fixed" in page and "No, it is not fixed" in page
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"answer": "not_fixed", "comment": "Still there"})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == Status.ACKNOWLEDGED
    assert client.get("/requests/fixed/forged/").status_code == 404


def test_follow_by_email_page_flow(city: Any, pothole: ServiceType, client: Client) -> None:
    stored = existing(pothole, *OLD_TOWN)
    assert client.post(f"/requests/{stored.reference}/follow/", {"email": "bad"}).status_code == 302
    assert not stored.followers.exists()
    client.post(f"/requests/{stored.reference}/follow/", {"email": "fan@example.org"})
    follower = stored.followers.get()
    assert follower.confirmed_at is None
    from django.core import signing

    from cityhall.servicerequests.services import FOLLOW_SALT

    token = signing.dumps({"f": str(follower.pk)}, salt=FOLLOW_SALT)
    assert "Yes, send me updates" in client.get(f"/requests/follow/{token}/").content.decode()
    follower.refresh_from_db()
    assert follower.confirmed_at is None  # a GET (an email scanner) changes nothing
    client.post(f"/requests/follow/{token}/")
    follower.refresh_from_db()
    assert follower.confirmed_at is not None


# --- Staff ----------------------------------------------------------------------------------


@pytest.fixture
def staff_client(roads_staff: User, signed_in_client: Any) -> Client:
    return signed_in_client(roads_staff)


def test_the_queue_shows_only_the_departments_requests_with_a_bounded_query_count(
    city: Any, pothole: ServiceType, staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        existing(pothole, *OLD_TOWN, email="private@example.org")
    other = ServiceType.objects.create(code="X", name="Other", department=DepartmentFactory())
    theirs = existing(other, *OLD_TOWN)
    staff_client.get("/staff/requests/")  # warm the session
    with django_assert_max_num_queries(16):
        page = staff_client.get("/staff/requests/").content.decode()
    assert theirs.reference not in page
    assert page.count('name="selected"') == 25


def test_queue_filters(city: Any, pothole: ServiceType, roads_staff: User, staff_client: Client) -> None:
    late = existing(pothole, *OLD_TOWN, expected_at=timezone.now() - dt.timedelta(hours=1))
    mine = existing(pothole, *OLD_TOWN, assigned_to=roads_staff)
    done = existing(pothole, *OLD_TOWN, status=Status.CLOSED)
    phoned = existing(pothole, *OLD_TOWN, channel="phone")

    def shown(**params: Any) -> set[str]:
        page = staff_client.get("/staff/requests/", params).content.decode()
        return set(re.findall(r"/staff/requests/([0-9A-Z]{5}-[0-9A-Z]{5})/", page))

    assert shown(overdue="on") == {late.reference}
    assert shown(assigned="me") == {mine.reference}
    assert shown(status="closed") == {done.reference}
    assert shown(channel="phone") == {phoned.reference}
    assert shown(reference=late.reference.lower()) == {late.reference}
    assert done.reference not in shown()  # open ones by default


def test_bulk_update_from_the_queue(
    city: Any, pothole: ServiceType, roads_staff: User, staff_client: Client
) -> None:
    first, second = existing(pothole, *OLD_TOWN), existing(pothole, *OLD_TOWN)
    response = staff_client.post(
        "/staff/requests/bulk/",
        {
            "selected": [str(first.pk), str(second.pk)],
            "status": "in_progress",
            "assignee": str(roads_staff.pk),
            "text": "",
        },
    )
    assert response.status_code == 302
    assert set(ServiceRequest.objects.values_list("status", "assigned_to")) == {
        ("in_progress", roads_staff.pk)
    }


def test_staff_detail_shows_contact_details_and_takes_actions(
    city: Any, pothole: ServiceType, roads_staff: User, staff_client: Client
) -> None:
    stored = existing(pothole, *OLD_TOWN, email="caller@example.org", phone="555 0100")
    url = f"/staff/requests/{stored.reference}/"
    page = staff_client.get(url).content.decode()
    assert "caller@example.org" in page and "555 0100" in page
    staff_client.post(
        url,
        {
            "action": "update",
            "update-status": "scheduled",
            "update-visibility": "public",
            "update-text": "Thursday.",
        },
    )
    staff_client.post(
        url,
        {"action": "update", "update-status": "", "update-visibility": "internal", "update-text": "Crew B."},
    )
    stored.refresh_from_db()
    assert stored.status == Status.SCHEDULED
    history = staff_client.get(url).content.decode()
    assert "Crew B." in history and "Internal note" in history
    public = Client().get(f"/requests/{stored.reference}/").content.decode()
    assert "Thursday." in public and "Crew B." not in public
    bad = staff_client.post(
        url, {"action": "update", "update-status": "", "update-visibility": "public", "update-text": ""}
    )
    assert bad.status_code == 400


def test_the_staff_pages_are_closed_to_residents(
    city: Any, pothole: ServiceType, resident: User, signed_in_client: Any
) -> None:
    stored = existing(pothole, *OLD_TOWN)
    client = signed_in_client(resident)
    for path in [
        "/staff/requests/",
        f"/staff/requests/{stored.reference}/",
        "/staff/requests/new/",
        "/staff/requests/channels/",
    ]:
        assert client.get(path).status_code == 403, path
    assert (
        client.post("/staff/requests/bulk/", {"selected": [str(stored.pk)], "status": "closed"}).status_code
        == 403
    )


def test_assisted_request_at_the_counter(
    city: Any, pothole: ServiceType, make_user: Callable[..., User], signed_in_client: Any
) -> None:
    clerk = make_user(Role.COUNCIL_CLERK, DepartmentFactory())
    client = signed_in_client(clerk)
    assert "Record a request" in client.get("/staff/requests/new/").content.decode()
    response = client.post("/staff/requests/new/001/", {**form_data(), "channel": "assisted"})
    assert response.status_code == 302
    stored = ServiceRequest.objects.get()
    assert (stored.channel, stored.submitted_by_id) == ("assisted", clerk.pk)
    assert AuditEvent.objects.filter(action="service_request.create", object_id=str(stored.pk)).exists()


def test_channel_figures_page(city: Any, pothole: ServiceType, staff_client: Client) -> None:
    existing(pothole, *OLD_TOWN, channel="phone")
    page = staff_client.get("/staff/requests/channels/").content.decode()
    assert "Phone" in page and "Last 30 days" in page


# --- Demo -----------------------------------------------------------------------------------


def test_the_demo_loads_service_requests_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    first = (ServiceType.objects.count(), ServiceRequest.objects.count())
    call_command("demo")
    assert (ServiceType.objects.count(), ServiceRequest.objects.count()) == first
    assert first[0] >= 10 and first[1] == 200
    assert ServiceType.objects.values("department").distinct().count() >= 5
    assert ServiceRequest.objects.values("district").distinct().count() == 6
    assert ServiceRequest.objects.values("status").distinct().count() >= 7
    assert ServiceRequest.objects.values("channel").distinct().count() == 4
    assert ServiceRequest.objects.filter(status=Status.DUPLICATE, duplicate_of__isnull=False).exists()
    assert ServiceRequest.objects.filter(
        is_open=True, expected_at__lt=timezone.now()
    ).exists()  # some overdue


def test_a_staff_read_of_a_reporters_contact_is_logged_for_them(
    city: Any, pothole: ServiceType, resident: User, staff_client: Client
) -> None:
    from cityhall.accounts.models import DataAccessLog

    stored = existing(pothole, *OLD_TOWN, reporter=resident, email=resident.email)
    staff_client.get(f"/staff/requests/{stored.reference}/")
    entry = DataAccessLog.objects.get(resident=resident)
    assert entry.case_reference == stored.reference and entry.data_category == "contact"


def test_reporters_data_is_declared_for_export_and_retention(city: Any, pothole: ServiceType) -> None:
    import datetime as dt

    from cityhall.core.personal_data import DataSubject, apply_retention, personal_data_of

    stored = existing(pothole, *OLD_TOWN, email="ana@example.org", phone="555", first_name="Ana")
    exported = personal_data_of(DataSubject(id=None, email="ana@example.org"))
    assert exported["servicerequests.ServiceRequest"][0]["phone"] == "555"
    ServiceRequest.objects.filter(pk=stored.pk).update(requested_at=timezone.now() - dt.timedelta(days=800))
    apply_retention()
    stored.refresh_from_db()
    assert (stored.email, stored.phone, stored.first_name) == ("", "", "")
    assert stored.description  # the report itself stays, for the city's statistics


def test_the_public_list_makes_a_bounded_number_of_queries(
    city: Any, pothole: ServiceType, client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(40):
        existing(pothole, *OLD_TOWN)
    client.get("/requests/")  # warm the cached city name
    with django_assert_max_num_queries(6):
        page = client.get("/requests/").content.decode()
    assert page.count("/requests/") >= 25
