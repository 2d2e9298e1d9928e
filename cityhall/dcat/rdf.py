"""DatasetRecord -> DCAT-AP 3.0.1 RDF (rdflib), and the paged catalogue.

Every value node the official shapes type-check (licences, themes, formats, languages, pages...) is
typed in the graph itself, so validation needs no vocabulary download and no RDFS inference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node

from cityhall.catalog.contracts import DatasetRecord, DistributionRecord
from cityhall.dcat import vocab
from cityhall.dcat.vocab import ADMS, DCATAP, GSP, HYDRA, PUBLISHER_TYPE, SPDX, VCARD

FORMATS: dict[str, tuple[str, str]] = {
    # extension -> (rdflib serializer, media type)
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
MEDIA_TYPE_FORMATS = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
}
PAGE_SIZE = 100
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it

_WKT = re.compile(r"^\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON)\s*\(", re.I)


def base_iri() -> str:
    return str(getattr(settings, "DCAT_BASE_URI", "") or settings.CITYHALL_BASE_URL).rstrip("/")


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in vocab.PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def dataset_iri(record: DatasetRecord) -> URIRef:
    """A harvested dataset keeps its original IRI; ours are minted from the configured base."""
    if record.harvest_source and record.identifier.startswith(("http://", "https://")):
        return URIRef(record.identifier)
    return URIRef(f"{base_iri()}/dataset/{record.id}")


def distribution_iri(record: DatasetRecord, distribution: DistributionRecord) -> URIRef:
    return URIRef(f"{base_iri()}/dataset/{record.id}/resource/{distribution.id}")


def publisher_iri(publisher_id: object) -> URIRef:
    return URIRef(f"{base_iri()}/organization/{publisher_id}")


def _when(value: dt.datetime | dt.date) -> Literal:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        text = value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return Literal(text, datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def _texts(graph: Graph, subject: Node, predicate: URIRef, texts: dict[str, str]) -> None:
    for language, text in sorted(texts.items()):
        if text and text.strip():
            graph.add((subject, predicate, Literal(text.strip(), lang=language or None)))


def _typed(graph: Graph, node: URIRef, *classes: URIRef) -> URIRef:
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def _concept(graph: Graph, node: URIRef, label: str, scheme: str) -> URIRef:
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((node, SKOS.inScheme, URIRef(scheme)))
    return node


def _document(graph: Graph, url: str) -> URIRef | None:
    if not url.startswith(("http://", "https://")):
        return None
    return _typed(graph, URIRef(url), FOAF.Document)


def add_publisher(graph: Graph, *, iri: URIRef, name: str) -> None:
    _typed(graph, iri, FOAF.Agent, FOAF.Organization)
    graph.add((iri, FOAF.name, Literal(name, lang=settings.LANGUAGE_CODE)))
    kind = _concept(
        graph, PUBLISHER_TYPE.LocalAuthority, "Local Authority", "http://purl.org/adms/publishertype/1.0"
    )
    graph.add((iri, DCTERMS.type, kind))


def add_dataset(graph: Graph, record: DatasetRecord) -> URIRef:
    """Add one dataset with its distributions, publisher and contact point; returns its IRI."""
    base = base_iri()
    node = dataset_iri(record)
    _typed(graph, node, DCAT.Dataset, DCAT.Resource)
    _texts(graph, node, DCTERMS.title, record.title)
    _texts(graph, node, DCTERMS.description, record.description)
    graph.add((node, DCTERMS.identifier, Literal(record.identifier or str(record.id))))
    for keyword in record.keywords:
        if keyword.strip():
            graph.add((node, DCAT.keyword, Literal(keyword.strip(), lang=settings.LANGUAGE_CODE)))
    for code in record.themes:
        if code in vocab.DATA_THEMES:
            theme = _concept(graph, vocab.theme_iri(code), vocab.DATA_THEMES[code], vocab.EU + "data-theme")
            graph.add((node, DCAT.theme, theme))
    publisher = publisher_iri(record.publisher_id)
    add_publisher(graph, iri=publisher, name=record.publisher_name)
    graph.add((node, DCTERMS.publisher, publisher))
    if record.contact_name or record.contact_email:
        contact = URIRef(f"{base}/dataset/{record.id}#contact")
        _typed(graph, contact, VCARD.Kind, VCARD.Organization)
        graph.add((contact, VCARD.fn, Literal(record.contact_name or record.publisher_name)))
        if record.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{record.contact_email}")))
        graph.add((node, DCAT.contactPoint, contact))
    if record.frequency in vocab.FREQUENCIES:
        frequency = _typed(graph, vocab.frequency_iri(record.frequency), DCTERMS.Frequency)
        graph.add((frequency, SKOS.prefLabel, Literal(vocab.FREQUENCIES[record.frequency], lang="en")))
        graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    if record.access_rights in vocab.ACCESS_RIGHTS:
        rights = _typed(graph, vocab.access_rights_iri(record.access_rights), DCTERMS.RightsStatement)
        graph.add((rights, SKOS.prefLabel, Literal(vocab.ACCESS_RIGHTS[record.access_rights], lang="en")))
        graph.add((node, DCTERMS.accessRights, rights))
    for language in sorted(set(record.title) | set(record.description)):
        iri = vocab.language_iri(language)
        if iri is not None:
            graph.add((node, DCTERMS.language, _typed(graph, iri, DCTERMS.LinguisticSystem)))
    if record.issued:
        graph.add((node, DCTERMS.issued, _when(record.issued)))
    graph.add((node, DCTERMS.modified, _when(record.modified)))
    if record.temporal_start or record.temporal_end:
        period = BNode(f"period{record.id.hex}")
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if record.temporal_start:
            graph.add((period, DCAT.startDate, _when(record.temporal_start)))
        if record.temporal_end:
            graph.add((period, DCAT.endDate, _when(record.temporal_end)))
        graph.add((node, DCTERMS.temporal, period))
    if record.spatial.strip():
        if record.spatial.startswith(("http://", "https://")):
            location: Node = _typed(graph, URIRef(record.spatial.strip()), DCTERMS.Location)
        else:
            location = BNode(f"location{record.id.hex}")
            graph.add((location, RDF.type, DCTERMS.Location))
            if _WKT.match(record.spatial):
                wkt = Literal(record.spatial.strip(), datatype=GSP.wktLiteral)
                is_point = record.spatial.strip().upper().startswith("POINT")
                graph.add((location, DCAT.centroid if is_point else DCAT.bbox, wkt))
            else:
                graph.add(
                    (location, SKOS.prefLabel, Literal(record.spatial.strip(), lang=settings.LANGUAGE_CODE))
                )
        graph.add((node, DCTERMS.spatial, location))
    for standard in record.conforms_to:
        if standard.startswith(("http://", "https://")):
            graph.add((node, DCTERMS.conformsTo, _typed(graph, URIRef(standard), DCTERMS.Standard)))
    landing = _document(graph, record.landing_page)
    if landing is not None:
        graph.add((node, DCAT.landingPage, landing))
    version = record.version or record.extras.get("version", "")
    if version:
        graph.add((node, DCAT_VERSION, Literal(version)))
    if record.harvest_source and record.identifier and not record.identifier.startswith(("http", "urn:")):
        identifier = BNode(f"identifier{record.id.hex}")
        graph.add((identifier, RDF.type, ADMS.Identifier))
        graph.add((identifier, SKOS.notation, Literal(record.identifier)))
        graph.add((node, ADMS.identifier, identifier))
    for distribution in record.distributions:
        graph.add((node, DCAT.distribution, add_distribution(graph, record, distribution)))
    return node


def add_distribution(graph: Graph, record: DatasetRecord, distribution: DistributionRecord) -> URIRef:
    base = base_iri()
    node = _typed(graph, distribution_iri(record, distribution), DCAT.Distribution)
    access = distribution.access_url or distribution.download_url or str(node)
    graph.add((node, DCAT.accessURL, URIRef(access)))
    if distribution.download_url:
        graph.add((node, DCAT.downloadURL, URIRef(distribution.download_url)))
    if distribution.title:
        graph.add((node, DCTERMS.title, Literal(distribution.title, lang=settings.LANGUAGE_CODE)))
    if distribution.description:
        graph.add((node, DCTERMS.description, Literal(distribution.description, lang=settings.LANGUAGE_CODE)))
    file_type = vocab.file_type_iri(distribution.format)
    if file_type is not None:
        _typed(graph, file_type, DCTERMS.MediaTypeOrExtent)
        graph.add((node, DCTERMS["format"], file_type))
    media_type = vocab.media_type_iri(distribution.media_type)
    if media_type is not None:
        graph.add((node, DCAT.mediaType, _typed(graph, media_type, DCTERMS.MediaType)))
    licence_id = distribution.license_id or record.license_id
    if record.license_eu_iri and licence_id == record.license_id:
        licence: URIRef | None = URIRef(record.license_eu_iri)
    else:
        licence = vocab.licence_iri(licence_id, base=base, fallback_url=record.license_url)
    if licence is not None:
        graph.add((node, DCTERMS.license, _typed(graph, licence, DCTERMS.LicenseDocument)))
    if distribution.byte_size is not None and distribution.byte_size >= 0:
        graph.add(
            (node, DCAT.byteSize, Literal(str(distribution.byte_size), datatype=XSD.nonNegativeInteger))
        )
    if distribution.checksum_sha256 and re.fullmatch(r"[0-9a-fA-F]{64}", distribution.checksum_sha256):
        checksum = BNode(f"checksum{distribution.id.hex}")
        graph.add((checksum, RDF.type, SPDX.Checksum))
        algorithm = _typed(graph, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)
        graph.add((checksum, SPDX.algorithm, algorithm))
        graph.add(
            (
                checksum,
                SPDX.checksumValue,
                Literal(distribution.checksum_sha256.lower(), datatype=XSD.hexBinary),
            )
        )
        graph.add((node, SPDX.checksum, checksum))
    if distribution.issued:
        graph.add((node, DCTERMS.issued, _when(distribution.issued)))
    if distribution.modified:
        graph.add((node, DCTERMS.modified, _when(distribution.modified)))
    availability = _concept(
        graph,
        URIRef(vocab.EU + "planned-availability/AVAILABLE"),
        "Available",
        vocab.EU + "planned-availability",
    )
    graph.add((node, DCATAP.availability, availability))
    return node


def dataset_graph(record: DatasetRecord) -> Graph:
    graph = new_graph()
    add_dataset(graph, record)
    return graph


@dataclass(frozen=True, slots=True)
class CatalogPage:
    url: str  # the page's own URL without the page parameter, e.g. {base}/catalog.ttl
    page: int
    page_size: int
    total: int
    query: dict[str, str]  # other parameters to keep in page links (modified_since)


def _page_url(page: CatalogPage, number: int) -> URIRef:
    return URIRef(f"{page.url}?{urlencode({**page.query, 'page': number})}")


def catalog_graph(
    records: Sequence[DatasetRecord], *, page: CatalogPage, title: str, description: str
) -> Graph:
    """One self-contained page of the catalogue: the Catalog node, its datasets and Hydra paging."""
    base = base_iri()
    graph = new_graph()
    catalog = _typed(graph, URIRef(f"{base}/catalog"), DCAT.Catalog)
    language = settings.LANGUAGE_CODE
    graph.add((catalog, DCTERMS.title, Literal(title, lang=language)))
    graph.add((catalog, DCTERMS.description, Literal(description, lang=language)))
    city = URIRef(f"{base}/organization/city")
    add_publisher(graph, iri=city, name=title)
    graph.add((catalog, DCTERMS.publisher, city))
    homepage = _document(graph, f"{base}/")
    if homepage is not None:
        graph.add((catalog, FOAF.homepage, homepage))
    language_iri = vocab.language_iri(language)
    if language_iri is not None:
        graph.add((catalog, DCTERMS.language, _typed(graph, language_iri, DCTERMS.LinguisticSystem)))
    scheme = _typed(graph, URIRef(vocab.EU + "data-theme"), SKOS.ConceptScheme)
    graph.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, scheme))
    latest: dt.datetime | None = None
    for record in records:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, record)))
        latest = record.modified if latest is None or record.modified > latest else latest
    if latest is not None:
        graph.add((catalog, DCTERMS.modified, _when(latest)))
    _add_paging(graph, page)
    return graph


def _add_paging(graph: Graph, page: CatalogPage) -> None:
    last = max(1, -(-page.total // page.page_size))
    view = _typed(graph, _page_url(page, page.page), HYDRA.PartialCollectionView, HYDRA.PagedCollection)
    graph.add((view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page.page_size, datatype=XSD.integer)))
    for new, legacy, number in (
        (HYDRA.first, HYDRA.firstPage, 1),
        (HYDRA.last, HYDRA.lastPage, last),
        (HYDRA.previous, HYDRA.previousPage, page.page - 1 if page.page > 1 else None),
        (HYDRA.next, HYDRA.nextPage, page.page + 1 if page.page < last else None),
    ):
        if number is not None:
            graph.add((view, new, _page_url(page, number)))
            graph.add((view, legacy, _page_url(page, number)))


def serialize(graph: Graph, fmt: str) -> bytes:
    serializer, _media_type = FORMATS[fmt]
    if serializer == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in vocab.PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
    return graph.serialize(format=serializer, encoding="utf-8")


def negotiate(accept: str) -> str | None:
    """The RDF format an Accept header asks for before HTML; None when the client wants HTML."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media_type = pieces[0].lower()
        quality = 1.0
        for parameter in pieces[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        fmt = MEDIA_TYPE_FORMATS.get(media_type)
        if media_type in ("text/html", "application/xhtml+xml"):
            fmt = "html"
        if fmt is None:
            continue
        candidate = (quality, -position, fmt)
        if best is None or candidate > best:
            best = candidate
    if best is None or best[2] == "html":
        return None
    return best[2]
