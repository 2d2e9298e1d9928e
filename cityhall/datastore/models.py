"""DataStore: the registry of loaded tables and the history of load jobs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel, TimeStampedModel
from cityhall.datastore.contracts import LoadState


class DataTable(TimeStampedModel):
    """One queryable table: the live copy of one catalog resource (distribution)."""

    resource_id = models.UUIDField(_("resource"), primary_key=True)
    table_name = models.CharField(_("table name"), max_length=63, unique=True)
    # [{"id": "amount", "type": "numeric"}, ...] in table order, without _id.
    columns = models.JSONField(_("columns"), default=list)
    row_count = models.BigIntegerField(_("rows"), default=0)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    source_bytes = models.BigIntegerField(_("source size in bytes"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("DataStore table")
        verbose_name_plural = _("DataStore tables")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.table_name


class LoadJob(PublicModel):
    """One attempt to load a resource's file into its table, with progress and the problems found."""

    resource_id = models.UUIDField(_("resource"), db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=LoadState.choices, default=LoadState.QUEUED)
    requested_by = models.CharField(_("requested by"), max_length=80, blank=True)
    rows_loaded = models.BigIntegerField(_("rows loaded"), default=0)
    bytes_done = models.BigIntegerField(_("bytes read"), default=0)
    bytes_total = models.BigIntegerField(_("bytes in all"), null=True, blank=True)
    # [{"row": 3, "column": "amount", "message": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("DataStore load")
        verbose_name_plural = _("DataStore loads")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resource_id", "-created_at"], name="datastore_load_latest")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.state}"
