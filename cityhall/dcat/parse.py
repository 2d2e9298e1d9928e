"""DCAT-AP RDF (Turtle, RDF/XML, JSON-LD) -> DatasetRecords, for harvesting another catalogue.

A problem with the whole document (not RDF at all) raises HarvestSourceError; a problem with one
dataset (an unknown licence, no title) becomes that item's error, so the others still import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, SKOS
from rdflib.term import Node

from cityhall.catalog.contracts import DatasetRecord, DistributionRecord
from cityhall.core.errors import ServiceError
from cityhall.dcat import vocab
from cityhall.dcat.vocab import GSP, HYDRA, LOCN, SPDX, VCARD

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DCAT_VERSION = URIRef(str(DCAT) + "version")
SCHEMA_START = URIRef("http://schema.org/startDate")
SCHEMA_END = URIRef("http://schema.org/endDate")


class HarvestSourceError(ServiceError):
    """The source as a whole cannot be read: nothing is written."""

    code = "harvest_source_invalid"


class ItemError(Exception):
    """One harvested dataset cannot be imported; the others still can."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where harvested datasets go: the source key and the publishing department."""

    source: str
    department_id: uuid.UUID
    department_name: str
    department_slug: str


@dataclass(frozen=True, slots=True)
class HarvestItem:
    identifier: str
    title: str
    record: DatasetRecord | None = None
    error: str = ""


@dataclass(slots=True)
class ParsedPage:
    items: list[HarvestItem] = field(default_factory=list)
    next_url: str | None = None


def record_id(source: str, identifier: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cityhall-harvest:{source}|{identifier}")


def record_name(title: str, identifier: str) -> str:
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:6]
    return f"{slugify(title)[:80].strip('-') or 'dataset'}-{digest}"


def guess_rdf_format(content: bytes, content_type: str) -> str:
    by_type = {
        "text/turtle": "turtle",
        "application/x-turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/xml": "xml",
        "text/xml": "xml",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
    }
    if content_type in by_type:
        return by_type[content_type]
    head = content.lstrip()[:200]
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF") or head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json-ld"
    return "turtle"


def parse_graph(content: bytes, *, content_type: str, url: str) -> Graph:
    fmt = guess_rdf_format(content, content_type)
    graph = Graph()
    try:
        graph.parse(data=content, format=fmt, publicID=url)
    except Exception as error:  # rdflib raises many types (BadSyntax, SAXParseException, ValueError...)
        detail = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
        raise HarvestSourceError(
            _("The catalogue at %(url)s is not valid %(format)s RDF: %(detail)s")
            % {
                "url": url,
                "format": {"xml": "RDF/XML", "json-ld": "JSON-LD"}.get(fmt, "Turtle"),
                "detail": detail,
            }
        ) from error
    return graph


def parse_catalog_page(content: bytes, *, content_type: str, url: str, target: Target) -> ParsedPage:
    graph = parse_graph(content, content_type=content_type, url=url)
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    if not datasets and not any(graph.subjects(RDF.type, DCAT.Catalog)):
        raise HarvestSourceError(
            _("The document at %(url)s is RDF but holds no dcat:Catalog and no dcat:Dataset.") % {"url": url}
        )
    page = ParsedPage(items=[_item(graph, node, target) for node in datasets])
    page.next_url = _next_page(graph, url)
    return page


def _next_page(graph: Graph, url: str) -> str | None:
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for view in list(graph.subjects(RDF.type, HYDRA.PartialCollectionView)) + list(
            graph.subjects(RDF.type, HYDRA.PagedCollection)
        ):
            value = graph.value(view, predicate)
            if value is not None and str(value) != url:
                return str(value)
    return None


def _texts(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    texts: dict[str, str] = {}
    for value in graph.objects(node, predicate):
        if isinstance(value, Literal) and str(value).strip():
            language = (value.language or settings.LANGUAGE_CODE).split("-")[0].lower()
            texts.setdefault(language, str(value).strip())
    return texts


def _text(graph: Graph, node: Node, *predicates: URIRef) -> str:
    for predicate in predicates:
        for value in graph.objects(node, predicate):
            if str(value).strip():
                return str(value).strip()
    return ""


def _datetime(value: Node | None) -> dt.datetime | None:
    if value is None:
        return None
    text = str(value).strip()
    try:
        if len(text) == 4 and text.isdigit():
            return dt.datetime(int(text), 1, 1, tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _date(value: Node | None) -> dt.date | None:
    parsed = _datetime(value)
    return parsed.date() if parsed else None


def _licence(graph: Graph, value: Node, where: str) -> str:
    candidates = [str(value)] if isinstance(value, URIRef) else []
    candidates += [str(v) for v in graph.objects(value, DCTERMS.identifier)]
    candidates += [str(v) for v in graph.objects(value, DCTERMS.title)]
    for candidate in candidates:
        licence = vocab.licence_lookup(candidate)
        if licence is not None:
            return licence.id
    shown = candidates[0] if candidates else _("(a licence without an address)")
    raise ItemError(
        _(
            "%(where)s has the licence %(licence)s, which Cityhall does not know. Ask the source to use a "
            "licence from the EU licence list, or add it to Cityhall's licence table."
        )
        % {"where": where, "licence": shown}
    )


def _item(graph: Graph, node: Node, target: Target) -> HarvestItem:
    identifier = str(node) if isinstance(node, URIRef) else _text(graph, node, DCTERMS.identifier)
    titles = _texts(graph, node, DCTERMS.title)
    title = titles.get(settings.LANGUAGE_CODE) or next(iter(titles.values()), "")
    if not identifier:
        return HarvestItem(
            identifier="", title=title, error=_("A dataset has neither an IRI nor a dct:identifier.")
        )
    try:
        return HarvestItem(
            identifier=identifier, title=title, record=_record(graph, node, identifier, titles, target)
        )
    except ItemError as error:
        return HarvestItem(identifier=identifier, title=title, error=str(error))


def _record(
    graph: Graph, node: Node, identifier: str, titles: dict[str, str], target: Target
) -> DatasetRecord:
    if not titles:
        raise ItemError(_("The dataset %(id)s has no title.") % {"id": identifier})
    title = titles.get(settings.LANGUAGE_CODE) or next(iter(titles.values()))
    where = _("The dataset “%(title)s”") % {"title": title}
    distributions = []
    licences: Counter[str] = Counter()
    dataset_licence = graph.value(node, DCTERMS.license)
    default_licence = _licence(graph, dataset_licence, where) if dataset_licence is not None else ""
    for position, dist in enumerate(sorted(graph.objects(node, DCAT.distribution), key=str)):
        distribution = _distribution(graph, dist, identifier, position, where, default_licence)
        if distribution.license_id:
            licences[distribution.license_id] += 1
        distributions.append(distribution)
    license_id = licences.most_common(1)[0][0] if licences else default_licence
    licence = vocab.licence_by_id(license_id)
    contact = graph.value(node, DCAT.contactPoint)
    contact_name = _text(graph, contact, VCARD.fn, VCARD["organization-name"]) if contact is not None else ""
    contact_email = _text(graph, contact, VCARD.hasEmail) if contact is not None else ""
    contact_email = contact_email.removeprefix("mailto:")
    temporal = graph.value(node, DCTERMS.temporal)
    start = end = None
    if temporal is not None:
        start = _date(graph.value(temporal, DCAT.startDate) or graph.value(temporal, SCHEMA_START))
        end = _date(graph.value(temporal, DCAT.endDate) or graph.value(temporal, SCHEMA_END))
    issued = _datetime(graph.value(node, DCTERMS.issued))
    modified = _datetime(graph.value(node, DCTERMS.modified)) or issued or EPOCH
    extras: dict[str, str] = {}
    publisher = graph.value(node, DCTERMS.publisher)
    if publisher is not None:
        name = _text(graph, publisher, URIRef("http://xmlns.com/foaf/0.1/name"))
        if name:
            extras["source_publisher"] = name
    return DatasetRecord(
        id=record_id(target.source, identifier),
        name=record_name(title, identifier),
        identifier=identifier,
        title=titles,
        description=_texts(graph, node, DCTERMS.description),
        publisher_id=target.department_id,
        publisher_name=target.department_name,
        publisher_slug=target.department_slug,
        contact_name=contact_name,
        contact_email=contact_email,
        themes=tuple(
            sorted(
                {
                    code
                    for t in graph.objects(node, DCAT.theme)
                    if (code := vocab.code_from_iri(str(t), "data-theme"))
                }
            )
        ),
        keywords=tuple(sorted({str(k).strip() for k in graph.objects(node, DCAT.keyword) if str(k).strip()})),
        license_id=license_id,
        license_url=str(vocab.licence_iri(license_id, base="")) if licence and licence.eu_code else "",
        access_rights=vocab.code_from_iri(str(graph.value(node, DCTERMS.accessRights) or ""), "access-right")
        or "PUBLIC",
        temporal_start=start,
        temporal_end=end,
        spatial=_spatial(graph, graph.value(node, DCTERMS.spatial)),
        frequency=vocab.code_from_iri(str(graph.value(node, DCTERMS.accrualPeriodicity) or ""), "frequency")
        or "",
        conforms_to=tuple(
            sorted(str(s) for s in graph.objects(node, DCTERMS.conformsTo) if isinstance(s, URIRef))
        ),
        landing_page=_text(graph, node, DCAT.landingPage),
        issued=issued,
        modified=modified,
        state="published",
        private=False,
        harvest_source=target.source,
        distributions=tuple(distributions),
        extras=extras,
        version=_text(graph, node, DCAT_VERSION, OWL.versionInfo),
        url=_text(graph, node, DCAT.landingPage),
    )


def _spatial(graph: Graph, value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return str(value)
    for predicate in (DCAT.bbox, DCAT.centroid, LOCN.geometry):
        found = graph.value(value, predicate)
        if isinstance(found, Literal):
            return str(found)
        if found is not None:
            wkt = graph.value(found, GSP.asWKT)
            if wkt is not None:
                return str(wkt)
    return _text(graph, value, SKOS.prefLabel, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))


def _distribution(
    graph: Graph, node: Node, dataset_identifier: str, position: int, where: str, default_licence: str
) -> DistributionRecord:
    key = str(node) if isinstance(node, URIRef) else f"{dataset_identifier}#{position}"
    access_url = _text(graph, node, DCAT.accessURL)
    download_url = _text(graph, node, DCAT.downloadURL) or None
    licence_node = graph.value(node, DCTERMS.license)
    title = _text(graph, node, DCTERMS.title)
    licence = (
        _licence(
            graph,
            licence_node,
            _("%(where)s, file “%(file)s”,") % {"where": where, "file": title or access_url},
        )
        if licence_node is not None
        else default_licence
    )
    format_node = graph.value(node, DCTERMS["format"])
    file_format = vocab.file_format_from_iri(str(format_node)) if format_node is not None else ""
    media_node = graph.value(node, DCAT.mediaType)
    byte_size = _text(graph, node, DCAT.byteSize)
    checksum = graph.value(node, SPDX.checksum)
    checksum_value = ""
    if checksum is not None and "sha256" in str(graph.value(checksum, SPDX.algorithm) or "").lower():
        checksum_value = _text(graph, checksum, SPDX.checksumValue).lower()
    return DistributionRecord(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"cityhall-harvest-distribution:{key}"),
        title=title,
        name=title,
        description=_text(graph, node, DCTERMS.description),
        access_url=access_url or download_url or "",
        download_url=download_url,
        format=file_format,
        media_type=vocab.media_type_from_iri(str(media_node)) if media_node is not None else "",
        byte_size=int(byte_size) if byte_size.isdigit() else None,
        checksum_sha256=checksum_value if len(checksum_value) == 64 else None,
        license_id=licence,
        issued=_datetime(graph.value(node, DCTERMS.issued)),
        modified=_datetime(graph.value(node, DCTERMS.modified)),
    )
