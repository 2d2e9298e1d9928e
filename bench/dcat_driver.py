"""Measures for bench_dcat, run in its own process (no server, no database: pure mapping work)."""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

MARKER = "BENCH_JSON "


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from cityhall.dcat import parse, quality, rdf
    from tests.dcat.sources import dcat_catalog, dcat_dataset
    from tests.dcat.support import make_record, shacl_report

    records = [make_record(id=uuid.uuid4(), name=f"d{i}", identifier=f"d{i}") for i in range(rdf.PAGE_SIZE)]
    page = rdf.CatalogPage(url="https://x.example/catalog.ttl", page=1, page_size=100, total=5000, query={})

    def build() -> Any:
        return rdf.catalog_graph(records, page=page, title="T", description="D")

    graph = build()
    result: dict[str, Any] = {
        "catalog_page_100_build_ms": _median_ms(build, 5),
        "catalog_page_100_turtle_ms": _median_ms(lambda: rdf.serialize(graph, "ttl"), 5),
        "catalog_page_100_rdfxml_ms": _median_ms(lambda: rdf.serialize(graph, "rdf"), 5),
        "catalog_page_100_jsonld_ms": _median_ms(lambda: rdf.serialize(graph, "jsonld"), 5),
        "catalog_page_100_triples": len(graph),
    }
    quality.shapes_graph()  # parsed once per process
    result["quality_one_dataset_uncached_ms"] = _median_ms(lambda: quality.record_quality(make_record()), 10)
    started = time.perf_counter()
    conforms, _text = shacl_report(graph)
    result["shacl_full_page_100_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["shacl_full_page_100_conforms"] = conforms
    source = dcat_catalog(*[dcat_dataset(f"ds-{i}") for i in range(1000)])
    target = parse.Target(
        source="bench", department_id=uuid.uuid4(), department_name="D", department_slug="d"
    )
    started = time.perf_counter()
    parsed = parse.parse_catalog_page(
        source, content_type="text/turtle", url="https://x.example/c.ttl", target=target
    )
    result["harvest_parse_1000_datasets_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["harvest_parse_1000_items"] = len(parsed.items)
    print(MARKER + json.dumps(result))


if __name__ == "__main__":
    main()
