"""The demo city's DataStore: every public CSV or XLSX file of the demo catalog, loaded."""

from __future__ import annotations

from collections.abc import Callable

from cityhall.catalog import facade as catalog_facade
from cityhall.catalog.contracts import DatasetRecord
from cityhall.datastore import services
from cityhall.datastore.contracts import LoadState
from cityhall.datastore.models import DataTable, LoadJob

TABULAR = {"CSV", "XLSX", "TSV"}


def _public_datasets() -> list[DatasetRecord]:
    datasets: list[DatasetRecord] = []
    while True:
        total, page = catalog_facade.public_dataset_records(offset=len(datasets), limit=100)
        datasets.extend(page)
        if not page or len(datasets) >= total:
            return datasets


def demo_load(log: Callable[[str], None]) -> None:
    """Load the demo catalog's tabular files that have no table yet, here and now rather than by
    the worker, so the demo has its tables at once (safe to run again)."""
    loaded = failed = 0
    for dataset in _public_datasets():
        for distribution in dataset.distributions:
            if (
                distribution.format.upper() not in TABULAR
                or DataTable.objects.filter(pk=distribution.id).exists()
            ):
                continue
            ref = catalog_facade.resource_ref(distribution.id)
            if ref is None or not ref.file_path:
                continue
            job = LoadJob.objects.filter(resource_id=distribution.id, state=LoadState.QUEUED).first()
            if job is None:
                job = LoadJob.objects.create(resource_id=distribution.id, requested_by="system:demo")
            if services.load_job_run(job_id=job.pk) == LoadState.DONE:
                loaded += 1
            else:
                failed += 1
    log(f"datastore: {loaded} tables loaded" + (f", {failed} files could not be loaded" if failed else ""))
