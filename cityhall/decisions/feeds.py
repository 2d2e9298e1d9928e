"""The Atom feed of decisions (RFC 4287): the newest changes, one entry per decision."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from cityhall.decisions.exports import absolute
from cityhall.decisions.models import Body, Decision

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
_A = f"{{{ATOM_NS}}}"


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _add(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _A + name, {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = text
    return element


def atom_feed(decisions: list[Decision], *, language: str, body: Body | None = None) -> bytes:
    feed_url = absolute(reverse("decisions:feed") + (f"?body={body.slug}" if body else ""))
    root = etree.Element(_A + "feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]  # lxml: default namespace
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    _add(root, "id", feed_url)
    title = body.name if body else _("council decisions")
    _add(root, "title", f"{settings.CITY_NAME} — {title}")
    newest = max((d.updated_at for d in decisions), default=None)
    _add(root, "updated", rfc3339(newest or timezone.now()))
    author = _add(root, "author")
    _add(author, "name", settings.CITY_NAME)
    _add(root, "link", rel="self", type=ATOM_MEDIA_TYPE, href=feed_url)
    _add(root, "link", rel="alternate", type="text/html", href=absolute(reverse("decisions:index")))
    _add(root, "generator", "Cityhall")
    for decision in decisions:
        url = absolute(reverse("decisions:decision", args=[decision.pk]))
        entry = _add(root, "entry")
        _add(entry, "id", f"urn:uuid:{decision.pk}")
        _add(entry, "title", f"{decision.reference}: {decision.title} ({decision.get_status_display()})")
        _add(entry, "updated", rfc3339(decision.updated_at))
        _add(entry, "published", rfc3339(decision.created_at))
        _add(entry, "summary", (decision.text or decision.title)[:1000])
        _add(entry, "category", term=decision.status, label=str(decision.get_status_display()))
        _add(entry, "category", term=decision.body.slug, label=decision.body.name)
        _add(entry, "link", rel="alternate", type="text/html", href=url)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
