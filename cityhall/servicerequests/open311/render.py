"""Open311 documents in XML and JSON from one description of their shape.

A document is built from dicts (elements in order), `ListOf` (a wrapper element whose items share a tag)
and scalars. XML: declaration first, no namespace, empty values as `<tag/>`. JSON (the "Spark"
mapping): lists are bare arrays, empty values are null, booleans and numbers keep their type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
# Characters XML 1.0 cannot carry, even escaped.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list: in XML a wrapper element with one `item_tag` element per item; in JSON a bare array."""

    item_tag: str
    items: Sequence[Any]


class Raw(str):
    """A value emitted as is in JSON even when empty (FixMyStreet's `""` for an empty media_url)."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return escape(XML_INVALID.sub("", str(value)))


def _xml(tag: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{tag}>")
        for key, child in value.items():
            _xml(key, child, out)
        out.append(f"</{tag}>")
    elif isinstance(value, ListOf):
        if not value.items:
            out.append(f"<{tag}/>")
            return
        out.append(f"<{tag}>")
        for item in value.items:
            _xml(value.item_tag, item, out)
        out.append(f"</{tag}>")
    elif value is None or value == "":
        out.append(f"<{tag}/>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def to_xml(root: str, value: Any) -> str:
    out = [XML_DECLARATION, "\n"]
    _xml(root, value, out)
    out.append("\n")
    return "".join(out)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(child) for key, child in value.items()}
    if isinstance(value, ListOf):
        return [_plain(item) for item in value.items]
    if isinstance(value, Raw):
        return str(value)
    if value == "" and not isinstance(value, bool):
        return None
    return value


def to_json(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def document(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    body = to_xml(root, value) if fmt == XML else to_json(value)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def listing(fmt: str, root: str, item_tag: str, items: Iterable[Any], *, status: int = 200) -> HttpResponse:
    return document(fmt, root, ListOf(item_tag, list(items)), status=status)


def flat_listing(fmt: str, root: str, item_tag: str, items: list[dict[str, Any]]) -> HttpResponse:
    """A list of flat records (requests, updates) whose empty values are already None or Raw("").

    The same documents as `listing`, built in one pass: a page of 1,000 requests is the hot path."""
    if fmt == JSON:
        body = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    elif not items:
        body = f"{XML_DECLARATION}\n<{root}/>\n"
    else:
        out = [XML_DECLARATION, "\n<", root, ">"]
        for item in items:
            out.append(f"<{item_tag}>")
            for tag, value in item.items():
                if value is None or value == "":
                    out.append(f"<{tag}/>")
                else:
                    out.append(f"<{tag}>{_text(value)}</{tag}>")
            out.append(f"</{item_tag}>")
        out.append(f"</{root}>\n")
        body = "".join(out)
    return HttpResponse(body.encode("utf-8"), content_type=CONTENT_TYPES[fmt])


@dataclass(frozen=True, slots=True)
class Open311Error:
    code: int | str
    description: str


def errors(fmt: str, status: int, problems: Sequence[Open311Error]) -> HttpResponse:
    """The spec's error list: <errors><error><code/><description/></error></errors> or a JSON array."""
    items = [{"code": problem.code, "description": problem.description} for problem in problems]
    return listing(fmt if fmt in FORMATS else XML, "errors", "error", items, status=status)
