"""Reads for the resident-facing portal."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from cityhall.accounts.facade import departments
from cityhall.core.models import City, District


@dataclass(frozen=True, slots=True)
class HomePage:
    city: City | None
    districts: list[tuple[str, str]]
    departments: list[str]


def localized(default: str, translations: dict[str, str]) -> str:
    """A public text in the reader's language, falling back to the default."""
    return translations.get(get_language() or "en") or default


def home_page() -> HomePage:
    districts = [
        (localized(d.name, d.name_translations), d.slug)
        for d in District.objects.only("name", "name_translations", "slug")
    ]
    top_level = [
        localized(department.name, department.name_translations)
        for department in departments()
        if department.parent_id is None
    ]
    return HomePage(city=City.objects.first(), districts=districts, departments=top_level)
