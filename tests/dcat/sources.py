"""Harvested catalogues the tests serve from the local site: DCAT-AP Turtle and RDF/XML, CKAN answers."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

PREFIXES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
"""
EU = "http://publications.europa.eu/resource/authority/"


def dcat_dataset(
    key: str,
    *,
    title: str = "",
    licence: str = f"{EU}licence/CC_BY_4_0",
    modified: str = "2025-01-10T06:00:00Z",
) -> str:
    iri = f"https://county.example/dataset/{key}"
    return f"""
<{iri}> a dcat:Dataset ;
    dct:title "{title or key.replace("-", " ").title()}"@en ;
    dct:description "About {key}."@en ;
    dcat:keyword "{key}"@en ;
    dcat:theme <{EU}data-theme/ENVI> ;
    dct:accrualPeriodicity <{EU}frequency/DAILY> ;
    dcat:contactPoint [ a vcard:Kind ; vcard:fn "County desk" ;
        vcard:hasEmail <mailto:desk@county.example> ] ;
    dct:modified "{modified}"^^xsd:dateTime ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2015-01-01"^^xsd:date ] ;
    dcat:distribution <{iri}/csv> .
<{iri}/csv> a dcat:Distribution ;
    dct:title "{key} (CSV)"@en ;
    dcat:accessURL <https://county.example/files/{key}.csv> ;
    dcat:downloadURL <https://county.example/files/{key}.csv> ;
    dct:format <{EU}file-type/CSV> ;
    dct:license <{licence}> .
"""


def dcat_catalog(*datasets: str, next_page: str = "", this_page: str = "") -> bytes:
    members = ", ".join(f"<https://county.example/dataset/{key}>" for key in _keys(datasets))
    catalog = '<https://county.example/catalog> a dcat:Catalog ; dct:title "County"@en'
    catalog += f" ; dcat:dataset {members} .\n" if members else " .\n"
    paging = ""
    if next_page:
        paging = f"<{this_page}> a hydra:PartialCollectionView ; hydra:next <{next_page}> .\n"
    return (PREFIXES + catalog + paging + "".join(datasets)).encode()


def _keys(datasets: tuple[str, ...]) -> list[str]:
    keys = []
    for text in datasets:
        start = text.index("https://county.example/dataset/") + len("https://county.example/dataset/")
        keys.append(text[start : text.index(">", start)])
    return keys


def as_rdf_xml(turtle: bytes) -> bytes:
    return Graph().parse(data=turtle, format="turtle").serialize(format="xml", encoding="utf-8")


def ckan_package(n: int, *, license_id: str = "cc-by", title: str = "") -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "name": f"county-dataset-{n}",
        "title": title or f"County dataset {n}",
        "notes": f"Description {n}.",
        "license_id": license_id,
        "license_url": "",
        "maintainer": "County data team",
        "maintainer_email": "data@county.example",
        "metadata_created": "2024-01-01T10:00:00.000000",
        "metadata_modified": "2024-06-01T10:00:00.000000",
        "organization": {"name": "county", "title": "County Council"},
        "tags": [{"name": "county"}, {"name": f"tag{n}"}],
        "groups": [{"name": "envi"}],
        "extras": [{"key": "frequency", "value": "MONTHLY"}],
        "resources": [
            {
                "id": f"10000000-0000-0000-0000-{n:012d}",
                "name": f"Data {n}",
                "description": "The rows.",
                "url": f"https://county.example/files/{n}.csv",
                "format": "CSV",
                "mimetype": "text/csv",
                "size": 100 + n,
            }
        ],
    }


def ckan_search(packages: list[dict[str, Any]]) -> Any:
    """A package_search that honours rows and start (sorted by id, as asked)."""

    def answer(query: dict[str, list[str]]) -> Any:
        from tests.dcat.support import Reply

        rows = int(query.get("rows", ["10"])[0])
        start = int(query.get("start", ["0"])[0])
        ordered = sorted(packages, key=lambda p: p["id"])
        body = {"success": True, "result": {"count": len(ordered), "results": ordered[start : start + rows]}}
        return Reply(json.dumps(body).encode(), "application/json")

    return answer
