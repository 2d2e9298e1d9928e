"""Namespaces and the EU controlled vocabularies DCAT-AP 3 asks for, in one place.

Cityhall stores codes ("ENVI", "MONTHLY", "CC-BY-4.0"); this module builds the IRIs from them and
reads IRIs back into codes when harvesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")

EU = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")

PREFIXES = {
    "dcat": DCAT,
    "dct": DCTERMS,
    "dcatap": DCATAP,
    "foaf": FOAF,
    "vcard": VCARD,
    "skos": SKOS,
    "adms": ADMS,
    "spdx": SPDX,
    "locn": LOCN,
    "hydra": HYDRA,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
}

DATA_THEMES: dict[str, str] = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "GOVE": "Government and public sector",
    "HEAL": "Health",
    "INTR": "International issues",
    "JUST": "Justice, legal system and public safety",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TECH": "Science and technology",
    "TRAN": "Transport",
}

FREQUENCIES: dict[str, str] = {
    "CONT": "Continuous",
    "UPDATE_CONT": "Continuously updated",
    "HOURLY": "Hourly",
    "DAILY": "Daily",
    "WEEKLY": "Weekly",
    "BIWEEKLY": "Biweekly",
    "MONTHLY": "Monthly",
    "BIMONTHLY": "Bimonthly",
    "QUARTERLY": "Quarterly",
    "ANNUAL": "Annual",
    "BIENNIAL": "Biennial",
    "IRREG": "Irregular",
    "NEVER": "Never",
    "OTHER": "Other",
    "UNKNOWN": "Unknown",
}

ACCESS_RIGHTS: dict[str, str] = {"PUBLIC": "Public", "RESTRICTED": "Restricted", "NON_PUBLIC": "Non-public"}

# Formats as CKAN and publishers write them -> EU File Type code.
FILE_TYPES: dict[str, str] = {
    "CSV": "CSV",
    "TSV": "TSV",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "ODS": "ODS",
    "PDF": "PDF",
    "XML": "XML",
    "HTML": "HTML",
    "TXT": "TXT",
    "ZIP": "ZIP",
    "KML": "KML",
    "GML": "GML",
    "SHP": "SHP",
    "GPKG": "GPKG",
    "TTL": "RDF_TURTLE",
    "TURTLE": "RDF_TURTLE",
    "RDF": "RDF_XML",
    "RDF/XML": "RDF_XML",
    "JSON-LD": "JSON_LD",
    "JSONLD": "JSON_LD",
    "PARQUET": "PARQUET",
    "API": "REST",
}

# ISO 639-1 (what Cityhall stores) -> EU Languages code.
LANGUAGES: dict[str, str] = {
    "en": "ENG",
    "es": "SPA",
    "fr": "FRA",
    "de": "DEU",
    "it": "ITA",
    "nl": "NLD",
    "pt": "POR",
    "ca": "CAT",
    "pl": "POL",
    "ar": "ARA",
    "sv": "SWE",
    "da": "DAN",
    "fi": "FIN",
    "el": "ELL",
}


@dataclass(frozen=True, slots=True)
class Licence:
    id: str  # SPDX-like id, as Cityhall stores it
    title: str
    eu_code: str  # code in the EU Licences NAL ("" when it has none)
    aliases: tuple[str, ...] = ()  # CKAN license_id values and known URLs


# The licences the catalog accepts (cityhall/catalog/vocabularies.py), with the ways other
# catalogues name them. A harvested licence that is none of these is refused, never guessed.
LICENCES: tuple[Licence, ...] = (
    Licence(
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0",
        "CC_BY_4_0",
        ("cc-by", "cc-by-4.0", "creativecommons.org/licenses/by/4.0"),
    ),
    Licence(
        "CC-BY-SA-4.0",
        "Creative Commons Attribution-ShareAlike 4.0",
        "CC_BYSA_4_0",
        ("cc-by-sa", "cc-by-sa-4.0", "creativecommons.org/licenses/by-sa/4.0"),
    ),
    Licence(
        "CC0-1.0",
        "Creative Commons CC0 1.0 Universal",
        "CC0",
        ("cc-zero", "cc0", "creativecommons.org/publicdomain/zero/1.0"),
    ),
    Licence(
        "ODbL-1.0",
        "Open Data Commons Open Database License 1.0",
        "ODC_BL",
        (
            "odc-odbl",
            "opendatacommons.org/licenses/odbl",
            "opendatacommons.org/licenses/odbl/1.0",
            "opendatacommons.org/licenses/odbl/1-0",
        ),
    ),
    Licence(
        "ODC-By-1.0",
        "Open Data Commons Attribution License 1.0",
        "ODC_BY",
        (
            "odc-by",
            "opendatacommons.org/licenses/by",
            "opendatacommons.org/licenses/by/1.0",
            "opendatacommons.org/licenses/by/1-0",
        ),
    ),
    Licence(
        "PDDL-1.0",
        "Open Data Commons Public Domain Dedication and License 1.0",
        "ODC_PDDL",
        (
            "odc-pddl",
            "opendatacommons.org/licenses/pddl",
            "opendatacommons.org/licenses/pddl/1.0",
            "opendatacommons.org/licenses/pddl/1-0",
        ),
    ),
    Licence(
        "OGL-UK-3.0",
        "Open Government Licence 3.0",
        "OGL_3_0",
        ("uk-ogl", "nationalarchives.gov.uk/doc/open-government-licence/version/3"),
    ),
    # No EU code: their IRI is minted under the catalogue's base.
    Licence("notspecified", "Licence not specified", ""),
    Licence("other-closed", "Other (not open)", ""),
)

_BY_ID = {licence.id: licence for licence in LICENCES}


def _normalise(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^https?://", "", value)
    value = re.sub(r"^www\.", "", value)
    value = re.sub(r"(/legalcode(\.[a-z-]+)?|/deed\.[a-z-]+|\.html?|/)+$", "", value)
    return value


def _licence_keys() -> dict[str, Licence]:
    keys: dict[str, Licence] = {}
    for licence in LICENCES:
        keys[_normalise(licence.id)] = licence
        keys[_normalise(f"spdx.org/licenses/{licence.id}")] = licence
        keys[_normalise(f"opendefinition.org/licenses/{licence.id}")] = licence
        for alias in licence.aliases:
            keys[_normalise(alias)] = licence
            keys[_normalise(f"opendefinition.org/licenses/{alias}")] = licence
        if licence.eu_code:
            keys[_normalise(EU + "licence/" + licence.eu_code)] = licence
    return keys


_LICENCE_KEYS = _licence_keys()


def licence_lookup(value: str) -> Licence | None:
    """The licence that an id, a CKAN license_id or a licence URL names; None when unknown."""
    if not value or not value.strip():
        return None
    return _LICENCE_KEYS.get(_normalise(value))


def licence_by_id(licence_id: str) -> Licence | None:
    return _BY_ID.get(licence_id) or licence_lookup(licence_id)


def licence_iri(licence_id: str, *, base: str, fallback_url: str = "") -> URIRef | None:
    licence = licence_by_id(licence_id)
    if licence is not None and licence.eu_code:
        return URIRef(EU + "licence/" + licence.eu_code)
    if fallback_url.startswith(("http://", "https://")):
        return URIRef(fallback_url)
    if licence_id:
        return URIRef(f"{base}/licence/{licence.id if licence else licence_id}")
    return None


def theme_iri(code: str) -> URIRef:
    return URIRef(EU + "data-theme/" + code)


def frequency_iri(code: str) -> URIRef:
    return URIRef(EU + "frequency/" + code)


def access_rights_iri(code: str) -> URIRef:
    return URIRef(EU + "access-right/" + code)


def language_iri(language: str) -> URIRef | None:
    code = LANGUAGES.get(language.split("-")[0].lower())
    return URIRef(EU + "language/" + code) if code else None


def file_type_iri(file_format: str) -> URIRef | None:
    code = FILE_TYPES.get(file_format.strip().upper().lstrip("."))
    return URIRef(EU + "file-type/" + code) if code else None


def media_type_iri(media_type: str) -> URIRef | None:
    media_type = media_type.strip().lower().split(";")[0]
    if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*", media_type):
        return None
    return URIRef(IANA_MEDIA_TYPES + media_type)


def code_from_iri(value: str, vocabulary: str) -> str | None:
    """ "ENVI" from .../authority/data-theme/ENVI (http or https, with or without a trailing slash)."""
    match = re.fullmatch(
        rf"https?://publications\.europa\.eu/resource/authority/{re.escape(vocabulary)}/([A-Za-z0-9_]+)/?",
        value.strip(),
    )
    return match.group(1).upper() if match else None


def file_format_from_iri(value: str) -> str:
    code = code_from_iri(value, "file-type")
    if code is None:
        return value.rsplit("/", 1)[-1].upper() if "/" in value else value.upper()
    reverse = {"RDF_TURTLE": "TTL", "RDF_XML": "RDF", "JSON_LD": "JSON-LD"}
    return reverse.get(code, code)


def media_type_from_iri(value: str) -> str:
    for prefix in (IANA_MEDIA_TYPES, IANA_MEDIA_TYPES.replace("http://", "https://")):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value if re.fullmatch(r"[\w.+-]+/[\w.+-]+", value) else ""


def language_from_iri(value: str) -> str | None:
    code = code_from_iri(value, "language")
    if code is None:
        return None
    reverse = {eu: iso for iso, eu in LANGUAGES.items()}
    return reverse.get(code)
