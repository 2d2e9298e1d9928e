"""What other apps may know about datastore: vocabularies and frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoadState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Loading")
    DONE = "done", _("Loaded")
    FAILED = "failed", _("Failed")


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """One problem found in a file: row (the header is row 1) and column where they apply."""

    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class LoadStatus:
    """The latest load of one resource into the DataStore."""

    resource_id: uuid.UUID
    state: str  # LoadState value
    rows_loaded: int
    rows_total: int | None  # known once the load is done
    bytes_done: int
    bytes_total: int | None
    errors: tuple[LoadProblem, ...] = ()
    warnings: tuple[LoadProblem, ...] = ()
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    queued_at: dt.datetime | None = None
    datastore_active: bool = False
    columns: tuple[tuple[str, str], ...] = field(default=())  # (name, CKAN type) of the live table

    @property
    def percent(self) -> int | None:
        if self.state == LoadState.DONE:
            return 100
        if not self.bytes_total:
            return None
        return min(99, int(100 * self.bytes_done / self.bytes_total))
