"""Small template filters of the operating pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def number(value: Any) -> str:
    """A measured value for people: no trailing zeros, grouped thousands, a dash when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if abs(number) >= 1000:
        return number_format(round(number), 0, use_l10n=True, force_grouping=True)
    text = number_format(round(number, 2), 2, use_l10n=True)
    decimal = number_format(0.5, 1, use_l10n=True)[1]
    return text.rstrip("0").rstrip(decimal) if decimal in text else text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
