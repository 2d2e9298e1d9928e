"""`cityhall harvest <source-slug> | --all | --url URL --type ckan|dcat --department SLUG`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cityhall.core.errors import ServiceError
from cityhall.dcat import services
from cityhall.dcat.contracts import HarvestStatus, HarvestType
from cityhall.dcat.models import HarvestRun, HarvestSource


class Command(BaseCommand):
    help = "Harvest another CKAN site or DCAT-AP catalogue into the catalog, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="The short name (slug) of a harvest source.")
        parser.add_argument("--all", action="store_true", help="Harvest every active source.")
        parser.add_argument("--url", help="Harvest this address (the source is created on first use).")
        parser.add_argument("--type", choices=HarvestType.values, help="With --url: ckan or dcat.")
        parser.add_argument("--department", help="With --url: the slug of the publishing department.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs and cron).")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = self._sources(options)
        failed = 0
        for source in sources:
            run = self._run(source, progress=not options["no_progress"])
            if run.status == HarvestStatus.FAILED:
                failed += 1
        if failed:
            raise CommandError(f"{failed} of {len(sources)} harvests failed; see the reports above.")

    def _sources(self, options: dict[str, Any]) -> list[HarvestSource]:
        chosen = [bool(options["source"]), bool(options["all"]), bool(options["url"])]
        if sum(chosen) != 1:
            raise CommandError(
                "Give one of: a source slug, --all, or --url URL --type ckan|dcat --department SLUG."
            )
        if options["all"]:
            return list(HarvestSource.objects.filter(is_active=True).order_by("slug"))
        if options["url"]:
            if not options["type"] or not options["department"]:
                raise CommandError("--url needs --type ckan|dcat and --department SLUG.")
            try:
                return [
                    services.harvest_source_for_url(
                        url=options["url"], source_type=options["type"], department_slug=options["department"]
                    )
                ]
            except ServiceError as error:
                raise CommandError(error.message) from error
        source = HarvestSource.objects.filter(slug=options["source"]).first()
        if source is None:
            known = (
                ", ".join(HarvestSource.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            )
            raise CommandError(f"There is no harvest source “{options['source']}”. Known sources: {known}.")
        return [source]

    def _run(self, source: HarvestSource, *, progress: bool) -> HarvestRun:
        bar: Any = None

        def advance(done: int, total: int) -> None:
            nonlocal bar
            if not progress:
                return
            if bar is None:
                bar = tqdm(total=total, desc=source.slug, unit="dataset", file=self.stderr._out)
            bar.update(done - bar.n)

        self.stdout.write(f"Harvesting {source.slug} ({source.source_type}) from {source.url}")
        try:
            run = services.harvest_run(source_id=source.pk, trigger="command", progress=advance)
        except ServiceError as error:
            raise CommandError(error.message) from error
        finally:
            if bar is not None:
                bar.close()
        summary = (
            f"{run.get_status_display()}: {run.created} created, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.removed} removed, {run.failed} failed."
        )
        self.stdout.write(summary)
        if run.error:
            self.stderr.write(run.error)
        for problem in run.item_errors:
            self.stderr.write(
                f"  {problem.get('title') or problem.get('identifier')}: {problem.get('message')}"
            )
        return run
