"""The Atom feed of public alerts (RFC 4287), built with lxml: thin entries linking to the CAP file."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from cityhall.alerts import selectors
from cityhall.alerts.cap import CAP_MEDIA_TYPE
from cityhall.alerts.models import Alert

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


def atom_feed(messages: list[Alert], *, language: str) -> bytes:
    feed_url = selectors.absolute(reverse("alerts:feed"))
    root = etree.Element(_A + "feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]  # lxml: default namespace
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    _add(root, "id", feed_url)
    _add(root, "title", f"{selectors.city_name()} — public alerts")
    newest = max((m.published_at for m in messages if m.published_at), default=None)
    _add(root, "updated", rfc3339(newest or timezone.now()))
    author = _add(root, "author")
    _add(author, "name", selectors.sender_name())
    _add(root, "link", rel="self", type=ATOM_MEDIA_TYPE, href=feed_url)
    _add(root, "link", rel="alternate", type="text/html", href=selectors.absolute(reverse("alerts:list")))
    _add(root, "generator", "Cityhall")
    for message in messages:
        info = selectors.info_for(message, language)
        cap_url = selectors.cap_url(message.pk)
        entry = _add(root, "entry")
        _add(entry, "id", cap_url)
        prefix = "" if message.msg_type == "Alert" else f"[{message.msg_type}] "
        _add(entry, "title", prefix + (info.headline if info else message.identifier))
        _add(entry, "updated", rfc3339(message.published_at or message.created_at))
        if message.sent:
            _add(entry, "published", rfc3339(message.sent))
        if info is not None:
            _add(entry, "summary", info.instruction or info.description)
        for category in message.categories:
            _add(entry, "category", term=category)
        _add(entry, "link", rel="alternate", type=CAP_MEDIA_TYPE, href=cap_url)
        _add(entry, "link", rel="alternate", type="text/html", href=selectors.alert_url(message.pk))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def feed_language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
