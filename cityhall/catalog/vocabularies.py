"""The controlled lists the catalog uses: licences, EU data themes, update frequencies, file formats.

Codes are stored; IRIs and titles are built here, in one place.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EU_AUTHORITY = "http://publications.europa.eu/resource/authority"


@dataclass(frozen=True, slots=True)
class License:
    id: str  # SPDX-style id, as stored
    title: str
    url: str  # the licence text
    eu_code: str  # EU Licences NAL code ("" when the NAL has none)
    open_data: bool  # Open Definition conformant
    family: str
    ckan_aliases: tuple[str, ...] = ()

    @property
    def eu_iri(self) -> str:
        return f"{EU_AUTHORITY}/licence/{self.eu_code}" if self.eu_code else ""


# The maintained licence list. CKAN's own ids are accepted as aliases on input.
LICENSES: tuple[License, ...] = (
    License(
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "CC_BY_4_0",
        True,
        "Creative Commons",
        ("cc-by",),
    ),
    License(
        "CC-BY-SA-4.0",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "CC_BYSA_4_0",
        True,
        "Creative Commons",
        ("cc-by-sa",),
    ),
    License(
        "CC0-1.0",
        "Creative Commons CC0 1.0 (public domain dedication)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "CC0",
        True,
        "Creative Commons",
        ("cc-zero",),
    ),
    License(
        "ODbL-1.0",
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "ODC_BL",
        True,
        "Open Data Commons",
        ("odc-odbl",),
    ),
    License(
        "ODC-By-1.0",
        "Open Data Commons Attribution License 1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
        "ODC_BY",
        True,
        "Open Data Commons",
        ("odc-by",),
    ),
    License(
        "PDDL-1.0",
        "Open Data Commons Public Domain Dedication and License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
        "ODC_PDDL",
        True,
        "Open Data Commons",
        ("odc-pddl",),
    ),
    License(
        "OGL-UK-3.0",
        "Open Government Licence 3.0 (United Kingdom)",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "OGL_3_0",
        True,
        "Government",
        ("uk-ogl",),
    ),
    License(
        "notspecified",
        "Licence not specified",
        "",
        "",
        False,
        "",
        (),
    ),
    License(
        "other-closed",
        "Other (not open)",
        "",
        "",
        False,
        "",
        (),
    ),
)
_LICENSES_BY_ID = {license.id.lower(): license for license in LICENSES}
_LICENSES_BY_ID.update({alias: license for license in LICENSES for alias in license.ckan_aliases})


def license_lookup(value: str) -> License | None:
    """The licence with this id (any case) or CKAN alias; None when it is not on the list."""
    return _LICENSES_BY_ID.get(value.strip().lower())


def license_ids() -> list[str]:
    return [license.id for license in LICENSES]


# EU Data Theme vocabulary (DCAT-AP): code → label.
THEMES: dict[str, Promise] = {
    "AGRI": _("Agriculture, fisheries, forestry and food"),
    "ECON": _("Economy and finance"),
    "EDUC": _("Education, culture and sport"),
    "ENER": _("Energy"),
    "ENVI": _("Environment"),
    "GOVE": _("Government and public sector"),
    "HEAL": _("Health"),
    "INTR": _("International issues"),
    "JUST": _("Justice, legal system and public safety"),
    "REGI": _("Regions and cities"),
    "SOCI": _("Population and society"),
    "TECH": _("Science and technology"),
    "TRAN": _("Transport"),
}


def theme_iri(code: str) -> str:
    return f"{EU_AUTHORITY}/data-theme/{code}"


# EU Frequency vocabulary: code → label.
FREQUENCIES: dict[str, Promise] = {
    "DAILY": _("Daily"),
    "WEEKLY": _("Weekly"),
    "MONTHLY": _("Monthly"),
    "QUARTERLY": _("Quarterly"),
    "ANNUAL": _("Annual"),
    "IRREG": _("Irregular"),
    "UPDATE_CONT": _("Continuously updated"),
    "NEVER": _("Never"),
    "UNKNOWN": _("Unknown"),
}

# File formats the catalog knows: format → media type.
FORMAT_MEDIA_TYPES: dict[str, str] = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XML": "application/xml",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
    "TXT": "text/plain",
    "HTML": "text/html",
    "RDF": "application/rdf+xml",
    "TTL": "text/turtle",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "SHP": "application/x-shapefile",
}
TABULAR_FORMATS = frozenset({"CSV", "XLSX"})


def guess_format(file_name_or_url: str) -> str:
    """The upper-case format from a file name or URL ending ("data/air.csv" → "CSV"), else ""."""
    path = file_name_or_url.split("?")[0].split("#")[0]
    if "." not in path.rsplit("/", 1)[-1]:
        return ""
    extension = path.rsplit(".", 1)[-1].upper()
    return extension if extension.isalnum() and len(extension) <= 10 else ""


def media_type_for(format_: str, file_name: str = "") -> str:
    known = FORMAT_MEDIA_TYPES.get(format_.upper())
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(file_name or f"x.{format_.lower()}")
    return guessed or "application/octet-stream"
