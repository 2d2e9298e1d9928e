"""Fixtures for service requests: the demo city's districts, a department, service types, API keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import api_token_create
from cityhall.core.demo import demo_load as place_demo_load
from cityhall.core.models import District
from cityhall.servicerequests.contracts import Datatype
from cityhall.servicerequests.models import ServiceType
from cityhall.servicerequests.services import AttributeDraft, service_type_create
from tests.factories import DepartmentFactory

# A point in Aldermere's Old Town (and two more: 30 m and 80 m north of it).
OLD_TOWN = (48.0120, 11.0010)
NORTH_30_M = (48.0120 + 30 / 111_320, 11.0010)
NORTH_80_M = (48.0120 + 80 / 111_320, 11.0010)

POTHOLE_QUESTIONS = [
    AttributeDraft(
        "SIZE",
        Datatype.SINGLEVALUELIST,
        "How big is it?",
        required=True,
        values=(("S", "Smaller than a plate"), ("L", "Larger than a plate")),
    ),
    AttributeDraft("DEPTH", Datatype.NUMBER, "How deep, in cm?"),
    AttributeDraft("SEEN", Datatype.DATETIME, "When did you see it?"),
    AttributeDraft(
        "HAZARDS",
        Datatype.MULTIVALUELIST,
        "Who is at risk?",
        values=(("traffic", "Traffic"), ("cyclists", "Cyclists"), ("pedestrians", "Pedestrians")),
    ),
    AttributeDraft("NOTE", Datatype.STRING, "Anything else?"),
    AttributeDraft("DETAILS", Datatype.TEXT, "Longer details"),
    AttributeDraft("SAFETY", Datatype.STRING, "Keep away from traffic.", variable=False),
]


@pytest.fixture
def city(db: Any) -> list[District]:
    place_demo_load(lambda line: None)
    return list(District.objects.order_by("slug"))


@pytest.fixture
def roads(db: Any) -> Department:
    return DepartmentFactory(slug="roads", name="Roads and Streets")


@pytest.fixture
def pothole(roads: Department) -> ServiceType:
    return service_type_create(
        actor=None,
        code="001",
        name="Pothole",
        department_id=roads.pk,
        description="Hole in the road surface.",
        group="streets",
        keywords="road, hole, tarmac",
        sla_hours=48,
        service_notice="Inspected within 2 working days.",
        attributes=POTHOLE_QUESTIONS,
    )


@pytest.fixture
def graffiti(roads: Department) -> ServiceType:
    return service_type_create(
        actor=None, code="GRAF", name="Graffiti", department_id=roads.pk, group="clean", sla_hours=None
    )


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user()


@pytest.fixture
def api_key(resident: User) -> str:
    _token, secret = api_token_create(actor=None, user=resident, name="open311 app")
    return secret


@pytest.fixture
def roads_staff(make_user: Callable[..., User], roads: Department) -> User:
    return make_user(Role.DEPARTMENT_STAFF, roads)


@pytest.fixture
def staff_key(roads_staff: User) -> str:
    _token, secret = api_token_create(actor=None, user=roads_staff, name="back office")
    return secret


@pytest.fixture
def client() -> Client:
    return Client()


def pothole_form(api_key: str, **extra: Any) -> dict[str, Any]:
    """A valid Open311 POST body for the pothole service."""
    body: dict[str, Any] = {
        "api_key": api_key,
        "service_code": "001",
        "lat": str(OLD_TOWN[0]),
        "long": str(OLD_TOWN[1]),
        "description": "Deep hole near the bus stop",
        "attribute[SIZE]": "L",
    }
    body.update(extra)
    return {key: value for key, value in body.items() if value is not None}
