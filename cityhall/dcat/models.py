"""DCAT-AP and harvesting: models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel
from cityhall.dcat.contracts import HarvestStatus, HarvestType


class HarvestSource(PublicModel):
    """Another catalogue whose datasets the city republishes under one of its departments."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("address"), max_length=1000)
    source_type = models.CharField(_("type"), max_length=10, choices=HarvestType.choices)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("publishing department"),
    )
    interval_hours = models.PositiveIntegerField(
        _("harvest every (hours)"), default=24, help_text=_("0 means only when started by hand.")
    )
    incremental = models.BooleanField(
        _("incremental (CKAN only)"),
        default=False,
        help_text=_("Fetch only datasets changed since the last good run; removals are still detected."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful run"), null=True, blank=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_type__in=HarvestType.values), name="dcat_source_type_known"
            )
        ]

    def __str__(self) -> str:
        return self.name


class HarvestRun(PublicModel):
    """One harvest of one source: what it did, kept as its report."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("started by"), max_length=20, default="manual")
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=HarvestStatus.choices, default=HarvestStatus.RUNNING
    )
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    removed = models.PositiveIntegerField(_("marked removed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    full = models.BooleanField(_("full run"), default=True)  # False: incremental, removals not checked
    error = models.TextField(_("error"), blank=True)  # why the whole run failed
    item_errors = models.JSONField(
        _("dataset errors"), default=list, blank=True
    )  # [{identifier, title, message}]
    log = models.TextField(_("log"), blank=True)

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="dcat_run_source_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=HarvestStatus.values), name="dcat_run_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
