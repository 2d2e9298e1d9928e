from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CITY_NAME_CACHE_KEY = "cityhall:city_name"


def city_name() -> str:
    name = cache.get(CITY_NAME_CACHE_KEY)
    if name is None:
        from cityhall.core.models import City

        name = City.objects.values_list("name", flat=True).first() or settings.CITY_NAME
        cache.set(CITY_NAME_CACHE_KEY, name, 60)
    return str(name)


def site(request: HttpRequest) -> dict[str, Any]:
    return {"city_name": city_name()}
