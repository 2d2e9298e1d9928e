"""CAP 1.2: the document as data, its XML (built with lxml in XSD order), and the rules the XSD
does not check (OASIS CAP 1.2; the reference sheet in shared/standards/cap-1.2.md, §10).

Nothing here touches the database: services turn models into a CapAlert, validate it, and store
the exact bytes `to_xml` returns.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree
from shapely.geometry import Polygon

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_MEDIA_TYPE = "application/cap+xml"
_N = f"{{{CAP_NS}}}"

CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)
RESPONSE_TYPES = (
    "Shelter",
    "Evacuate",
    "Prepare",
    "Execute",
    "Avoid",
    "Monitor",
    "Assess",
    "AllClear",
    "None",
)
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")

CAP_DATETIME = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
IDENTIFIER_SAFE = re.compile(r"^[A-Za-z0-9._:@-]+$")
FORBIDDEN_IN_IDENTIFIER = re.compile(r"[\s,<&]")
CIRCLE = re.compile(r"^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$")
HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
HTML_ENTITY = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
MIME_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
MAX_DECIMALS = 6


class CapError(ValueError):
    """One thing wrong with a CAP value; `location` names the field (e.g. areas.0.polygons.1)."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    location: str
    message: str


# --- Values ---------------------------------------------------------------------------------


def cap_datetime(moment: dt.datetime) -> str:
    """`YYYY-MM-DDThh:mm:ss±hh:mm`: no Z, no fractions; UTC is written -00:00 (CAP 1.2 §3.3.2)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("CAP needs an aware datetime")
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def parse_cap_datetime(text: str) -> dt.datetime:
    if not CAP_DATETIME.match(text.strip()):
        raise ValueError(f"“{text}” is not a CAP date-time (YYYY-MM-DDThh:mm:ss±hh:mm).")
    return dt.datetime.fromisoformat(text.strip())


def _number(text: str, location: str, what: str) -> float:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise CapError(location, f"{what} “{text}” is not a number.") from error
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise CapError(location, f"{what} “{text}” has more than {MAX_DECIMALS} decimals; round it.")
    return float(value)


def _point(text: str, location: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise CapError(location, f"“{text}” is not a “latitude,longitude” pair.")
    latitude = _number(parts[0].strip(), location, "The latitude")
    longitude = _number(parts[1].strip(), location, "The longitude")
    if not -90 <= latitude <= 90:
        raise CapError(location, f"The latitude {parts[0]} is out of range: it must be between -90 and 90.")
    if not -180 <= longitude <= 180:
        raise CapError(
            location, f"The longitude {parts[1]} is out of range: it must be between -180 and 180."
        )
    return latitude, longitude


def parse_polygon(text: str, location: str = "polygon") -> list[tuple[float, float]]:
    """CAP polygon: space-separated `lat,lon` pairs, at least 4, first equal to last, not self-crossing."""
    pairs = text.split()
    points = [_point(pair, location) for pair in pairs]
    if len(points) < 4:
        raise CapError(
            location,
            f"A polygon needs at least 4 points (the first repeated at the end); this one has {len(points)}.",
        )
    if points[0] != points[-1]:
        raise CapError(
            location,
            f"The polygon is not closed: its last point ({pairs[-1]}) must be the same as "
            f"its first ({pairs[0]}).",
        )
    shape = Polygon([(longitude, latitude) for latitude, longitude in points])
    if not shape.is_valid or shape.area == 0:
        raise CapError(
            location, "The polygon crosses itself or has no area; draw its edges in order around it."
        )
    return points


def parse_circle(text: str, location: str = "circle") -> tuple[float, float, float]:
    """CAP circle: `lat,lon radius` with the radius in kilometres, greater than zero."""
    match = CIRCLE.match(text.strip())
    if not match:
        raise CapError(location, f"“{text}” is not a circle: write “latitude,longitude radius-in-km”.")
    latitude, longitude = _point(f"{match.group(1)},{match.group(2)}", location)
    radius = _number(match.group(3), location, "The radius")
    if radius <= 0:
        raise CapError(location, "A circle's radius must be more than 0 km.")
    return latitude, longitude, radius


def _coordinate(value: float) -> str:
    text = f"{value:.{MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def polygon_text(points: Iterable[tuple[float, float]]) -> str:
    """(lat, lon) points to CAP text, at most 6 decimals, closed."""
    points = list(points)
    if points and points[0] != points[-1]:
        points.append(points[0])
    return " ".join(f"{_coordinate(lat)},{_coordinate(lon)}" for lat, lon in points)


def circle_text(latitude: float, longitude: float, radius_km: float) -> str:
    return f"{_coordinate(latitude)},{_coordinate(longitude)} {_coordinate(radius_km)}"


# --- The document as data -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapReference:
    sender: str
    identifier: str
    sent: str  # exactly as written in the referenced message

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent}"


def parse_references(text: str) -> list[CapReference]:
    references = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3:
            raise CapError("references", f"“{triple}” is not a “sender,identifier,sent” triple.")
        references.append(CapReference(*parts))
    return references


@dataclass(frozen=True, slots=True)
class CapArea:
    area_desc: str
    polygons: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class CapResource:
    resource_desc: str
    mime_type: str
    size: int | None = None
    uri: str = ""
    deref_uri: str = ""
    digest: str = ""


@dataclass(frozen=True, slots=True)
class CapInfo:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    response_types: tuple[str, ...] = ()
    audience: str = ""
    event_codes: tuple[tuple[str, str], ...] = ()
    effective: str = ""
    onset: str = ""
    expires: str = ""
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    resources: tuple[CapResource, ...] = ()
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True, slots=True)
class CapAlert:
    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    scope: str
    source: str = ""
    restriction: str = ""
    addresses: str = ""
    codes: tuple[str, ...] = ()
    note: str = ""
    references: tuple[CapReference, ...] = ()
    incidents: str = ""
    infos: tuple[CapInfo, ...] = field(default_factory=tuple)


# --- XML ------------------------------------------------------------------------------------


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is None or text == "":
        return
    element = etree.SubElement(parent, _N + name)
    element.text = text


def _value_pair(parent: etree._Element, name: str, pair: tuple[str, str]) -> None:
    element = etree.SubElement(parent, _N + name)
    _add(element, "valueName", pair[0])
    _add(element, "value", pair[1])


def to_xml(alert: CapAlert) -> bytes:
    """The document, element by element in the XSD's sequence order, UTF-8 with a declaration."""
    root = etree.Element(_N + "alert", nsmap={None: CAP_NS})  # type: ignore[dict-item]  # lxml: default namespace
    for name, value in (
        ("identifier", alert.identifier),
        ("sender", alert.sender),
        ("sent", alert.sent),
        ("status", alert.status),
        ("msgType", alert.msg_type),
        ("source", alert.source),
        ("scope", alert.scope),
        ("restriction", alert.restriction),
        ("addresses", alert.addresses),
    ):
        _add(root, name, value)
    for code in alert.codes:
        _add(root, "code", code)
    _add(root, "note", alert.note)
    _add(root, "references", " ".join(reference.text() for reference in alert.references))
    _add(root, "incidents", alert.incidents)
    for info in alert.infos:
        _info_xml(root, info)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _info_xml(root: etree._Element, info: CapInfo) -> None:
    element = etree.SubElement(root, _N + "info")
    _add(element, "language", info.language)
    for category in info.categories:
        _add(element, "category", category)
    _add(element, "event", info.event)
    for response_type in info.response_types:
        _add(element, "responseType", response_type)
    for name, value in (
        ("urgency", info.urgency),
        ("severity", info.severity),
        ("certainty", info.certainty),
        ("audience", info.audience),
    ):
        _add(element, name, value)
    for pair in info.event_codes:
        _value_pair(element, "eventCode", pair)
    for name, value in (
        ("effective", info.effective),
        ("onset", info.onset),
        ("expires", info.expires),
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web),
        ("contact", info.contact),
    ):
        _add(element, name, value)
    for pair in info.parameters:
        _value_pair(element, "parameter", pair)
    for resource in info.resources:
        node = etree.SubElement(element, _N + "resource")
        _add(node, "resourceDesc", resource.resource_desc)
        _add(node, "mimeType", resource.mime_type)
        _add(node, "size", None if resource.size is None else str(resource.size))
        _add(node, "uri", resource.uri)
        _add(node, "derefUri", resource.deref_uri)
        _add(node, "digest", resource.digest)
    for area in info.areas:
        node = etree.SubElement(element, _N + "area")
        _add(node, "areaDesc", area.area_desc)
        for polygon in area.polygons:
            _add(node, "polygon", polygon)
        for circle in area.circles:
            _add(node, "circle", circle)
        for pair in area.geocodes:
            _value_pair(node, "geocode", pair)
        _add(node, "altitude", None if area.altitude is None else _coordinate(area.altitude))
        _add(node, "ceiling", None if area.ceiling is None else _coordinate(area.ceiling))


def safe_parser() -> etree.XMLParser:
    """For XML from outside: no entity expansion, no DTD loading, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_xml(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise CapError("document", f"The document is not well-formed XML: {error}.") from error
    if root.tag != _N + "alert":
        raise CapError("document", f"The root element must be <alert> in the namespace {CAP_NS}.")
    return root


def _text(parent: etree._Element, name: str) -> str:
    found = parent.find(_N + name)
    return (found.text or "").strip() if found is not None else ""


def _texts(parent: etree._Element, name: str) -> tuple[str, ...]:
    return tuple((child.text or "").strip() for child in parent.findall(_N + name))


def _pairs(parent: etree._Element, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((_text(child, "valueName"), _text(child, "value")) for child in parent.findall(_N + name))


def from_xml(data: bytes) -> CapAlert:
    """Read a CAP 1.2 document (ours or another agency's) with the hardened parser."""
    root = parse_xml(data)
    infos = []
    for info in root.findall(_N + "info"):
        areas = tuple(
            CapArea(
                area_desc=_text(area, "areaDesc"),
                polygons=_texts(area, "polygon"),
                circles=_texts(area, "circle"),
                geocodes=_pairs(area, "geocode"),
                altitude=float(_text(area, "altitude")) if _text(area, "altitude") else None,
                ceiling=float(_text(area, "ceiling")) if _text(area, "ceiling") else None,
            )
            for area in info.findall(_N + "area")
        )
        infos.append(
            CapInfo(
                language=_text(info, "language"),
                categories=_texts(info, "category"),
                event=_text(info, "event"),
                urgency=_text(info, "urgency"),
                severity=_text(info, "severity"),
                certainty=_text(info, "certainty"),
                response_types=_texts(info, "responseType"),
                audience=_text(info, "audience"),
                event_codes=_pairs(info, "eventCode"),
                effective=_text(info, "effective"),
                onset=_text(info, "onset"),
                expires=_text(info, "expires"),
                sender_name=_text(info, "senderName"),
                headline=_text(info, "headline"),
                description=_text(info, "description"),
                instruction=_text(info, "instruction"),
                web=_text(info, "web"),
                contact=_text(info, "contact"),
                parameters=_pairs(info, "parameter"),
                areas=areas,
            )
        )
    return CapAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_text(root, "sent"),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        source=_text(root, "source"),
        restriction=_text(root, "restriction"),
        addresses=_text(root, "addresses"),
        codes=_texts(root, "code"),
        note=_text(root, "note"),
        references=tuple(parse_references(_text(root, "references"))),
        incidents=_text(root, "incidents"),
        infos=tuple(infos),
    )


@functools.lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path, safe_parser()))


def schema_problems(data: bytes, schema_path: str) -> list[Problem] | None:
    """Problems the OASIS XSD finds; None when the schema file is not there to check with."""
    if not schema_path or not Path(schema_path).is_file():
        return None
    schema = _schema(schema_path)
    document = etree.fromstring(data, safe_parser())
    if schema.validate(document):
        return []
    errors: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # iterable at run time
    return [Problem(f"xml line {error.line}", error.message) for error in errors]


# --- The rules the XSD does not check -------------------------------------------------------


def _plain_text(location: str, value: str, problems: list[Problem]) -> None:
    if HTML_TAG.search(value) or HTML_ENTITY.search(value):
        problems.append(
            Problem(location, "Write plain text: HTML tags and entities are not allowed in CAP text.")
        )


def validate(
    alert: CapAlert,
    *,
    now: dt.datetime | None = None,
    active: Iterable[CapReference] | None = None,
    public_profile: bool = True,
) -> list[Problem]:
    """CAP 1.2 §10 of the reference sheet: every rule the XSD cannot express. Empty list: valid.

    `active` are the thread's messages still in force; an Update or Cancel must reference them all.
    `public_profile` adds the public-alert rules (info, area, expires, description, web).
    """
    problems: list[Problem] = []
    for name, value in (("identifier", alert.identifier), ("sender", alert.sender)):
        if not value:
            problems.append(Problem(name, f"The {name} is required."))
        elif FORBIDDEN_IN_IDENTIFIER.search(value):
            problems.append(Problem(name, f"The {name} must not contain spaces, commas, “<” or “&”."))
    sent: dt.datetime | None = None
    try:
        sent = parse_cap_datetime(alert.sent)
    except ValueError as error:
        problems.append(Problem("sent", str(error)))
    if alert.status not in STATUSES:
        problems.append(Problem("status", f"“{alert.status}” is not a CAP status."))
    if alert.msg_type not in MSG_TYPES:
        problems.append(Problem("msgType", f"“{alert.msg_type}” is not a CAP message type."))
    if alert.scope not in SCOPES:
        problems.append(Problem("scope", f"“{alert.scope}” is not a CAP scope."))
    if alert.restriction and alert.scope != "Restricted":
        problems.append(Problem("restriction", "A restriction is only for alerts with scope Restricted."))
    if alert.scope == "Restricted" and not alert.restriction:
        problems.append(Problem("restriction", "Say who may receive a Restricted alert."))
    if alert.scope == "Private" and not alert.addresses:
        problems.append(Problem("addresses", "A Private alert needs the addresses it goes to."))
    _validate_references(alert, sent, active, problems)
    for position, info in enumerate(alert.infos):
        _validate_info(f"infos.{position}", info, sent, now, problems)
    _validate_across_infos(alert, problems)
    if public_profile:
        if not alert.infos:
            problems.append(Problem("infos", "A public alert needs at least one text (one per language)."))
        for position, info in enumerate(alert.infos):
            where = f"infos.{position}"
            if not info.areas:
                problems.append(Problem(f"{where}.areas", "A public alert needs at least one area."))
            if not info.expires:
                problems.append(Problem(f"{where}.expires", "A public alert needs an expiry time."))
            if not info.description:
                problems.append(Problem(f"{where}.description", "A public alert needs a description."))
            if not info.web:
                problems.append(
                    Problem(f"{where}.web", "A public alert needs a web address for more information.")
                )
    return problems


def _validate_references(
    alert: CapAlert, sent: dt.datetime | None, active: Iterable[CapReference] | None, problems: list[Problem]
) -> None:
    own = (alert.sender, alert.identifier)
    for reference in alert.references:
        if (reference.sender, reference.identifier) == own:
            problems.append(Problem("references", "A message must not reference itself."))
        try:
            referenced_sent = parse_cap_datetime(reference.sent)
        except ValueError as error:
            problems.append(Problem("references", str(error)))
            continue
        if sent is not None and referenced_sent > sent:
            problems.append(Problem("references", f"{reference.identifier} was sent after this message."))
    if alert.msg_type in {"Update", "Cancel", "Ack", "Error"} and not alert.references:
        problems.append(Problem("references", f"A {alert.msg_type} must reference the messages it is about."))
    if active is not None and alert.msg_type in {"Update", "Cancel"}:
        given = {(r.sender, r.identifier) for r in alert.references}
        missing = [r.identifier for r in active if (r.sender, r.identifier) not in given]
        if missing:
            problems.append(
                Problem(
                    "references",
                    f"It must reference every message still in force; missing: {', '.join(missing)}.",
                )
            )


def _validate_info(
    where: str, info: CapInfo, sent: dt.datetime | None, now: dt.datetime | None, problems: list[Problem]
) -> None:
    if info.language and not LANGUAGE_TAG.match(info.language):
        problems.append(
            Problem(f"{where}.language", f"“{info.language}” is not a language tag such as en or es-ES.")
        )
    if not info.categories:
        problems.append(Problem(f"{where}.categories", "Choose at least one category."))
    for category in info.categories:
        if category not in CATEGORIES:
            problems.append(Problem(f"{where}.categories", f"“{category}” is not a CAP category."))
    for response_type in info.response_types:
        if response_type not in RESPONSE_TYPES:
            problems.append(
                Problem(f"{where}.response_types", f"“{response_type}” is not a CAP response type.")
            )
    if not info.event:
        problems.append(Problem(f"{where}.event", "Name the event (for example “Flood”)."))
    for name, value, allowed in (
        ("urgency", info.urgency, URGENCIES),
        ("severity", info.severity, SEVERITIES),
        ("certainty", info.certainty, CERTAINTIES),
    ):
        if value not in allowed:
            problems.append(Problem(f"{where}.{name}", f"Choose the {name} ({', '.join(allowed)})."))
    if len(info.headline) > 160:
        problems.append(Problem(f"{where}.headline", "Keep the headline to 160 characters at most."))
    for name in ("event", "headline", "description", "instruction", "audience", "contact", "sender_name"):
        _plain_text(f"{where}.{name}", getattr(info, name), problems)
    times: dict[str, dt.datetime] = {}
    for name in ("effective", "onset", "expires"):
        value = getattr(info, name)
        if value:
            try:
                times[name] = parse_cap_datetime(value)
            except ValueError as error:
                problems.append(Problem(f"{where}.{name}", str(error)))
    start = times.get("effective") or sent
    if "expires" in times and start is not None and times["expires"] <= start:
        problems.append(
            Problem(f"{where}.expires", "The expiry time must be after the time the alert takes effect.")
        )
    if "expires" in times and now is not None and times["expires"] <= now:
        problems.append(Problem(f"{where}.expires", "The expiry time has passed: set one in the future."))
    if info.web and not re.match(r"^https?://[^\s]+$", info.web):
        problems.append(Problem(f"{where}.web", "The web address must be an absolute http(s) URL."))
    for position, resource in enumerate(info.resources):
        _validate_resource(f"{where}.resources.{position}", resource, problems)
    for position, area in enumerate(info.areas):
        _validate_area(f"{where}.areas.{position}", area, problems)


def _validate_resource(where: str, resource: CapResource, problems: list[Problem]) -> None:
    if not MIME_TYPE.match(resource.mime_type):
        problems.append(Problem(f"{where}.mime_type", "The MIME type must look like type/subtype."))
    if resource.deref_uri:
        try:
            base64.b64decode(resource.deref_uri, validate=True)
        except ValueError:
            problems.append(Problem(f"{where}.deref_uri", "derefUri must be valid base64."))
    elif resource.uri and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", resource.uri):
        problems.append(Problem(f"{where}.uri", "The URI must be absolute unless derefUri carries the file."))


def _validate_area(where: str, area: CapArea, problems: list[Problem]) -> None:
    if not area.area_desc:
        problems.append(Problem(f"{where}.area_desc", "Describe the area in words."))
    _plain_text(f"{where}.area_desc", area.area_desc, problems)
    if not area.polygons and not area.circles:
        problems.append(Problem(where, "An area needs at least one polygon or circle."))
    for position, polygon in enumerate(area.polygons):
        try:
            parse_polygon(polygon, f"{where}.polygons.{position}")
        except CapError as error:
            problems.append(Problem(error.location, error.message))
    for position, circle in enumerate(area.circles):
        try:
            parse_circle(circle, f"{where}.circles.{position}")
        except CapError as error:
            problems.append(Problem(error.location, error.message))
    if area.ceiling is not None and area.altitude is None:
        problems.append(Problem(f"{where}.ceiling", "A ceiling needs an altitude."))
    if area.ceiling is not None and area.altitude is not None and area.altitude > area.ceiling:
        problems.append(Problem(f"{where}.ceiling", "The altitude must not be above the ceiling."))


def _validate_across_infos(alert: CapAlert, problems: list[Problem]) -> None:
    """Google and IPAWS: same category, urgency, severity, certainty and times in every language;
    one text per language; no text pasted unchanged into two languages."""
    if len(alert.infos) < 2:
        return
    first = alert.infos[0]
    for position, info in enumerate(alert.infos[1:], start=1):
        for name in ("categories", "urgency", "severity", "certainty", "effective", "onset", "expires"):
            if getattr(info, name) != getattr(first, name):
                problems.append(
                    Problem(f"infos.{position}.{name}", f"The {name} must be the same in every language.")
                )
    languages = [info.language or "en-US" for info in alert.infos]
    for language in {code for code in languages if languages.count(code) > 1}:
        problems.append(Problem("infos", f"There are two texts in the language {language}; keep one."))
    for name in ("headline", "description"):
        texts = [getattr(info, name) for info in alert.infos if getattr(info, name)]
        if len(texts) != len(set(texts)):
            problems.append(
                Problem(f"infos.{name}", f"The same {name} appears in two languages; translate it.")
            )
