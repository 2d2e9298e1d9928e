from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cityhall.portal.text import render_markup

register = template.Library()


@register.filter(name="markup")
def markup(value: str) -> SafeString:
    """Render a city page's plain-text markup as safe HTML (see cityhall/portal/text.py)."""
    return render_markup(value or "")
