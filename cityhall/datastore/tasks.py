from __future__ import annotations

import uuid

from django_tasks import task

from cityhall.datastore import services


@task()
def datastore_load_run(job_id: str) -> str:
    """Load a resource's file into its DataStore table (idempotent: a finished job is not rerun)."""
    return services.load_job_run(job_id=uuid.UUID(job_id))
