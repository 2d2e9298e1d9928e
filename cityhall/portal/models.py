"""City information for residents: topics and pages, digital-skills help, the service directory by life
event, the new-resident checklist (with each resident's ticks), and the site-search index."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel, TimeStampedModel


class Topic(PublicModel):
    """A theme residents look for (housing, getting around, bins), not a department."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_translations = models.JSONField(_("summary in other languages"), default=dict, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class PageKind(models.TextChoices):
    INFORMATION = "information", _("City information")
    DIGITAL_HELP = "digital_help", _("Help with online services")


class InfoPage(PublicModel):
    """A page of city information in plain language. Other languages live in `translations`."""

    kind = models.CharField(_("kind"), max_length=20, choices=PageKind.choices, default=PageKind.INFORMATION)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    # {"es": {"title": "...", "summary": "...", "body": "..."}, "ar": {...}}
    translations = models.JSONField(_("other languages"), default=dict, blank=True)
    published = models.BooleanField(_("published"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class LifeEvent(PublicModel):
    """A moment in life that brings people to city hall: moving here, a baby, a business."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_translations = models.JSONField(_("summary in other languages"), default=dict, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


SERVICE_TEXT_FIELDS = (
    "name",
    "summary",
    "who_can_use",
    "how_online",
    "how_offline",
    "documents_needed",
    "fees",
    "time_it_takes",
)


class DirectoryService(PublicModel):
    """One thing the city does for residents: what it is, who can use it, how, what it costs, how long."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("what it is"))
    who_can_use = models.TextField(_("who can use it"), blank=True)
    how_online = models.TextField(_("how to do it online"), blank=True)
    how_offline = models.TextField(_("how to do it in person, by phone or by post"), blank=True)
    documents_needed = models.TextField(_("documents needed"), blank=True)
    fees = models.TextField(_("fees"), blank=True)
    time_it_takes = models.CharField(_("how long it takes"), max_length=200, blank=True)
    online_url = models.CharField(_("online service address"), max_length=500, blank=True)
    report_service_code = models.CharField(
        _("service request type"),
        max_length=50,
        blank=True,
        help_text=_("If residents use this by reporting a problem: the service request type's code."),
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("life events"), related_name="services", blank=True
    )
    # {"es": {"name": "...", "summary": "...", ...}}
    translations = models.JSONField(_("other languages"), default=dict, blank=True)
    published = models.BooleanField(_("published"), default=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NewResidentStep(PublicModel):
    """One thing to do in the first weeks in the city, linked to the service that does it."""

    order = models.PositiveIntegerField(_("order"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_translations = models.JSONField(_("title in other languages"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_translations = models.JSONField(_("description in other languages"), default=dict, blank=True)
    within_weeks = models.PositiveSmallIntegerField(_("within (weeks)"), null=True, blank=True)
    service = models.ForeignKey(
        DirectoryService,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("new-resident step")
        verbose_name_plural = _("new-resident steps")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class NewResidentProgress(TimeStampedModel):
    """A step a signed-in resident has ticked off."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(NewResidentStep, on_delete=models.CASCADE, related_name="progress")

    class Meta:
        verbose_name = _("new-resident progress")
        verbose_name_plural = _("new-resident progress")
        ordering = ["user", "step"]
        constraints = [models.UniqueConstraint(fields=["user", "step"], name="new_resident_step_once")]

    def __str__(self) -> str:
        return f"{self.user_id} did {self.step_id}"


class SearchEntry(models.Model):
    """One document of the site search, in one language. Rebuilt from every app's search source.

    Full-text indexes live in migration 0002: an FTS5 table on SQLite, a GIN index on PostgreSQL.
    """

    id = models.BigAutoField(primary_key=True)  # FTS5 joins on an integer rowid
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=200)
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    search_vector = SearchVectorField(null=True)  # PostgreSQL only; NULL on SQLite

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["kind", "key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "language"], name="search_entry_once_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} ({self.language})"
