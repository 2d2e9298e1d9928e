"""Who is inside an alert's areas: bounding-box prefilter in SQL, exact geometry in shapely."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
from django.utils import timezone

from cityhall.alerts.cap import polygon_text
from cityhall.alerts.contracts import AreaKind, SubscriptionStatus
from cityhall.alerts.models import Alert, Subscription
from cityhall.alerts.services import AreaInput, category_mask
from cityhall.alerts.services.fanout import footprint_of, target_subscriptions
from cityhall.alerts.targeting import WORLD, Footprint, circle_box, haversine_km
from cityhall.core.geo import bounding_box
from cityhall.core.models import District

SQUARE = [(47.975, 11.005), (47.985, 11.005), (47.985, 11.015), (47.975, 11.015), (47.975, 11.005)]


def test_a_point_inside_a_polygon_matches_and_one_outside_does_not() -> None:
    footprint = Footprint([SQUARE], [])
    assert footprint.contains_point(47.98, 11.01)
    assert not footprint.contains_point(47.99, 11.01)


def test_latitude_and_longitude_are_not_swapped() -> None:
    # A tall thin box: 0.1 degrees of latitude by 0.01 of longitude. Swapping would move it.
    tall = [(47.90, 11.00), (48.00, 11.00), (48.00, 11.01), (47.90, 11.01), (47.90, 11.00)]
    footprint = Footprint([tall], [])
    assert footprint.contains_point(47.95, 11.005)
    assert not footprint.contains_point(11.005, 47.95)
    assert footprint.box.min_latitude == 47.90 and footprint.box.max_longitude == 11.01


def test_a_subscriber_circle_that_touches_the_area_matches() -> None:
    footprint = Footprint([SQUARE], [])
    # 47.99 is ~555 m north of the square's top edge (47.985).
    lats, lons = np.array([47.99, 47.99]), np.array([11.01, 11.01])
    assert footprint.circles_touching(lats, lons, np.array([0.6, 0.5])).tolist() == [True, False]


def test_cap_circles_use_the_haversine_distance() -> None:
    footprint = Footprint([], [(48.0, 11.0, 2.0)])
    north = 48.0 + 1.9 / 110.574
    assert footprint.contains_point(north, 11.0)
    assert not footprint.contains_point(48.0 + 2.1 / 110.574, 11.0)
    distance = haversine_km(48.0, 11.0, np.array([49.0]), np.array([11.0]))[0]
    assert distance == pytest.approx(111.2, abs=0.2)


def test_the_circle_box_contains_the_circle() -> None:
    box = circle_box(48.0, 11.0, 1.0)
    assert box.max_latitude - 48.0 == pytest.approx(1 / 110.574)
    assert 11.0 - box.min_longitude == pytest.approx(1 / (111.320 * np.cos(np.radians(48.0))))


@pytest.mark.django_db
def test_targeting_finds_points_districts_and_the_whole_city(
    publish: Callable[..., Alert], city: None
) -> None:
    riverside = District.objects.get(slug="riverside")

    def subscribe(kind: str, address: str, **fields: object) -> Subscription:
        if kind == AreaKind.POINT:
            box = circle_box(fields["latitude"], fields["longitude"], fields["radius_km"])  # type: ignore[arg-type]
        elif kind == AreaKind.DISTRICT:
            box = bounding_box(fields["district"].boundary)  # type: ignore[union-attr]
        else:
            box = WORLD
        return Subscription.objects.create(
            kind=kind,
            min_latitude=box.min_latitude,
            min_longitude=box.min_longitude,
            max_latitude=box.max_latitude,
            max_longitude=box.max_longitude,
            category_mask=fields.pop("mask", category_mask([])),  # type: ignore[arg-type]
            language="en",
            channel="email",
            address=address,
            status=fields.pop("status", SubscriptionStatus.ACTIVE),  # type: ignore[arg-type]
            confirmed_at=timezone.now(),
            **fields,
        )

    inside = subscribe(AreaKind.POINT, "in@example.org", latitude=47.98, longitude=11.01, radius_km=0.1)
    near = subscribe(AreaKind.POINT, "near@example.org", latitude=47.99, longitude=11.01, radius_km=1.0)
    far = subscribe(AreaKind.POINT, "far@example.org", latitude=48.02, longitude=10.95, radius_km=1.0)
    district = subscribe(AreaKind.DISTRICT, "district@example.org", district=riverside)
    other_district = subscribe(
        AreaKind.DISTRICT, "north@example.org", district=District.objects.get(slug="north-hill")
    )
    everyone = subscribe(AreaKind.CITY, "all@example.org")
    health_only = subscribe(AreaKind.CITY, "health@example.org", mask=category_mask(["Health"]))
    pending = subscribe(AreaKind.CITY, "pending@example.org", status=SubscriptionStatus.PENDING)

    alert = publish(areas=(AreaInput(description="Square", polygons=(polygon_text(SQUARE),)),))
    found = {row[0] for row in target_subscriptions(alert, footprint_of(alert))}
    assert found == {inside.pk, near.pk, district.pk, everyone.pk}
    assert not found & {far.pk, other_district.pk, health_only.pk, pending.pk}


@pytest.mark.django_db
def test_district_subscribers_get_alerts_that_share_ground_not_a_border(
    publish: Callable[..., Alert],
) -> None:
    from cityhall.core.geo import boundary_geometry

    alert = publish(areas=(AreaInput(district="old-town"),), expires=timezone.now() + dt.timedelta(hours=2))
    footprint = footprint_of(alert)

    def overlaps(slug: str) -> bool:
        return footprint.overlaps_shape(boundary_geometry(District.objects.get(slug=slug).boundary))

    assert overlaps("old-town")
    assert not overlaps("riverside")  # shares Old Town's southern edge
    assert not overlaps("harbour")  # shares a corner
    square = Footprint([[(48.0, 10.99), (48.01, 10.99), (48.01, 11.00), (48.0, 11.00), (48.0, 10.99)]], [])
    assert square.overlaps_shape(boundary_geometry(District.objects.get(slug="old-town").boundary))
