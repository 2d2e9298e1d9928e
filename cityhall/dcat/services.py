"""Harvesting: sources, and the run that reads a source and writes its datasets into the catalog.

A run has two phases. *Gather* fetches and parses every page of the source; any problem with the
source as a whole (unreachable, not RDF, a CKAN error, garbage) fails the run there, before anything
is written, so the datasets from earlier runs stay as they were. *Import* then writes each dataset
in its own transaction through the catalog facade; one bad dataset (an unknown licence, say) is
reported and skipped, and its previous version is left untouched. Datasets the source no longer
lists are marked removed. Every run keeps its report (counts, per-dataset errors, log).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cityhall.accounts.facade import audit_actor, departments
from cityhall.catalog import facade as catalog
from cityhall.core.audit import audit_record
from cityhall.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from cityhall.dcat import ckan, fetch, parse, rules, selectors
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.models import HarvestRun, HarvestSource
from cityhall.dcat.parse import HarvestItem, HarvestSourceError, Target

logger = logging.getLogger(__name__)

MAX_PAGES = 10_000
FULL_RUN_EVERY = dt.timedelta(days=7)
DCAT_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, */*;q=0.1"

Progress = Callable[[int, int], None]  # (done, total)
Fetch = Callable[..., fetch.Fetched]


# --- Sources ---------------------------------------------------------------------------------


def _department(department_id: uuid.UUID) -> Any:
    for department in departments():
        if department.id == department_id:
            return department
    raise NotFoundError(_("There is no department with this id. Choose one from the list."))


def harvest_source_create(
    *,
    actor: Any | None,
    name: str,
    url: str,
    source_type: str,
    department_id: uuid.UUID,
    interval_hours: int = 24,
    incremental: bool = False,
    slug: str = "",
) -> HarvestSource:
    if actor is not None and not rules.can_manage_harvest(actor, department_id):
        raise PermissionDeniedError(
            _("Only the department's data publishers and administrators can add harvest sources for it.")
        )
    if source_type not in HarvestType.values:
        raise ServiceError(_("The source type must be “ckan” or “dcat”."))
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ServiceError(_("The address must start with http:// or https:// and name a host."))
    if interval_hours < 0 or interval_hours > 24 * 366:
        raise ServiceError(_("The interval must be between 0 (only by hand) and 8784 hours."))
    department = _department(department_id)
    slug = slugify(slug or name)[:80].strip("-")
    if not slug:
        raise ServiceError(_("Give the source a name with at least one letter or digit."))
    with transaction.atomic():
        if HarvestSource.objects.filter(slug=slug).exists():
            raise ServiceError(
                _("A source with the short name “%(slug)s” exists already; choose another name.")
                % {"slug": slug}
            )
        source = HarvestSource.objects.create(
            slug=slug,
            name=name.strip()[:200],
            url=url,
            source_type=source_type,
            department_id=department.id,
            interval_hours=interval_hours,
            incremental=incremental and source_type == HarvestType.CKAN,
        )
        audit_record(
            actor=audit_actor(actor),
            action="harvest.source_create",
            object_type="dcat.HarvestSource",
            object_id=str(source.pk),
            data={"slug": slug, "url": url, "type": source_type, "department": str(department.id)},
        )
    return source


def harvest_source_update(
    *,
    actor: Any | None,
    source_id: uuid.UUID,
    name: str,
    url: str,
    interval_hours: int,
    incremental: bool,
    is_active: bool,
) -> HarvestSource:
    """Change a source's name, address, schedule and whether it runs (type and department stay)."""
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ServiceError(_("The address must start with http:// or https:// and name a host."))
    if interval_hours < 0 or interval_hours > 24 * 366:
        raise ServiceError(_("The interval must be between 0 (only by hand) and 8784 hours."))
    if not name.strip():
        raise ServiceError(_("Give the source a name."))
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise NotFoundError(_("There is no harvest source with this id."))
        if actor is not None and not rules.can_manage_harvest(actor, source.department_id):
            raise PermissionDeniedError(
                _("Only the department's data publishers and administrators can change this source.")
            )
        before = {
            "name": source.name,
            "url": source.url,
            "interval_hours": source.interval_hours,
            "incremental": source.incremental,
            "is_active": source.is_active,
        }
        source.name = name.strip()[:200]
        source.url = url
        source.interval_hours = interval_hours
        source.incremental = incremental and source.source_type == HarvestType.CKAN
        source.is_active = is_active
        source.save(update_fields=["name", "url", "interval_hours", "incremental", "is_active", "updated_at"])
        after = {
            "name": source.name,
            "url": source.url,
            "interval_hours": source.interval_hours,
            "incremental": source.incremental,
            "is_active": source.is_active,
        }
        audit_record(
            actor=audit_actor(actor),
            action="harvest.source_update",
            object_type="dcat.HarvestSource",
            object_id=str(source.pk),
            data={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        )
    return source


def harvest_source_for_url(*, url: str, source_type: str, department_slug: str) -> HarvestSource:
    """The source for an address given on the command line, made on first use (so its runs are kept)."""
    department = next((d for d in departments() if d.slug == department_slug), None)
    if department is None:
        raise NotFoundError(_("There is no department “%(slug)s”.") % {"slug": department_slug})
    existing = HarvestSource.objects.filter(
        url=url, source_type=source_type, department_id=department.id
    ).first()
    if existing is not None:
        return existing
    host = urlsplit(url).hostname or "source"
    base = slugify(f"{host}-{source_type}")[:70] or "source"
    slug, counter = base, 2
    while HarvestSource.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return harvest_source_create(
        actor=None,
        name=host,
        url=url,
        source_type=source_type,
        department_id=department.id,
        interval_hours=0,
        slug=slug,
    )


# --- Runs ------------------------------------------------------------------------------------


def _start_run(source_id: uuid.UUID, *, actor: Any | None, trigger: str) -> tuple[HarvestSource, HarvestRun]:
    with transaction.atomic():
        source = HarvestSource.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            raise NotFoundError(_("There is no harvest source with this id."))
        if actor is not None and not rules.can_manage_harvest(actor, source.department_id):
            raise PermissionDeniedError(
                _("Only the department's data publishers and administrators can run this source.")
            )
        now = timezone.now()
        if selectors.is_running(source):
            raise ServiceError(
                _("A harvest of this source is already running. Wait for it to finish."), code="busy"
            )
        run = HarvestRun.objects.create(
            source=source,
            trigger=trigger,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            started_at=now,
        )
        source.last_run_at = now
        source.save(update_fields=["last_run_at", "updated_at"])
    return source, run


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, message: str) -> None:
        self.lines.append(f"{timezone.now():%H:%M:%S} {message}")

    def text(self) -> str:
        return "\n".join(self.lines[-2000:])


def harvest_run(
    *,
    source_id: uuid.UUID,
    actor: Any | None = None,
    trigger: str = "manual",
    fetcher: Fetch | None = None,
    progress: Progress | None = None,
) -> HarvestRun:
    """Harvest one source now; returns the finished run (its status says how it went)."""
    source, run = _start_run(source_id, actor=actor, trigger=trigger)
    log = _Log()
    get = fetcher or fetch.http_fetch
    department = _department(source.department_id)
    target = Target(
        source=source.slug,
        department_id=department.id,
        department_name=department.name,
        department_slug=department.slug,
    )
    full = True
    try:
        log(_("Harvesting %(url)s (%(type)s).") % {"url": source.url, "type": source.source_type})
        if source.source_type == HarvestType.CKAN:
            since = _incremental_since(source)
            full = since is None
            items, listed = _gather_ckan(source.url, target=target, get=get, log=log, since=since)
        else:
            items = _gather_dcat(source.url, target=target, get=get, log=log)
            listed = {item.identifier for item in items if item.identifier}
        if full and not listed:
            previous = _previous_count(source)
            if previous:
                raise HarvestSourceError(
                    _(
                        "The source listed no datasets, where the last good run found %(count)s. Nothing was "
                        "marked removed; if the source really is empty, deactivate it."
                    )
                    % {"count": previous}
                )
    except (ServiceError, fetch.FetchError) as error:
        return _finish(
            run, source, log, status=HarvestStatus.FAILED, error=error.message, actor=actor, full=False
        )
    except Exception as error:  # a bug or an unexpected answer: record it, never leave the run "running"
        logger.exception("dcat.harvest_crashed", extra={"source": source.slug})
        return _finish(
            run,
            source,
            log,
            status=HarvestStatus.FAILED,
            error=_("The harvest stopped on an unexpected error (%(error)s).")
            % {"error": type(error).__name__},
            actor=actor,
            full=False,
        )
    _import(run, items, target=target, department_id=department.id, log=log, progress=progress)
    if full:
        try:
            run.removed = catalog.dataset_mark_removed_at_source(source=source.slug, keep_identifiers=listed)
        except Exception as error:
            logger.exception("dcat.mark_removed_failed", extra={"source": source.slug})
            run.item_errors.append({"identifier": "", "title": "", "message": str(error)})
        if run.removed:
            log(
                _("%(count)s datasets are no longer at the source and were marked removed.")
                % {"count": run.removed}
            )
    else:
        log(_("Incremental run: removals are checked on the next full run."))
    status = HarvestStatus.PARTIAL if run.failed else HarvestStatus.SUCCEEDED
    return _finish(run, source, log, status=status, error="", actor=actor, full=full)


def _incremental_since(source: HarvestSource) -> dt.datetime | None:
    if not source.incremental or source.last_success_at is None:
        return None
    last_full = (
        HarvestRun.objects.filter(source=source, status__in=[HarvestStatus.SUCCEEDED, HarvestStatus.PARTIAL])
        .filter(full=True)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last_full is None or timezone.now() - last_full > FULL_RUN_EVERY:
        return None
    last_good = (
        HarvestRun.objects.filter(source=source, status__in=[HarvestStatus.SUCCEEDED, HarvestStatus.PARTIAL])
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return (last_good - dt.timedelta(hours=1)) if last_good else None


def _previous_count(source: HarvestSource) -> int:
    run = (
        HarvestRun.objects.filter(source=source, status__in=[HarvestStatus.SUCCEEDED, HarvestStatus.PARTIAL])
        .order_by("-started_at")
        .first()
    )
    return (run.created + run.updated + run.unchanged) if run else 0


def _gather_dcat(url: str, *, target: Target, get: Fetch, log: _Log) -> list[HarvestItem]:
    items: dict[str, HarvestItem] = {}
    anonymous: list[HarvestItem] = []
    seen: set[str] = set()
    next_url: str | None = url
    while next_url:
        if next_url in seen or len(seen) >= MAX_PAGES:
            log(
                _("Stopped paging at %(url)s: the page was seen before or the page limit was reached.")
                % {"url": next_url}
            )
            break
        seen.add(next_url)
        fetched = get(next_url, accept=DCAT_ACCEPT)
        page = parse.parse_catalog_page(
            fetched.content, content_type=fetched.content_type, url=next_url, target=target
        )
        for item in page.items:
            if item.identifier:
                items.setdefault(item.identifier, item)
            else:
                anonymous.append(item)
        log(_("Read %(url)s: %(count)s datasets.") % {"url": next_url, "count": len(page.items)})
        next_url = page.next_url
    return list(items.values()) + anonymous


def _gather_ckan(
    site: str, *, target: Target, get: Fetch, log: _Log, since: dt.datetime | None
) -> tuple[list[HarvestItem], set[str]]:
    """Page package_search (sort=id asc, rows/start) until an empty page or the count is reached."""
    site = re.sub(r"/api(/3)?(/action)?/?$", "", site.rstrip("/"))
    items: dict[str, HarvestItem] = {}
    anonymous: list[HarvestItem] = []
    start, pages = 0, 0
    while pages < MAX_PAGES:
        url = ckan.action_url(site, "package_search", ckan.search_params(start=start, modified_since=since))
        fetched = get(url, accept="application/json", error_body=True)
        result = ckan.read_envelope(fetched.content, url=url, status=fetched.status)
        packages = result["results"]
        pages += 1
        if not packages:
            break
        for package in packages:
            item = ckan.package_item(package, site=site, target=target)
            if item.identifier:
                items.setdefault(item.identifier, item)
            else:
                anonymous.append(item)
        start += len(packages)
        log(
            _("Read package_search from %(start)s: %(count)s datasets.")
            % {"start": start - len(packages), "count": len(packages)}
        )
        count = result.get("count")
        if isinstance(count, int) and start >= count:
            break
    if since is not None:
        log(_("Incremental: only datasets changed since %(since)s.") % {"since": since.isoformat()})
    return list(items.values()) + anonymous, {i for i in items}


def _import(
    run: HarvestRun,
    items: list[HarvestItem],
    *,
    target: Target,
    department_id: uuid.UUID,
    log: _Log,
    progress: Progress | None,
) -> None:
    total = len(items)
    for done, item in enumerate(items, start=1):
        label = item.title or item.identifier or _("(untitled)")
        if item.record is None:
            run.failed += 1
            run.item_errors.append(
                {"identifier": item.identifier, "title": item.title, "message": item.error}
            )
            log(_("Skipped %(label)s: %(error)s") % {"label": label, "error": item.error})
        else:
            try:
                with transaction.atomic():
                    _id, outcome = catalog.dataset_upsert_harvested(
                        source=target.source, record=item.record, publisher_department_id=department_id
                    )
            except Exception as error:  # the catalog's validation errors and anything else: this dataset only
                message = getattr(error, "message", "") or str(error) or type(error).__name__
                run.failed += 1
                run.item_errors.append(
                    {"identifier": item.identifier, "title": item.title, "message": str(message)}
                )
                log(_("Could not import %(label)s: %(error)s") % {"label": label, "error": message})
            else:
                setattr(run, outcome, getattr(run, outcome) + 1)
        if progress is not None:
            progress(done, total)


def _finish(
    run: HarvestRun,
    source: HarvestSource,
    log: _Log,
    *,
    status: str,
    error: str,
    actor: Any | None,
    full: bool,
) -> HarvestRun:
    if error:
        log(_("Failed: %(error)s") % {"error": error})
    log(
        _(
            "Done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(removed)s removed, "
            "%(failed)s failed."
        )
        % {
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "removed": run.removed,
            "failed": run.failed,
        }
    )
    now = timezone.now()
    with transaction.atomic():
        run.status = status
        run.full = full
        run.error = error
        run.finished_at = now
        run.log = log.text()
        run.save(
            update_fields=[
                "status",
                "full",
                "error",
                "finished_at",
                "log",
                "created",
                "updated",
                "unchanged",
                "removed",
                "failed",
                "item_errors",
                "updated_at",
            ]
        )
        if status != HarvestStatus.FAILED:
            HarvestSource.objects.filter(pk=source.pk).update(last_success_at=run.started_at, updated_at=now)
        audit_record(
            actor=audit_actor(actor, system="harvest"),
            action="harvest.run",
            object_type="dcat.HarvestSource",
            object_id=str(source.pk),
            data={
                "run": str(run.pk),
                "status": status,
                "created": run.created,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "removed": run.removed,
                "failed": run.failed,
            },
        )
    logger.info("dcat.harvest_finished", extra={"source": source.slug, "status": status})
    return run


def harvest_due(*, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Run every active source whose interval has passed (the scheduled task calls this)."""
    now = now or timezone.now()
    ran = []
    for source in HarvestSource.objects.filter(is_active=True, interval_hours__gt=0).order_by("last_run_at"):
        if source.last_run_at is not None and now - source.last_run_at < dt.timedelta(
            hours=source.interval_hours
        ):
            continue
        try:
            run = harvest_run(source_id=source.pk, trigger="schedule")
        except ServiceError as error:  # already running: the next tick tries again
            logger.info("dcat.harvest_skipped", extra={"source": source.slug, "reason": error.code})
            continue
        ran.append(run.pk)
    return ran
