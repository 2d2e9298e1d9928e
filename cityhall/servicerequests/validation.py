"""Checks on what a reporter sends, shared by the pages, the JSON API and Open311.

Every check names the parameter it is about and says what to send instead. Nothing here touches the
database: the service function calls these before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cityhall.core.errors import FieldError, ServiceError
from cityhall.servicerequests.contracts import Datatype

MAX_DESCRIPTION_LENGTH = 4000
MAX_STRING_LENGTH = 1000
# A tag: "<" then a letter, "/", "!" or "?" (comments, doctypes, processing instructions).
HTML_TAG = re.compile(r"<\s*[A-Za-z/!?][^>]*>")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidRequestError(ServiceError):
    """Input that cannot be accepted; `fields` names every parameter at fault. Nothing was stored."""

    def __init__(
        self, fields: Sequence[FieldError], *, status: int = 400, code: str = "invalid_request"
    ) -> None:
        summary = " ".join(item.message for item in fields) or _("The request is not valid.")
        super().__init__(summary, code=code, status=status)
        self.fields = list(fields)


def require(condition: bool, location: str, message: str) -> None:
    if not condition:
        raise InvalidRequestError([FieldError(location, message)])


@dataclass(slots=True)
class Problems:
    """Collects every problem of one submission, so the reporter can fix them all at once."""

    items: list[FieldError] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.items.append(FieldError(location, message))

    def raise_if_any(self, *, status: int = 400) -> None:
        if self.items:
            raise InvalidRequestError(self.items, status=status)


def plain_text_problem(value: str, *, name: str, max_length: int, single_line: bool = False) -> str | None:
    """Why a free-text value cannot be stored, or None when it can."""
    if len(value) > max_length:
        return _("%(name)s is %(length)d characters long; shorten it to %(max)d characters at most.") % {
            "name": name,
            "length": len(value),
            "max": max_length,
        }
    tag = HTML_TAG.search(value)
    if tag is not None:
        return _("%(name)s contains HTML or code (%(tag)s); send plain text without tags.") % {
            "name": name,
            "tag": tag.group(0)[:40],
        }
    if CONTROL_CHARACTERS.search(value):
        return _("%(name)s contains control characters; send plain text.") % {"name": name}
    if single_line and ("\n" in value or "\r" in value):
        return _("%(name)s must be a single line; remove the line breaks.") % {"name": name}
    return None


def check_description(problems: Problems, description: str, *, location: str = "description") -> str:
    description = description.strip().replace("\r\n", "\n")
    problem = plain_text_problem(description, name=location, max_length=MAX_DESCRIPTION_LENGTH)
    if problem:
        problems.add(location, problem)
    return description


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float | None
    longitude: float | None
    address: str
    address_id: str


def _coordinate(problems: Problems, raw: str, name: str, low: float, high: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        problems.add(name, _("%(name)s must be a decimal number of degrees, like 47.9990.") % {"name": name})
        return None
    if not math.isfinite(value) or not low <= value <= high:
        problems.add(
            name,
            _("%(name)s is %(value)s; it must be between %(low)s and %(high)s degrees (WGS84).")
            % {"name": name, "value": raw, "low": f"{low:g}", "high": f"{high:g}"},
        )
        return None
    return value


def check_location(
    problems: Problems,
    *,
    lat: str,
    long: str,
    address: str,
    address_id: str,
    lat_name: str = "lat",
    long_name: str = "long",
    address_name: str = "address_string",
) -> Location:
    lat, long, address, address_id = lat.strip(), long.strip(), address.strip(), address_id.strip()
    latitude = longitude = None
    if bool(lat) != bool(long):
        missing, given = (long_name, lat_name) if lat else (lat_name, long_name)
        problems.add(
            missing,
            _("%(given)s was sent without %(missing)s; send both coordinates or neither.")
            % {"given": given, "missing": missing},
        )
    elif lat:
        latitude = _coordinate(problems, lat, lat_name, -90, 90)
        longitude = _coordinate(problems, long, long_name, -180, 180)
    elif not address and not address_id:
        problems.add(
            lat_name,
            _("Say where the problem is: send %(lat)s and %(long)s, or %(address)s, or address_id.")
            % {"lat": lat_name, "long": long_name, "address": address_name},
        )
    if address:
        problem = plain_text_problem(address, name=address_name, max_length=500, single_line=True)
        if problem:
            problems.add(address_name, problem)
    if len(address_id) > 100:
        problems.add("address_id", _("address_id must be at most 100 characters long."))
    return Location(latitude, longitude, address, address_id)


def parse_w3c_datetime(raw: str) -> dt.datetime | None:
    """A W3C/ISO 8601 datetime with its zone; None for anything else (a naive time included)."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        return None
    if value is None or value.tzinfo is None:
        return None
    return value


# --- Attributes (Open311 service definition) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    code: str
    datatype: Datatype
    required: bool
    variable: bool
    description: str
    values: tuple[tuple[str, str], ...] = ()


AttributeValue = str | list[str]

OPEN311_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def open311_attributes(form: Any) -> dict[str, AttributeValue]:
    """attribute[CODE] and attribute[CODE][] from a form body (keys read literally, PHP style)."""
    values: dict[str, list[str]] = {}
    for key in form:
        match = OPEN311_ATTRIBUTE.match(key)
        if match:
            values.setdefault(match.group(1), []).extend(form.getlist(key))
    return {code: items[0] if len(items) == 1 else items for code, items in values.items()}


def _names(specs: Iterable[AttributeSpec]) -> str:
    return ", ".join(spec.code for spec in specs if spec.variable) or _("none")


def check_attributes(
    problems: Problems, specs: Sequence[AttributeSpec], raw: Mapping[str, AttributeValue]
) -> dict[str, AttributeValue]:
    """Clean answers, keyed by attribute code; every unknown, missing or wrong one goes to `problems`."""
    by_code = {spec.code: spec for spec in specs}
    cleaned: dict[str, AttributeValue] = {}
    for code in raw:
        spec = by_code.get(code)
        location = f"attribute[{code}]"
        if spec is None:
            problems.add(
                location,
                _("%(location)s is not a question of this service; its questions are: %(codes)s.")
                % {"location": location, "codes": _names(specs)},
            )
        elif not spec.variable:
            problems.add(
                location, _("%(location)s is information only and takes no answer.") % {"location": location}
            )
    for spec in specs:
        if not spec.variable:
            continue
        location = f"attribute[{spec.code}]"
        value = raw.get(spec.code)
        items = [value] if isinstance(value, str) else list(value or [])
        items = [item.strip() for item in items if item.strip()]
        if not items:
            if spec.required:
                problems.add(
                    location,
                    _("%(location)s is required: %(question)s")
                    % {"location": location, "question": spec.description},
                )
            continue
        answer = _check_value(problems, spec, location, items)
        if answer is not None:
            cleaned[spec.code] = answer
    return cleaned


def _check_value(
    problems: Problems, spec: AttributeSpec, location: str, items: list[str]
) -> AttributeValue | None:
    keys = [key for key, _name in spec.values]
    if spec.datatype == Datatype.MULTIVALUELIST:
        unknown = [item for item in items if item not in keys]
        if unknown:
            problems.add(
                location,
                _("%(location)s has %(values)s, which is not in its list; choose from: %(keys)s.")
                % {"location": location, "values": ", ".join(unknown), "keys": ", ".join(keys)},
            )
            return None
        return list(dict.fromkeys(items))
    if len(items) > 1:
        problems.add(
            location,
            _("%(location)s takes one value, not %(count)d.") % {"location": location, "count": len(items)},
        )
        return None
    value = items[0]
    if spec.datatype == Datatype.SINGLEVALUELIST:
        if value not in keys:
            problems.add(
                location,
                _("%(location)s is %(value)s, which is not in its list; choose one of: %(keys)s.")
                % {"location": location, "value": value, "keys": ", ".join(keys)},
            )
            return None
        return value
    if spec.datatype == Datatype.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.add(
                location,
                _("%(location)s must be a number, like 3 or 2.5, not %(value)s.")
                % {"location": location, "value": value[:40]},
            )
            return None
        return str(number)
    if spec.datatype == Datatype.DATETIME:
        moment = parse_w3c_datetime(value)
        if moment is None:
            problems.add(
                location,
                _("%(location)s must be a date and time with its time zone, like 2025-03-01T10:15:00+01:00.")
                % {"location": location},
            )
            return None
        return moment.isoformat(timespec="seconds")
    single_line = spec.datatype == Datatype.STRING
    problem = plain_text_problem(
        value,
        name=location,
        max_length=MAX_STRING_LENGTH if single_line else MAX_DESCRIPTION_LENGTH,
        single_line=single_line,
    )
    if problem:
        problems.add(location, problem)
        return None
    return value
