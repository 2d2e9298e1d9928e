"""The authorization matrix across modules (issue 9, security tests): a resident never reads another
resident's personal data, and a department never reads another department's private data.

Two ways. First, a crawl: signed in as resident A, and as staff of department A, follow every link from
every page and every parameter-free URL the site routes (pages and `/api/v1/` GETs), and check that no
marker of resident B's personal data or department B's private records appears anywhere. Second, the
direct attempts a curious user would make: B's records opened by their URL or id. New modules add
their private records to `private_records` and their direct attempts to the list at the bottom."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.privacy import privacy_request_create
from cityhall.accounts.services import api_token_create
from cityhall.catalog.services import dataset_create
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.documents.services import document_register
from cityhall.foi.services import foi_request_file
from cityhall.servicerequests.models import ServiceRequest, ServiceType, Visibility
from cityhall.servicerequests.services import new_reference, service_request_update, service_type_create
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# What must never reach anyone but B (resident) or department B's staff.
B_EMAIL = "bernadette.privatus@example.org"
B_NAME = "Privatus"
B_PHONE = "555 0199 7731"
B_INTERNAL_NOTE = "Internal note of department B: the caller is known to us"
B_PRIVACY_REQUEST = "Please correct my date of birth, it is the ninth"
B_TOKEN_NAME = "Home automation of Bernadette"
B_PRIVATE_DATASET = "Locations of the protected orchids"
B_RESTRICTED_DOCUMENT = "Disciplinary memo about a parks gardener"
MARKERS = [
    B_EMAIL,
    B_NAME,
    B_PHONE,
    B_INTERNAL_NOTE,
    B_PRIVACY_REQUEST,
    B_TOKEN_NAME,
    B_PRIVATE_DATASET,
    B_RESTRICTED_DOCUMENT,
]

SKIP = re.compile(r"^/(static|media|admin|i18n)/|/logout/|/events$|/stream$|\.(xlsx|zip|pdf)$")
MAX_PAGES = 600
OWN_DATA = [
    "/account/privacy/",
    "/account/privacy/my-data.json",
    "/account/privacy/my-data.csv",
    "/account/tokens/",
]


@dataclass
class World:
    resident_a: User
    resident_b: User
    staff_a: User
    staff_b: User
    department_a: Department
    department_b: Department
    request_b: ServiceRequest


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    place_demo_load(lambda line: None)
    department_a = DepartmentFactory(slug="roads", name="Roads")
    department_b = DepartmentFactory(slug="parks", name="Parks")
    resident_a = make_user(email="anna.a@example.org", full_name="Anna Alpha")
    resident_b = make_user(email=B_EMAIL, full_name=f"Bernadette {B_NAME}")
    staff_a = make_user(Role.DEPARTMENT_STAFF, department_a)
    staff_b = make_user(Role.DEPARTMENT_STAFF, department_b)
    bench: ServiceType = service_type_create(
        actor=None, code="BENCH", name="Broken bench", department_id=department_b.pk
    )
    request_b = ServiceRequest.objects.create(
        reference=new_reference(),
        service_type=bench,
        department=department_b,
        reporter=resident_b,
        email=B_EMAIL,
        phone=B_PHONE,
        first_name="Bernadette",
        last_name=B_NAME,
        latitude=48.012,
        longitude=11.001,
        description="The bench by the pond has lost two slats",
    )
    service_request_update(
        actor=staff_b, request_id=request_b.pk, text=B_INTERNAL_NOTE, visibility=Visibility.INTERNAL
    )
    privacy_request_create(user=resident_b, kind="rectification", details=B_PRIVACY_REQUEST)
    api_token_create(actor=None, user=resident_b, name=B_TOKEN_NAME)
    # B asks a freedom-of-information question: the request is public, who asked is not.
    foi_request_file(actor=resident_b, title="Tree planting budget", body="How much was spent on trees?")
    # Department B keeps a private dataset and a restricted document.
    publisher_b = make_user(Role.DATA_PUBLISHER, department_b)
    dataset_create(
        actor=publisher_b,
        metadata={
            "name": "orchid-locations",
            "title": B_PRIVATE_DATASET,
            "department_id": department_b.pk,
            "private": True,
        },
        state="published",
    )
    document_register(
        actor=None,
        department_id=department_b.pk,
        title=B_RESTRICTED_DOCUMENT,
        file_name="memo.txt",
        content=b"Confidential.",
        media_type="text/plain",
        classification="restricted",
    )
    return World(resident_a, resident_b, staff_a, staff_b, department_a, department_b, request_b)


def routed_paths() -> Iterator[str]:
    """Every parameter-free URL the site routes."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            elif "<" not in route and "(" not in route and "[" not in route:
                yield "/" + (prefix + route).lstrip("^").rstrip("$").replace("\\.", ".")

    yield from walk(get_resolver().url_patterns, "")


def api_get_paths(client: Client) -> list[str]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        "/api/v1" + path if not path.startswith("/api/v1") else path
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" not in path
    ]


def crawl(client: Client, starts: list[str]) -> dict[str, str]:
    """GET every start and every same-site link found, breadth first; returns path -> body."""
    seen: dict[str, str] = {}
    queue = deque(dict.fromkeys(starts))
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or SKIP.search(path.split("?")[0]):
            continue
        response = client.get(path)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        seen[path] = body
        if "html" in response.get("Content-Type", ""):
            for link in re.findall(r'href="(/[^"#]*)"', body):
                link = link.replace("&amp;", "&")
                if link not in seen:
                    queue.append(link)
    return seen


def leaks(pages: dict[str, str]) -> list[str]:
    return [f"{marker!r} on {path}" for path, body in pages.items() for marker in MARKERS if marker in body]


@pytest.mark.parametrize("who", ["anonymous", "resident_a", "staff_a"])
def test_no_page_or_api_shows_b_s_personal_or_private_data(
    world: World, who: str, signed_in_client: Callable[[User], Client], api_client: Callable[[User], Client]
) -> None:
    user = getattr(world, who, None)
    client = signed_in_client(user) if user is not None else Client()
    starts = ["/", "/staff/", *OWN_DATA, *routed_paths()]
    pages = crawl(client, starts)
    assert len(pages) > 40, "the crawl reached too few pages to mean anything"
    if user is not None:
        token_client = api_client(user)
        pages.update(crawl(token_client, api_get_paths(token_client)))
    # The request itself is public (without its reporter); its staff page is not.
    assert f"/requests/{world.request_b.reference}/" in pages or who == "staff_a"
    assert leaks(pages) == []


def test_b_sees_b_s_own_data_so_the_markers_are_real(
    world: World, signed_in_client: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    """The crawl above would pass on an empty site; this proves the markers are there to find."""
    pages = crawl(signed_in_client(world.resident_b), OWN_DATA)
    found = {marker for body in pages.values() for marker in MARKERS if marker in body}
    assert {B_EMAIL, B_TOKEN_NAME} <= found
    admin = signed_in_client(make_user(Role.ADMINISTRATOR))
    assert B_PRIVACY_REQUEST in admin.get("/staff/privacy-requests/").content.decode()
    staff_pages = crawl(signed_in_client(world.staff_b), [f"/staff/requests/{world.request_b.reference}/"])
    staff_found = {marker for body in staff_pages.values() for marker in MARKERS if marker in body}
    assert {B_PHONE, B_INTERNAL_NOTE} <= staff_found
    assert B_RESTRICTED_DOCUMENT in signed_in_client(world.staff_b).get("/staff/documents/").content.decode()
    publisher_b = make_user(Role.DATA_PUBLISHER, world.department_b)
    assert B_PRIVATE_DATASET in signed_in_client(publisher_b).get("/staff/catalog/").content.decode()


def direct_attempts(world: World) -> list[tuple[str, str]]:
    """(who, path): URLs of B's private records, which A must not be able to open."""
    reference = world.request_b.reference
    return [
        ("resident_a", f"/staff/requests/{reference}/"),
        ("staff_a", f"/staff/requests/{reference}/"),
        ("resident_a", f"/api/v1/servicerequests/requests/{reference}"),
        ("staff_a", f"/api/v1/servicerequests/requests/{reference}"),
        ("staff_a", "/api/v1/servicerequests/queue"),
    ]


def test_direct_attempts_on_b_s_records_are_refused(
    world: World, signed_in_client: Callable[[User], Client], api_client: Callable[[User], Client]
) -> None:
    for who, path in direct_attempts(world):
        user: Any = getattr(world, who)
        client = api_client(user) if path.startswith("/api/") else signed_in_client(user)
        response = client.get(path)
        body = response.content.decode(errors="replace")
        assert response.status_code in (400, 403, 404) or not any(m in body for m in MARKERS), (
            f"{who} opened {path}: {response.status_code}"
        )
        assert not any(marker in body for marker in MARKERS), f"{who} saw B's data at {path}"
