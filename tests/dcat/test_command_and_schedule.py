"""`cityhall harvest ...`, the schedule, and the demo."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cityhall.accounts.models import Department
from cityhall.catalog.models import Dataset
from cityhall.core.schedule import schedules
from cityhall.dcat import services
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.facade import demo_load
from cityhall.dcat.models import HarvestRun, HarvestSource
from tests.dcat.sources import ckan_package, ckan_search, dcat_catalog, dcat_dataset
from tests.dcat.support import FakeSite, Reply

pytestmark = pytest.mark.django_db


def _source(site: FakeSite, department: Department, slug: str = "county", hours: int = 24) -> HarvestSource:
    return services.harvest_source_create(
        actor=None,
        name=slug,
        url=site.url + "/catalog.ttl",
        source_type=HarvestType.DCAT,
        department_id=department.pk,
        slug=slug,
        interval_hours=hours,
    )


def test_harvest_a_source_by_its_slug_with_a_progress_bar(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("a"), dcat_dataset("b")))
    _source(site, open_data)
    out, err = StringIO(), StringIO()

    call_command("harvest", "county", stdout=out, stderr=err)

    assert "Succeeded: 2 created" in out.getvalue()
    assert "2/2" in err.getvalue()  # tqdm's bar
    assert Dataset.objects.count() == 2


def test_harvest_a_url_creates_the_source_so_its_reports_are_kept(
    site: FakeSite, open_data: Department
) -> None:
    site.routes["/api/3/action/package_search"] = ckan_search([ckan_package(1)])

    call_command(
        "harvest",
        "--url",
        site.url,
        "--type",
        "ckan",
        "--department",
        "open-data",
        "--no-progress",
        stdout=StringIO(),
    )
    call_command(
        "harvest",
        "--url",
        site.url,
        "--type",
        "ckan",
        "--department",
        "open-data",
        "--no-progress",
        stdout=StringIO(),
    )

    source = HarvestSource.objects.get()
    assert source.source_type == HarvestType.CKAN and source.interval_hours == 0
    assert [r.unchanged for r in source.runs.order_by("started_at")] == [0, 1]


def test_harvest_all_and_a_failure_makes_the_command_fail(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(b"broken {")
    _source(site, open_data)
    err = StringIO()

    with pytest.raises(CommandError, match="1 of 1 harvests failed"):
        call_command("harvest", "--all", "--no-progress", stdout=StringIO(), stderr=err)

    assert "not valid Turtle RDF" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "There is no harvest source “nope”"),
        ([], "Give one of"),
        (["--url", "https://x.example/"], "--url needs --type"),
        (["--url", "https://x.example/", "--type", "dcat", "--department", "nowhere"], "no department"),
    ],
)
def test_command_errors_are_clear(db: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("harvest", *args, stdout=StringIO())


def test_the_schedule_runs_only_sources_that_are_due(site: FakeSite, open_data: Department) -> None:
    site.routes["/catalog.ttl"] = Reply(dcat_catalog(dcat_dataset("a")))
    due = _source(site, open_data, slug="due", hours=1)
    recent = _source(site, open_data, slug="recent", hours=24)
    manual = _source(site, open_data, slug="manual", hours=0)
    HarvestSource.objects.filter(pk=recent.pk).update(last_run_at=timezone.now() - dt.timedelta(hours=2))

    ran = services.harvest_due()

    assert [HarvestRun.objects.get(pk=r).source_id for r in ran] == [due.pk]
    assert not manual.runs.exists() and not recent.runs.exists()
    assert services.harvest_due() == []  # due again only after its interval
    assert "dcat.harvest_due" in {s.name for s in schedules()}


def test_the_demo_harvests_the_shipped_catalogue_once(open_data: Department) -> None:
    lines: list[str] = []

    demo_load(lines.append)
    demo_load(lines.append)

    source = HarvestSource.objects.get(slug="aldermere-county")
    assert [r.status for r in source.runs.all()] == [HarvestStatus.SUCCEEDED]
    assert Dataset.objects.filter(harvest_source="aldermere-county", state="published").count() == 2
