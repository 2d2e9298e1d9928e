"""Demo: one harvest source (Aldermere County's DCAT-AP catalogue), harvested once from the copy
shipped in the repository, so the demo needs no network. Safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cityhall.accounts.facade import departments
from cityhall.dcat import services
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.fetch import Fetched
from cityhall.dcat.models import HarvestSource

DEMO_FILE = Path(__file__).parent / "fixtures" / "county-catalog.ttl"
DEMO_URL = "https://data.aldermere-county.example/catalog.ttl"
DEMO_SLUG = "aldermere-county"


def demo_fetcher(url: str, **_kwargs: Any) -> Fetched:
    return Fetched(url=url, content=DEMO_FILE.read_bytes(), content_type="text/turtle")


def demo_load(log: Callable[[str], None]) -> None:
    department = next((d for d in departments() if d.slug == "open-data"), None)
    if department is None:
        log("dcat: no open-data department, skipped")
        return
    source = HarvestSource.objects.filter(slug=DEMO_SLUG).first()
    if source is None:
        source = services.harvest_source_create(
            actor=None,
            name="Aldermere County open data",
            url=DEMO_URL,
            source_type=HarvestType.DCAT,
            department_id=department.id,
            interval_hours=0,  # the address is fictional: never scheduled
            slug=DEMO_SLUG,
        )
    if source.runs.exclude(status=HarvestStatus.FAILED).exists():
        log("dcat: demo harvest source already harvested")
        return
    run = services.harvest_run(source_id=source.pk, trigger="demo", fetcher=demo_fetcher)
    log(f"dcat: harvested the demo county catalogue ({run.status}, {run.created} created)")
