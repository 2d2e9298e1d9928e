"""The CKAN package dict and DCAT-AP RDF -> DatasetRecord mappings, without a server."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from cityhall.dcat import ckan, parse, vocab
from cityhall.dcat.parse import HarvestSourceError, Target
from tests.dcat.sources import EU, as_rdf_xml, ckan_package, dcat_catalog, dcat_dataset

TARGET = Target(
    source="county",
    department_id=uuid.uuid4(),
    department_name="Open Data Office",
    department_slug="open-data",
)


def test_a_ckan_package_maps_to_a_record() -> None:
    package = ckan_package(7)
    package["extras"] += [
        {"key": "temporal_start", "value": "2020-01-01"},
        {"key": "access_rights", "value": f"{EU}access-right/PUBLIC"},
        {"key": "uri", "value": "https://county.example/id/dataset/7"},
    ]
    package["resources"][0]["hash"] = "ab" * 32

    item = ckan.package_item(package, site="https://county.example", target=TARGET)

    record = item.record
    assert record is not None and item.error == ""
    assert record.identifier == "https://county.example/id/dataset/7"
    assert (record.name, record.title, record.description) == (
        "county-dataset-7",
        {"en": "County dataset 7"},
        {"en": "Description 7."},
    )
    assert (record.license_id, record.themes, record.frequency, record.access_rights) == (
        "CC-BY-4.0",
        ("ENVI",),
        "MONTHLY",
        "PUBLIC",
    )
    assert record.temporal_start == dt.date(2020, 1, 1)
    assert record.modified == dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC)  # CKAN's naive UTC
    assert (record.contact_name, record.contact_email) == ("County data team", "data@county.example")
    assert record.extras["source_publisher"] == "County Council"
    [file] = record.distributions
    assert (file.format, file.media_type, file.byte_size, file.checksum_sha256) == (
        "CSV",
        "text/csv",
        107,
        "ab" * 32,
    )
    assert file.download_url == file.access_url == "https://county.example/files/7.csv"
    assert record.publisher_id == TARGET.department_id and record.harvest_source == "county"


def test_a_ckan_entry_that_is_not_a_dataset_is_an_item_error() -> None:
    item = ckan.package_item("garbage", site="https://county.example", target=TARGET)

    assert item.record is None and "not a CKAN dataset" in item.error


def test_the_same_source_and_identifier_always_give_the_same_record() -> None:
    first = ckan.package_item(ckan_package(1), site="https://c.example", target=TARGET).record
    again = ckan.package_item(ckan_package(1), site="https://c.example", target=TARGET).record

    assert first == again


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cc-by", "CC-BY-4.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", "CC-BY-4.0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        (f"{EU}licence/ODC_BL", "ODbL-1.0"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0"),
        ("http://www.opendefinition.org/licenses/odc-pddl", "PDDL-1.0"),
        ("https://spdx.org/licenses/CC-BY-SA-4.0.html", "CC-BY-SA-4.0"),
        ("uk-ogl", "OGL-UK-3.0"),
        ("my-own-licence", None),
        ("", None),
    ],
)
def test_licences_are_recognised_and_never_guessed(value: str, expected: str | None) -> None:
    licence = vocab.licence_lookup(value)

    assert (licence.id if licence else None) == expected


def test_dcat_in_every_rdf_syntax_gives_the_same_records() -> None:
    turtle = dcat_catalog(dcat_dataset("a"), dcat_dataset("b"))

    from_turtle = parse.parse_catalog_page(
        turtle, content_type="text/turtle", url="https://c/x.ttl", target=TARGET
    )
    from_xml = parse.parse_catalog_page(
        as_rdf_xml(turtle), content_type="", url="https://c/x.rdf", target=TARGET
    )

    assert [i.record for i in from_turtle.items] == [i.record for i in from_xml.items]
    assert len(from_turtle.items) == 2 and from_turtle.next_url is None


def test_a_document_without_catalogue_or_dataset_is_refused() -> None:
    with pytest.raises(HarvestSourceError, match="holds no dcat:Catalog"):
        parse.parse_catalog_page(
            b"<a> <b> <c> .", content_type="text/turtle", url="https://c/x.ttl", target=TARGET
        )


def test_a_dataset_without_a_title_is_an_item_error() -> None:
    text = dcat_catalog(dcat_dataset("a")).replace(b'dct:title "A"@en ;', b"")

    [item] = parse.parse_catalog_page(
        text, content_type="text/turtle", url="https://c/x.ttl", target=TARGET
    ).items

    assert item.record is None and "has no title" in item.error
