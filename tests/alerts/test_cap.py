"""CAP 1.2 as data and XML: the platform's own rules (what the XSD cannot check) and the XSD."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest
from lxml import etree

from cityhall.alerts import cap
from tests.alerts.support import CAP_XSD, CAP_XSD_SHA256, NS, SQUARE, assert_valid_cap

UTC = dt.UTC
BERLIN = dt.timezone(dt.timedelta(hours=1))


def minimal(**changes: object) -> cap.CapAlert:
    info = cap.CapInfo(
        language="en-GB",
        categories=("Met",),
        event="Flood",
        urgency="Immediate",
        severity="Severe",
        certainty="Likely",
        response_types=("Avoid",),
        expires="2030-01-02T18:00:00+01:00",
        sender_name="City of Example Emergency Management",
        headline="Flood warning for Riverside district",
        description="River levels are rising fast after heavy rain.",
        instruction="Keep away from the riverbank and underpasses.",
        web="https://city.example/alerts/city.example.2025.0007",
        areas=(cap.CapArea(area_desc="Riverside district", polygons=(SQUARE,)),),
    )
    values: dict[str, object] = {
        "identifier": "city.example.2025.0007",
        "sender": "alerts@city.example",
        "sent": "2030-01-02T10:00:00+01:00",
        "status": "Actual",
        "msg_type": "Alert",
        "scope": "Public",
        "infos": (info,),
    }
    values.update(changes)
    return cap.CapAlert(**values)  # type: ignore[arg-type]


def locations(problems: list[cap.Problem]) -> list[str]:
    return [problem.location for problem in problems]


def test_the_schema_file_is_the_published_one() -> None:
    assert hashlib.sha256(CAP_XSD.read_bytes()).hexdigest() == CAP_XSD_SHA256


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2025, 1, 2, 10, 0, 0, 123456, tzinfo=UTC), "2025-01-02T10:00:00-00:00"),
        (dt.datetime(2025, 1, 2, 10, 0, tzinfo=BERLIN), "2025-01-02T10:00:00+01:00"),
    ],
)
def test_cap_times_have_an_offset_no_z_and_no_fraction(moment: dt.datetime, text: str) -> None:
    assert cap.cap_datetime(moment) == text
    assert cap.CAP_DATETIME.match(text)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        cap.cap_datetime(dt.datetime(2025, 1, 2, 10, 0))


def test_the_minimal_message_is_valid_by_the_rules_and_by_the_xsd() -> None:
    alert = minimal()
    assert cap.validate(alert, now=dt.datetime(2030, 1, 1, tzinfo=UTC)) == []
    document = assert_valid_cap(cap.to_xml(alert))
    assert document.findtext("cap:info/cap:area/cap:polygon", namespaces=NS) == SQUARE


def test_elements_come_in_the_xsd_order() -> None:
    document = etree.fromstring(cap.to_xml(minimal(note="Exercise 7", incidents="INC-1")))
    names = [etree.QName(child).localname for child in document]
    assert names == [
        "identifier", "sender", "sent", "status", "msgType", "scope", "note", "incidents", "info",
    ]  # fmt: skip
    info = [etree.QName(child).localname for child in document.find("cap:info", NS)]
    assert info == [
        "language", "category", "event", "responseType", "urgency", "severity", "certainty", "expires",
        "senderName", "headline", "description", "instruction", "web", "area",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("47.975,11.005 47.985,11.005 47.985,11.015 47.975,11.015", "not closed"),
        ("47.975,11.005 47.985,11.005 47.975,11.005", "at least 4 points"),
        ("97.975,11.005 47.985,11.005 47.985,11.015 97.975,11.005", "latitude 97.975 is out of range"),
        ("47.975,191.005 47.985,11.005 47.985,11.015 47.975,191.005", "longitude 191.005 is out of range"),
        ("47.975,11.005 47.985,11.015 47.985,11.005 47.975,11.015 47.975,11.005", "crosses itself"),
        ("47.9751234,11.005 47.985,11.005 47.985,11.015 47.9751234,11.005", "more than 6 decimals"),
        ("47.975;11.005 47.985,11.005 47.985,11.015 47.975;11.005", "latitude,longitude"),
    ],
)
def test_bad_polygons_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(cap.CapError, match=message):
        cap.parse_polygon(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("47.98,11.00", "not a circle"),
        ("47.98,11.00 0", "more than 0 km"),
        ("-91,11.00 2", "out of range"),
        ("47.98, 11.00 2", "not a circle"),
    ],
)
def test_bad_circles_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(cap.CapError, match=message):
        cap.parse_circle(text)


def test_a_circle_is_latitude_longitude_and_kilometres() -> None:
    assert cap.parse_circle("40.4168,-3.7038 2.5") == (40.4168, -3.7038, 2.5)


def test_polygon_text_writes_latitude_first_and_closes_the_ring() -> None:
    assert cap.polygon_text([(1.0, 2.0), (1.0, 3.0), (2.0, 3.0)]) == "1,2 1,3 2,3 1,2"


def test_identifier_and_sender_must_not_hold_forbidden_characters() -> None:
    problems = cap.validate(minimal(identifier="city 7", sender="a,b@x"))
    assert {"identifier", "sender"} <= set(locations(problems))


def test_restriction_and_addresses_follow_the_scope() -> None:
    assert "restriction" in locations(cap.validate(minimal(restriction="staff only")))
    assert "restriction" in locations(cap.validate(minimal(scope="Restricted")))
    assert "addresses" in locations(cap.validate(minimal(scope="Private")))


def test_a_ceiling_needs_an_altitude_below_it() -> None:
    info = minimal().infos[0]
    for area in (
        cap.CapArea("Riverside", polygons=(SQUARE,), ceiling=100.0),
        cap.CapArea("Riverside", polygons=(SQUARE,), altitude=200.0, ceiling=100.0),
    ):
        changed = dataclasses.replace(info, areas=(area,))
        problems = cap.validate(minimal(infos=(changed,)))
        assert "infos.0.areas.0.ceiling" in locations(problems)


def test_expiry_before_the_effective_time_is_refused() -> None:
    info = dataclasses.replace(
        minimal().infos[0], effective="2030-01-02T12:00:00+01:00", expires="2030-01-02T11:00:00+01:00"
    )
    problems = cap.validate(minimal(infos=(info,)))
    assert "infos.0.expires" in locations(problems)


def test_an_expiry_in_the_past_is_refused() -> None:
    problems = cap.validate(minimal(), now=dt.datetime(2031, 1, 1, tzinfo=UTC))
    assert any("has passed" in p.message for p in problems)


def test_update_and_cancel_must_reference_what_is_in_force() -> None:
    earlier = cap.CapReference("alerts@city.example", "city.example.2025.0006", "2030-01-02T09:00:00+01:00")
    other = cap.CapReference("alerts@city.example", "city.example.2025.0005", "2030-01-02T08:00:00+01:00")
    assert "references" in locations(cap.validate(minimal(msg_type="Update")))
    problems = cap.validate(minimal(msg_type="Cancel", references=(earlier,)), active=[earlier, other])
    assert any("city.example.2025.0005" in p.message for p in problems)
    assert (
        cap.validate(minimal(msg_type="Cancel", references=(earlier, other)), active=[earlier, other]) == []
    )


def test_a_message_must_not_reference_itself_or_a_later_one() -> None:
    itself = cap.CapReference("alerts@city.example", "city.example.2025.0007", "2030-01-02T10:00:00+01:00")
    later = cap.CapReference("alerts@city.example", "city.example.2025.0009", "2030-01-02T11:00:00+01:00")
    messages = [p.message for p in cap.validate(minimal(msg_type="Update", references=(itself, later)))]
    assert "A message must not reference itself." in messages
    assert any("sent after this message" in m for m in messages)


def test_html_in_text_is_refused() -> None:
    info = dataclasses.replace(minimal().infos[0], description="Water <b>rising</b> &amp; more")
    assert "infos.0.description" in locations(cap.validate(minimal(infos=(info,))))


def test_every_language_shares_category_urgency_severity_and_times() -> None:
    english = minimal().infos[0]
    spanish = dataclasses.replace(
        english, language="es", severity="Minor", headline="Aviso de inundación", description="El río crece."
    )
    problems = cap.validate(minimal(infos=(english, spanish)))
    assert "infos.1.severity" in locations(problems)


def test_the_same_text_pasted_into_two_languages_is_refused() -> None:
    english = minimal().infos[0]
    copy = dataclasses.replace(english, language="es")
    assert "infos.headline" in locations(cap.validate(minimal(infos=(english, copy))))


def test_the_public_profile_needs_area_expiry_description_and_web() -> None:
    bare = dataclasses.replace(minimal().infos[0], areas=(), expires="", description="", web="")
    found = set(locations(cap.validate(minimal(infos=(bare,)))))
    assert {"infos.0.areas", "infos.0.expires", "infos.0.description", "infos.0.web"} <= found


def test_a_document_reads_back_as_the_same_data() -> None:
    alert = minimal(references=(), codes=("IPAWSv1.0",))
    assert cap.from_xml(cap.to_xml(alert)) == alert


def test_the_parser_does_not_expand_entities_or_fetch_anything() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&secret;</identifier></alert>'
    )
    parsed = cap.from_xml(hostile)
    assert "root:" not in parsed.identifier


def test_a_document_that_is_not_cap_is_refused() -> None:
    with pytest.raises(cap.CapError, match="root element"):
        cap.from_xml(b"<feed xmlns='http://www.w3.org/2005/Atom'/>")
    with pytest.raises(cap.CapError, match="not well-formed"):
        cap.from_xml(b"<alert")


def test_schema_problems_reports_what_the_xsd_refuses() -> None:
    good = cap.to_xml(minimal())
    assert cap.schema_problems(good, str(CAP_XSD)) == []
    bad = good.replace(b"<status>Actual</status>", b"<status>Real</status>")
    assert cap.schema_problems(bad, str(CAP_XSD))
    assert cap.schema_problems(good, "/nonexistent.xsd") is None
