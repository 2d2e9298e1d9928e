"""The demo city's place: Aldermere, a fictional river city, and its six districts."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from cityhall.core.geo import bounding_box
from cityhall.core.models import City, District

CITY_NAME = "Aldermere"
CENTER = (47.9990, 11.0010)  # latitude, longitude: a fictional city, placed on open farmland

# (slug, English name, Spanish, Arabic, population, (row, column) on a 2 by 3 grid of ~3 km cells)
DISTRICTS = [
    ("old-town", "Old Town", "Casco Antiguo", "البلدة القديمة", 18_400, (0, 1)),
    ("riverside", "Riverside", "Ribera", "ضفة النهر", 22_900, (1, 1)),
    ("north-hill", "North Hill", "Colina Norte", "التل الشمالي", 15_200, (0, 0)),
    ("harbour", "Harbour", "Puerto", "الميناء", 12_700, (1, 2)),
    ("eastfield", "Eastfield", "Campo Este", "الحقل الشرقي", 26_300, (0, 2)),
    ("westbrook", "Westbrook", "Arroyo Oeste", "الجدول الغربي", 19_800, (1, 0)),
]
CELL_LAT = 0.027
CELL_LON = 0.040


def _cell(row: int, column: int) -> dict[str, object]:
    top = CENTER[0] + CELL_LAT - row * CELL_LAT
    left = CENTER[1] - 1.5 * CELL_LON + column * CELL_LON
    bottom, right = top - CELL_LAT, left + CELL_LON
    ring = [[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]
    return {"type": "Polygon", "coordinates": [ring]}


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> City:
    city, _ = City.objects.update_or_create(
        slug="aldermere",
        defaults={
            "name": CITY_NAME,
            "country_code": "",
            "center_latitude": CENTER[0],
            "center_longitude": CENTER[1],
            "time_zone": "Europe/Berlin",
        },
    )
    for slug, name, name_es, name_ar, population, (row, column) in DISTRICTS:
        boundary = _cell(row, column)
        box = bounding_box(boundary)
        District.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_translations": {"es": name_es, "ar": name_ar},
                "boundary": boundary,
                "population": population,
                "min_latitude": box.min_latitude,
                "min_longitude": box.min_longitude,
                "max_latitude": box.max_latitude,
                "max_longitude": box.max_longitude,
            },
        )
    log(f"City {city.name} with {len(DISTRICTS)} districts.")
    return city
