from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.core.ids import uuid7

GENESIS_HASH = "0" * 64


class TimeStampedModel(models.Model):
    """Base for every Cityhall model: created/updated times (remember updated_at in update_fields)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStampedModel):
    """A model whose rows are exposed publicly: a time-ordered UUID as the primary key."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class City(TimeStampedModel):
    """The one city this installation serves (a single row)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    country_code = models.CharField(_("country code"), max_length=2, blank=True)
    center_latitude = models.FloatField(_("centre latitude"))
    center_longitude = models.FloatField(_("centre longitude"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center_latitude__gte=-90, center_latitude__lte=90)
                & models.Q(center_longitude__gte=-180, center_longitude__lte=180),
                name="city_center_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class District(PublicModel):
    """A named area of the city with its boundary as a GeoJSON Polygon/MultiPolygon in WGS84."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # Bounding box, kept with the boundary so area queries can prefilter in SQL.
    min_latitude = models.FloatField()
    min_longitude = models.FloatField()
    max_latitude = models.FloatField()
    max_longitude = models.FloatField()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """One link of the append-only, hash-chained audit log. Never updated, never deleted."""

    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=50, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def chained_fields(self) -> dict[str, Any]:
        from cityhall.core.canonical import rfc3339_utc

        return {
            "seq": self.seq,
            "at": rfc3339_utc(self.at),
            "actor": self.actor,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }


class AuditChainHead(models.Model):
    """The single row writers lock to append to the chain, so it never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")]

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class ScheduledRun(models.Model):
    """When a periodic task was last enqueued (see cityhall.core.schedule)."""

    name = models.CharField(max_length=100, primary_key=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
