"""The dcat module as other apps see it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from cityhall.catalog import facade as catalog
from cityhall.catalog.contracts import DatasetRecord
from cityhall.dcat import quality, rdf
from cityhall.dcat.contracts import QualityMessage, QualityReport

__all__ = [
    "QualityMessage",
    "QualityReport",
    "dataset_quality",
    "dataset_rdf_links",
    "dataset_rdf_response",
    "demo_load",
    "record_quality",
    "requested_rdf_format",
]

QUALITY_CACHE_SECONDS = 7 * 24 * 3600


def _public(record: DatasetRecord | None) -> bool:
    return record is not None and record.state == "published" and not record.private


def requested_rdf_format(request: HttpRequest) -> str | None:
    """ "ttl", "rdf" or "jsonld" when the Accept header prefers RDF to HTML; None otherwise.

    The catalog's dataset page calls this, and when it answers a format, returns
    dataset_rdf_response(request, dataset_id, fmt) instead of HTML (and sets Vary: Accept)."""
    return rdf.negotiate(request.headers.get("Accept", ""))


def dataset_rdf_response(request: HttpRequest, dataset_id: uuid.UUID | str, fmt: str) -> HttpResponse:
    """One public dataset as DCAT-AP 3 (fmt: "ttl", "rdf"/"xml" or "jsonld"); 404 when not public."""
    if fmt not in rdf.FORMATS:
        return HttpResponse(_("Unknown RDF format."), status=404, content_type="text/plain; charset=utf-8")
    record = catalog.dataset_record(dataset_id)
    if record is None or not _public(record):
        return HttpResponse(
            _("There is no public dataset at this address."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    digest = hashlib.sha256(f"{fmt}|{rdf.base_iri()}|{record!r}".encode())
    etag = f'"{digest.hexdigest()[:32]}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        body = rdf.serialize(rdf.dataset_graph(record), fmt)
        response = HttpResponse(body, content_type=f"{rdf.FORMATS[fmt][1]}; charset=utf-8")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(record.modified.timestamp())
    response["Vary"] = "Accept"
    response["Cache-Control"] = "public, max-age=300"
    return response


def dataset_rdf_links(dataset_id: uuid.UUID) -> list[tuple[str, str]]:
    """(media type, path) for the <link rel="alternate"> tags of a dataset page."""
    return [(rdf.FORMATS[fmt][1], f"/dataset/{dataset_id}.{fmt}") for fmt in ("ttl", "rdf", "jsonld")]


def record_quality(record: DatasetRecord) -> QualityReport:
    """The quality report of a record (cached per version: any change to the record is a new key)."""
    key = "dcat:quality:" + hashlib.sha256(repr(record).encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, QualityReport):
        return cached
    report = quality.record_quality(record)
    cache.set(key, report, QUALITY_CACHE_SECONDS)
    return report


def dataset_quality(dataset_id: uuid.UUID | str) -> QualityReport:
    """DCAT-AP metadata quality of a dataset in any state (for the publisher, before and after publishing)."""
    record = catalog.dataset_record(dataset_id)
    if record is None:
        return QualityReport(
            score=0,
            messages=(QualityMessage("violation", "", _("There is no such dataset.")),),
            conforms=False,
        )
    return record_quality(record)


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.dcat.demo import demo_load as load

    load(log)
