from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None, places: int = 1) -> str:
    """0.4213 → "42.1 %"; empty for no value."""
    if value is None:
        return ""
    return f"{number_format(value * 100, decimal_pos=places)} %"


@register.filter
def thousands(value: int | float | None) -> str:
    if value is None:
        return ""
    return number_format(value, decimal_pos=0, force_grouping=True)
