"""Helpers for the dcat tests: hand-built records, the official SHACL shapes, and a local HTTP server
that plays the harvested site (no network in tests)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyshacl import validate
from rdflib import Graph

from cityhall.catalog.contracts import DatasetRecord, DistributionRecord
from cityhall.dcat.quality import official_shapes_path

SHAPES = (
    official_shapes_path()
)  # shared/standards/schemas/dcat-ap-3.0.1-SHACL.ttl, found next to the repository
NOW = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)


def make_distribution(**overrides: Any) -> DistributionRecord:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "Readings (CSV)",
        "description": "One row per sensor and hour.",
        "access_url": "https://files.example.org/readings.csv",
        "download_url": "https://files.example.org/readings.csv",
        "format": "CSV",
        "media_type": "text/csv",
        "byte_size": 2048,
        "checksum_sha256": "ab" * 32,
        "license_id": "CC-BY-4.0",
        "issued": NOW,
        "modified": NOW,
    }
    values.update(overrides)
    return DistributionRecord(**values)


def make_record(**overrides: Any) -> DatasetRecord:
    """A dataset with every field Cityhall maps to DCAT-AP filled in."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "name": "air-quality",
        "identifier": "air-quality",
        "title": {"en": "Air quality", "es": "Calidad del aire"},
        "description": {"en": "Hourly PM2.5 and NO2 readings.", "es": "Lecturas horarias."},
        "publisher_id": uuid.uuid4(),
        "publisher_name": "Environment and Climate",
        "publisher_slug": "environment",
        "contact_name": "Air desk",
        "contact_email": "air@aldermere.example",
        "themes": ("ENVI", "HEAL"),
        "keywords": ("air", "pollution"),
        "license_id": "CC-BY-4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "access_rights": "PUBLIC",
        "temporal_start": dt.date(2020, 1, 1),
        "temporal_end": dt.date(2024, 12, 31),
        "spatial": "POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))",
        "frequency": "MONTHLY",
        "conforms_to": ("https://specs.frictionlessdata.io/table-schema/",),
        "landing_page": "https://aldermere.example/air",
        "issued": NOW - dt.timedelta(days=400),
        "modified": NOW,
        "state": "published",
        "private": False,
        "harvest_source": "",
        "distributions": (make_distribution(),),
        "version": "2.1",
    }
    values.update(overrides)
    return DatasetRecord(**values)


def shacl_report(data: Graph | bytes, fmt: str = "turtle") -> tuple[bool, str]:
    """Validate with pyshacl against the official DCAT-AP 3.0.1 shapes."""
    graph = data if isinstance(data, Graph) else Graph().parse(data=data, format=fmt)
    conforms, _graph, text = validate(
        graph, shacl_graph=str(SHAPES), shacl_graph_format="turtle", inference="none"
    )
    return bool(conforms), str(text)


@dataclass
class Reply:
    body: bytes
    content_type: str = "text/turtle"
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeSite:
    """A local HTTP server; `routes` maps a path (or a callable of the query) to a Reply."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                parts = urlsplit(self.path)
                route = site.routes.get(parts.path)
                reply: Reply | None = route(parse_qs(parts.query)) if callable(route) else route
                if reply is None:
                    reply = Reply(b"not found", "text/plain", 404)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeSite:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def fake_site() -> Iterator[FakeSite]:
    with FakeSite() as site:
        yield site
