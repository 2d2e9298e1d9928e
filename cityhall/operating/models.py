"""The ISO 37106 smart city operating model as records the city keeps.

Component A (delivery principles), B (cross-city processes: vision, governance, stakeholders,
procurement, interoperability, terminology, roadmap, assets, architecture), C (benefit mapping,
tracking and delivery) and D (key risks), plus the indicator frameworks that measure benefits
(U4SSC, ISO 37120). The facts behind each record are in the shared
`standards/iso37106-operating-model.md`; what is seed data is marked [P]/[R] in `mark` fields,
never hard-coded as an enum (the licensed text may differ).

Cross-app foreign keys use string references ("accounts.User", "accounts.Department").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cityhall.core.models import PublicModel, TimeStampedModel

USER = settings.AUTH_USER_MODEL
DEPARTMENT = "accounts.Department"


# --- Shared vocabularies -------------------------------------------------------------------


class SourceMark(models.TextChoices):
    """How sure the record is of the standard's wording (see the shared standards note)."""

    PUBLIC = "P", _("Confirmed from a public source")
    RECONSTRUCTED = "R", _("Reconstructed; check against the licensed text")
    DESIGN = "D", _("Cityhall design decision")
    LOCAL = "L", _("Written by the city")


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Frequency(models.TextChoices):
    ANNUAL = "annual", _("Yearly")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")
    DAILY = "daily", _("Daily")


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class StakeholderGroup(models.TextChoices):
    """Who a benefit is for (ISO 37106 C1: benefits per stakeholder group)."""

    RESIDENTS = "residents", _("Residents")
    BUSINESSES = "businesses", _("Businesses")
    VISITORS = "visitors", _("Visitors")
    CITY_ORGANISATIONS = "city_organisations", _("City organisations")


class MaturityLevel(models.IntegerChoices):
    """ITU-T Y.4904 smart sustainable city maturity levels [P]."""

    PLANNING = 1, _("1 Planning")
    ALIGNMENT = 2, _("2 Alignment")
    DEVELOPMENT = 3, _("3 Development")
    INTEGRATION = 4, _("4 Integration")
    OPTIMIZATION = 5, _("5 Optimization")


# --- ISO 37101 matrix (loaded from the shared CSV) ------------------------------------------


class SustainabilityPurpose(TimeStampedModel):
    """One of the six ISO 37101 purposes of sustainable development (clause 4.5)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)

    class Meta:
        verbose_name = _("ISO 37101 purpose")
        verbose_name_plural = _("ISO 37101 purposes")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class SustainabilityIssue(TimeStampedModel):
    """One of the twelve ISO 37101 issues (clauses 4.6.2 to 4.6.13)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)

    class Meta:
        verbose_name = _("ISO 37101 issue")
        verbose_name_plural = _("ISO 37101 issues")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


# --- Component B1: vision and objectives -----------------------------------------------------


class VisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


class Vision(PublicModel):
    """One version of the city vision. Versions are never edited after adoption; a new one is drafted."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    statement = models.TextField(_("vision statement"))
    horizon_year = models.PositiveSmallIntegerField(_("horizon year"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=VisionStatus, default=VisionStatus.DRAFT)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    consultation_reference = models.CharField(
        _("consultation"),
        max_length=500,
        blank=True,
        help_text=_("Where residents were consulted on this version (a link or a reference)."),
    )

    class Meta:
        verbose_name = _("city vision")
        verbose_name_plural = _("city visions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="adopted"), name="operating_one_adopted_vision"
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(adopted_on__isnull=False),
                name="operating_adopted_vision_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.title}"


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Objective(PublicModel):
    """A city objective that turns the vision into something measurable, placed on the ISO 37101 matrix."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ObjectiveStatus, default=ObjectiveStatus.ACTIVE
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ObjectiveCell(models.Model):
    """An objective tagged with one (purpose, issue) cell of the ISO 37101 matrix."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="cells")
    purpose = models.ForeignKey(SustainabilityPurpose, on_delete=models.PROTECT, related_name="+")
    issue = models.ForeignKey(SustainabilityIssue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("objective matrix cell")
        verbose_name_plural = _("objective matrix cells")
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "purpose", "issue"], name="operating_objective_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.objective_id}: {self.purpose_id} × {self.issue_id}"


# --- Component A: delivery principles --------------------------------------------------------


class PrincipleHeading(models.TextChoices):
    """The four headings ISO 37106 asks the principles to cover at least [P] (2018 text, 4.3)."""

    VISION_AND_LEADERSHIP = "vision_and_leadership", _("Vision and leadership")
    CITIZEN_CENTRICITY = "citizen_centricity", _("Citizen-centricity")
    DIGITAL = "digital", _("Digital")
    OPENNESS_AND_COLLABORATION = "openness_and_collaboration", _("Openness and collaboration")


class DeliveryPrinciple(PublicModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    heading = models.CharField(_("heading"), max_length=40, choices=PrincipleHeading)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    source_reference = models.CharField(_("source"), max_length=300, blank=True)
    mark = models.CharField(_("confidence mark"), max_length=1, choices=SourceMark, default=SourceMark.LOCAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("delivery principle")
        verbose_name_plural = _("delivery principles")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PrincipleAdoption(PublicModel):
    """The city adopted a principle: when, by which body, on what evidence."""

    principle = models.OneToOneField(DeliveryPrinciple, on_delete=models.CASCADE, related_name="adoption")
    adopted_on = models.DateField(_("adopted on"))
    adopted_by = models.ForeignKey(
        "GovernanceBody", on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions"
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("adopted principle")
        verbose_name_plural = _("adopted principles")
        ordering = ["principle__order", "principle__code"]

    def __str__(self) -> str:
        return f"{self.principle_id} adopted {self.adopted_on}"


class PrincipleScore(models.IntegerChoices):
    NOT_MET = 0, _("0 Works against it or traded off")
    PARTLY = 1, _("1 Partly")
    LARGELY = 2, _("2 Largely")
    FULLY = 3, _("3 Fully")


class PrincipleAssessment(PublicModel):
    """A self-assessment of one project or procurement need against one adopted principle."""

    principle = models.ForeignKey(DeliveryPrinciple, on_delete=models.PROTECT, related_name="assessments")
    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, null=True, blank=True, related_name="principle_assessments"
    )
    procurement_need = models.ForeignKey(
        "ProcurementNeed",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="principle_assessments",
    )
    score = models.PositiveSmallIntegerField(_("score"), choices=PrincipleScore)
    rationale = models.TextField(_("rationale"))
    evidence = models.TextField(_("evidence"), blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("principle assessment")
        verbose_name_plural = _("principle assessments")
        ordering = ["principle__order", "principle__code"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=3), name="operating_principle_score_0_3"),
            models.CheckConstraint(condition=~Q(rationale=""), name="operating_principle_rationale_given"),
            models.CheckConstraint(
                condition=Q(project__isnull=False, procurement_need__isnull=True)
                | Q(project__isnull=True, procurement_need__isnull=False),
                name="operating_principle_assessment_one_subject",
            ),
            models.UniqueConstraint(
                fields=["principle", "project"],
                condition=Q(project__isnull=False),
                name="operating_principle_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["principle", "procurement_need"],
                condition=Q(procurement_need__isnull=False),
                name="operating_principle_once_per_need",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle_id}: {self.score}"


class MaturityDimension(models.TextChoices):
    """Dimensions the U4SSC factsheets assess on the Y.4904 levels [P]."""

    STRATEGY = "strategy", _("Strategy")
    ICT_INFRASTRUCTURE = "ict_infrastructure", _("ICT infrastructure")
    DATA = "data", _("Data")
    SERVICES_AND_APPLICATIONS = "services_and_applications", _("Services and applications")
    ASSESSMENTS = "assessments", _("Assessments")


class MaturityAssessment(PublicModel):
    """The city's self-assessed Y.4904 maturity in one dimension on one date (tracked over time)."""

    dimension = models.CharField(_("dimension"), max_length=40, choices=MaturityDimension)
    level = models.PositiveSmallIntegerField(_("level"), choices=MaturityLevel)
    assessed_on = models.DateField(_("assessed on"))
    evidence = models.TextField(_("evidence"))
    assessed_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")
        ordering = ["dimension", "-assessed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="operating_maturity_1_5"),
            models.UniqueConstraint(
                fields=["dimension", "assessed_on"], name="operating_maturity_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.level} ({self.assessed_on})"


# --- Components B2, B3: governance and stakeholders -----------------------------------------


class BodyKind(models.TextChoices):
    BOARD = "board", _("Board")
    STEERING_GROUP = "steering_group", _("Steering group")
    PROGRAMME_OFFICE = "programme_office", _("Programme office")
    WORKING_GROUP = "working_group", _("Working group")
    PARTNERSHIP = "partnership", _("Partnership")
    ADVISORY_PANEL = "advisory_panel", _("Advisory panel")


class GovernanceBody(PublicModel):
    """A leadership or governance body (B2).

    The decisions module (not built yet) will keep bodies of its own; the two should become one
    record when it exists.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind)
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    senior_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting_frequency = models.CharField(_("meets"), max_length=100, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    is_cross_sector = models.BooleanField(_("cross-sector"), default=False)

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StakeholderKind(models.TextChoices):
    RESIDENT_GROUP = "resident_group", _("Resident group")
    BUSINESS = "business", _("Business")
    ACADEMIA = "academia", _("University or research")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    COMMUNITY_ORGANISATION = "community_organisation", _("Community organisation")
    SUPPLIER = "supplier", _("Supplier")
    CITY_DEPARTMENT = "city_department", _("City department")
    OTHER = "other", _("Other")


class Stakeholder(PublicModel):
    """An organisation or group with a stake in the programme (B3), mapped by interest and influence."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=StakeholderKind)
    group = models.CharField(
        _("stakeholder group"), max_length=30, choices=StakeholderGroup, default=StakeholderGroup.RESIDENTS
    )
    interest = models.PositiveSmallIntegerField(_("interest (1 to 5)"))
    influence = models.PositiveSmallIntegerField(_("influence (1 to 5)"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interest__gte=1, interest__lte=5, influence__gte=1, influence__lte=5),
                name="operating_stakeholder_scores_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def engagement_approach(self) -> str:
        """The usual power/interest grid quadrant."""
        if self.influence >= 3:
            return str(_("Manage closely")) if self.interest >= 3 else str(_("Keep satisfied"))
        return str(_("Keep informed")) if self.interest >= 3 else str(_("Monitor"))


class EngagementMethod(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    LIVING_LAB = "living_lab", _("Living lab")
    HACKATHON = "hackathon", _("Hackathon")
    SURVEY = "survey", _("Survey")
    ONLINE_PARTICIPATION = "online_participation", _("Online participation")
    PUBLIC_MEETING = "public_meeting", _("Public meeting")
    CO_DESIGN = "co_design", _("Co-design session")


class EngagementActivity(PublicModel):
    """One engagement with stakeholders (B3), closed by saying how the input was used."""

    title = models.CharField(_("title"), max_length=300)
    method = models.CharField(_("method"), max_length=30, choices=EngagementMethod)
    held_on = models.DateField(_("held on"))
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="engagements")
    programme = models.ForeignKey(
        "Programme", on_delete=models.SET_NULL, null=True, blank=True, related_name="engagements"
    )
    project = models.ForeignKey(
        "Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="engagements"
    )
    consultation_reference = models.CharField(
        _("consultation"),
        max_length=500,
        blank=True,
        help_text=_("The consultation this belongs to (a link or a reference)."),
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    summary = models.TextField(_("what we heard"), blank=True)
    response = models.TextField(_("what we did (you said, we did)"), blank=True)

    class Meta:
        verbose_name = _("engagement activity")
        verbose_name_plural = _("engagement activities")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


# --- Component B7: roadmap -------------------------------------------------------------------


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Programme(PublicModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    governance_body = models.ForeignKey(
        GovernanceBody, on_delete=models.SET_NULL, null=True, blank=True, related_name="programmes"
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="programmes")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus, default=ProgrammeStatus.PLANNED
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="operating_programme_dates"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="operating_programme_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectPhase(models.TextChoices):
    QUICK_WIN = "quick_win", _("Quick win")
    FOUNDATION = "foundation", _("Foundation enabler")
    SCALE_UP = "scale_up", _("Scale-up")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_DELIVERY = "in_delivery", _("In delivery")
    LIVE = "live", _("Live, realising benefits")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Project(PublicModel):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=ProjectPhase, default=ProjectPhase.FOUNDATION)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus, default=ProjectStatus.PROPOSED
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    went_live_on = models.DateField(_("went live on"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="operating_project_dates"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="operating_project_budget"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectDependency(models.Model):
    """`project` cannot finish before `depends_on` does. The dependencies stay acyclic."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependents")

    class Meta:
        verbose_name = _("project dependency")
        verbose_name_plural = _("project dependencies")
        constraints = [
            models.UniqueConstraint(fields=["project", "depends_on"], name="operating_dependency_unique"),
            models.CheckConstraint(
                condition=~Q(project=F("depends_on")), name="operating_dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} → {self.depends_on_id}"


class Milestone(PublicModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return self.title


# --- Indicators (ISO 37120 / U4SSC) --------------------------------------------------------


class IndicatorFramework(PublicModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    mark = models.CharField(_("confidence mark"), max_length=1, choices=SourceMark, default=SourceMark.PUBLIC)

    class Meta:
        verbose_name = _("indicator framework")
        verbose_name_plural = _("indicator frameworks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ThemeLevel(models.TextChoices):
    THEME = "theme", _("Theme")
    DIMENSION = "dimension", _("Dimension")
    SUB_DIMENSION = "sub_dimension", _("Sub-dimension")
    CATEGORY = "category", _("Category")


class IndicatorTheme(PublicModel):
    """A theme of a framework: ISO 37120's 19 themes, or U4SSC dimension → sub-dimension → category."""

    framework = models.ForeignKey(IndicatorFramework, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=ThemeLevel, default=ThemeLevel.THEME)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator theme")
        verbose_name_plural = _("indicator themes")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="operating_theme_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorKind(models.TextChoices):
    CORE = "core", _("Core")
    ADVANCED = "advanced", _("Advanced")
    SUPPORTING = "supporting", _("Supporting")
    PROFILE = "profile", _("Profile")
    LOCAL = "local", _("Local")


class Indicator(PublicModel):
    """One indicator (or one part of a multi-part U4SSC KPI: key is code + part)."""

    framework = models.ForeignKey(IndicatorFramework, on_delete=models.PROTECT, related_name="indicators")
    theme = models.ForeignKey(
        IndicatorTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    part = models.CharField(_("part"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind, default=IndicatorKind.LOCAL)
    unit = models.CharField(
        _("unit"), max_length=50, blank=True, help_text=_("Values must be recorded in this unit.")
    )
    numerator = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    sdg_goals = models.JSONField(_("SDG goals"), default=list, blank=True)
    evaluation_level = models.CharField(_("evaluation level"), max_length=20, blank=True)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency, default=Frequency.ANNUAL)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    responsible_department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_headline = models.BooleanField(_("headline on the city dashboard"), default=False)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "order", "code", "part"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code", "part"], name="operating_indicator_key")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def key(self) -> str:
        return f"{self.code} ({self.part})" if self.part else self.code


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    SELF_VERIFIED = "self_verified", _("Checked by the city")
    INDEPENDENTLY_VERIFIED = "independently_verified", _("Independently verified")
    REJECTED = "rejected", _("Rejected")


class IndicatorValue(PublicModel):
    """The value of an indicator for one period, city-wide (no district) or for one district."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    district = models.ForeignKey(
        "core.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=50)
    source_name = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    verification = models.CharField(
        _("verification"), max_length=30, choices=VerificationStatus, default=VerificationStatus.UNVERIFIED
    )
    verified_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(district__isnull=True),
                name="operating_value_city_period_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator", "district", "period"],
                condition=Q(district__isnull=False),
                name="operating_value_district_period_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="operating_value_period_order"
            ),
        ]
        indexes = [
            # The newest city-wide values of one indicator: summaries and charts read this.
            models.Index(
                fields=["indicator", "-period_end"],
                condition=Q(district__isnull=True),
                name="operating_value_city_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}: {self.value}"


class IndicatorTarget(PublicModel):
    """A target for an indicator, with the ITU-T Y.4904 level bands (level 1 = baseline collected)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicator_targets"
    )
    target_value = models.FloatField(_("target value"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    level_2_from = models.FloatField(_("level 2 (alignment) from"), null=True, blank=True)
    level_3_from = models.FloatField(_("level 3 (development) from"), null=True, blank=True)
    level_4_from = models.FloatField(_("level 4 (integration) from"), null=True, blank=True)
    level_5_from = models.FloatField(_("level 5 (optimization) from"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "target_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "target_year"], name="operating_target_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.target_value} by {self.target_year}"

    def bands(self) -> list[float]:
        return [
            value
            for value in (self.level_2_from, self.level_3_from, self.level_4_from, self.level_5_from)
            if value is not None
        ]


class IndicatorSummary(TimeStampedModel):
    """The newest city-wide values of one indicator, kept in step by the services that write values.

    The public dashboard reads these rows instead of the values table, so its cost does not grow with
    the number of stored values.
    """

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    value_count = models.PositiveIntegerField(default=0)
    latest_period = models.CharField(max_length=10, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    previous_value = models.FloatField(null=True, blank=True)
    latest_verification = models.CharField(max_length=30, blank=True)
    series = models.JSONField(default=list, blank=True)  # [[period, value], ...] oldest first

    class Meta:
        verbose_name = _("indicator summary")
        verbose_name_plural = _("indicator summaries")

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.latest_value} ({self.latest_period})"


# --- Component C: benefits -------------------------------------------------------------------


class BenefitKind(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    ENVIRONMENTAL = "environmental", _("Environmental")
    SOCIAL = "social", _("Social")
    PUBLIC_SERVICE = "public_service", _("Public service")


class BenefitValueType(models.TextChoices):
    CASH_RELEASING = "cash_releasing", _("Cash-releasing")
    NON_CASH = "non_cash", _("Non-cash")
    QUALITY = "quality", _("Quality")


class BenefitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REALISING = "realising", _("Realising")
    REALISED = "realised", _("Realised")
    ABANDONED = "abandoned", _("Abandoned")


class ComputedFrom(models.TextChoices):
    NOTHING = "", _("Entered or imported by staff")
    INDICATOR = "indicator", _("Copied from its indicator")
    DATASTORE = "datastore", _("A catalog DataStore query")


class ProgressStatus(models.TextChoices):
    NO_DATA = "no_data", _("No measurement yet")
    NO_TARGET = "no_target", _("No target set")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    ACHIEVED = "achieved", _("Target reached")


class Benefit(PublicModel):
    """An intended benefit (or dis-benefit) for a stakeholder group, with its measure and trajectory."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=BenefitKind)
    value_type = models.CharField(
        _("cash or non-cash"), max_length=20, choices=BenefitValueType, default=BenefitValueType.NON_CASH
    )
    is_disbenefit = models.BooleanField(_("dis-benefit"), default=False)
    stakeholder_group = models.CharField(_("for"), max_length=30, choices=StakeholderGroup)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner_department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="benefits"
    )
    measure = models.CharField(_("measure"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50)
    frequency = models.CharField(_("measured"), max_length=20, choices=Frequency, default=Frequency.ANNUAL)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    computed_from = models.CharField(
        _("measurements come from"),
        max_length=20,
        choices=ComputedFrom,
        default=ComputedFrom.NOTHING,
        blank=True,
    )
    datastore_query = models.TextField(_("DataStore query"), blank=True)
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_source = models.CharField(_("baseline source"), max_length=300, blank=True)
    target_value = models.FloatField(_("target"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    cash_value = models.DecimalField(_("cash value"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence, default=Confidence.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BenefitStatus, default=BenefitStatus.PLANNED
    )
    is_public = models.BooleanField(_("shown on the city dashboard"), default=True)
    # Kept in step with the measurements by the services that write them (the dashboard reads these).
    latest_period = models.CharField(max_length=10, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    progress = models.CharField(max_length=20, choices=ProgressStatus, default=ProgressStatus.NO_DATA)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["code"]
        constraints = [
            # ISO 37106 C2: a target without a dated baseline cannot be tracked.
            models.CheckConstraint(
                condition=Q(target_value__isnull=True)
                | Q(baseline_value__isnull=False, baseline_date__isnull=False, target_date__isnull=False),
                name="operating_benefit_target_needs_baseline",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(target_date__gt=F("baseline_date")),
                name="operating_benefit_target_after_baseline",
            ),
            models.CheckConstraint(
                condition=~Q(computed_from="indicator") | Q(indicator__isnull=False),
                name="operating_benefit_computed_needs_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BenefitCell(models.Model):
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="cells")
    purpose = models.ForeignKey(SustainabilityPurpose, on_delete=models.PROTECT, related_name="+")
    issue = models.ForeignKey(SustainabilityIssue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("benefit matrix cell")
        verbose_name_plural = _("benefit matrix cells")
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "purpose", "issue"], name="operating_benefit_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id}: {self.purpose_id} × {self.issue_id}"


class TrajectoryPoint(models.Model):
    """A planned value of a benefit on a date: the path from baseline to target."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="trajectory")
    on = models.DateField(_("date"))
    planned_value = models.FloatField(_("planned value"))

    class Meta:
        verbose_name = _("trajectory point")
        verbose_name_plural = _("trajectory points")
        ordering = ["benefit", "on"]
        constraints = [models.UniqueConstraint(fields=["benefit", "on"], name="operating_trajectory_unique")]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.on}: {self.planned_value}"


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    CSV = "csv", _("Imported from a CSV file")
    INDICATOR = "indicator", _("Copied from an indicator")
    DATASTORE = "datastore", _("Computed from a catalog DataStore query")


class BenefitMeasurement(PublicModel):
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    period = models.CharField(_("period"), max_length=10)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=50)
    source = models.CharField(
        _("source"), max_length=20, choices=MeasurementSource, default=MeasurementSource.MANUAL
    )
    source_reference = models.CharField(_("source reference"), max_length=500, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    verified_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("benefit measurement")
        verbose_name_plural = _("benefit measurements")
        ordering = ["benefit", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "period"], name="operating_measurement_once_a_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="operating_measurement_period_order"
            ),
        ]
        indexes = [
            models.Index(fields=["benefit", "-period_end"], name="operating_measurement_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period}: {self.value}"


class NodeKind(models.TextChoices):
    """The columns of the benefit map, left to right (ISO 37106 Annex A, benefits dependency network)."""

    ENABLER = "enabler", _("Enabler")
    PROJECT = "project", _("Project")
    OUTPUT = "output", _("Output or change")
    OUTCOME = "outcome", _("Outcome")
    BENEFIT = "benefit", _("Benefit")
    OBJECTIVE = "objective", _("City objective")


NODE_STAGE = {
    NodeKind.ENABLER: 0,
    NodeKind.PROJECT: 0,
    NodeKind.OUTPUT: 1,
    NodeKind.OUTCOME: 2,
    NodeKind.BENEFIT: 3,
    NodeKind.OBJECTIVE: 4,
}


class BenefitMapNode(PublicModel):
    """A node of the benefit map. Project, benefit and objective nodes point at their record."""

    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="map_node"
    )
    benefit = models.OneToOneField(
        Benefit, on_delete=models.CASCADE, null=True, blank=True, related_name="map_node"
    )
    objective = models.OneToOneField(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="map_node"
    )

    class Meta:
        verbose_name = _("benefit map node")
        verbose_name_plural = _("benefit map nodes")
        ordering = ["kind", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="project", project__isnull=False, benefit__isnull=True, objective__isnull=True
                )
                | Q(kind="benefit", benefit__isnull=False, project__isnull=True, objective__isnull=True)
                | Q(kind="objective", objective__isnull=False, project__isnull=True, benefit__isnull=True)
                | Q(
                    kind__in=["enabler", "output", "outcome"],
                    project__isnull=True,
                    benefit__isnull=True,
                    objective__isnull=True,
                ),
                name="operating_node_points_at_its_kind",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def stage(self) -> int:
        return NODE_STAGE[NodeKind(self.kind)]


class LinkEffect(models.TextChoices):
    INCREASES = "increases", _("increases")
    DECREASES = "decreases", _("decreases")
    ENABLES = "enables", _("enables")
    PART_OF = "part_of", _("is part of")


class BenefitLink(PublicModel):
    """A typed edge of the benefit map. The services keep the graph acyclic and left to right."""

    from_node = models.ForeignKey(BenefitMapNode, on_delete=models.CASCADE, related_name="outgoing")
    to_node = models.ForeignKey(BenefitMapNode, on_delete=models.CASCADE, related_name="incoming")
    effect = models.CharField(_("effect"), max_length=20, choices=LinkEffect)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence, default=Confidence.MEDIUM
    )
    rationale = models.TextField(_("rationale"), blank=True)

    class Meta:
        verbose_name = _("benefit map link")
        verbose_name_plural = _("benefit map links")
        ordering = ["from_node", "to_node"]
        constraints = [
            models.UniqueConstraint(fields=["from_node", "to_node"], name="operating_link_unique"),
            models.CheckConstraint(condition=~Q(from_node=F("to_node")), name="operating_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_node_id} {self.effect} {self.to_node_id}"


class CheckpointReview(PublicModel):
    """A checkpoint review (C2) of a benefit, a project or a programme; independent or not."""

    benefit = models.ForeignKey(
        Benefit, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer_name = models.CharField(_("reviewer"), max_length=200)
    is_independent = models.BooleanField(_("independent review"), default=False)
    rag = models.CharField(_("rating"), max_length=10, choices=Rag)
    findings = models.TextField(_("findings"))
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("checkpoint review")
        verbose_name_plural = _("checkpoint reviews")
        ordering = ["-reviewed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit__isnull=False, project__isnull=True, programme__isnull=True)
                | Q(benefit__isnull=True, project__isnull=False, programme__isnull=True)
                | Q(benefit__isnull=True, project__isnull=True, programme__isnull=False),
                name="operating_review_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(next_review_due__isnull=True) | Q(next_review_due__gt=F("reviewed_on")),
                name="operating_review_next_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.rag}"


class ActionKind(models.TextChoices):
    BUSINESS_CHANGE = "business_change", _("Business change")
    CULTURAL_CHANGE = "cultural_change", _("Cultural change")
    SAVINGS_REALLOCATION = "savings_reallocation", _("Reallocating savings")
    LEGACY_SWITCH_OFF = "legacy_switch_off", _("Switching off a legacy channel")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class DeliveryAction(PublicModel):
    """Something someone must do so a benefit is realised after go-live (C3)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="actions")
    review = models.ForeignKey(
        CheckpointReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=ActionKind, default=ActionKind.BUSINESS_CHANGE)
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner_department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus, default=ActionStatus.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery action")
        verbose_name_plural = _("delivery actions")
        ordering = ["status", "due_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False),
                name="operating_action_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_department__isnull=False),
                name="operating_action_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Component D: key risks ------------------------------------------------------------------


class RiskArea(PublicModel):
    """A heading of the key-risk checklist (seeded with the TGF critical success factors [R])."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    heading = models.CharField(_("heading"), max_length=200)
    question = models.TextField(_("the question a review asks"))
    mark = models.CharField(_("confidence mark"), max_length=1, choices=SourceMark, default=SourceMark.LOCAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    review_interval_days = models.PositiveSmallIntegerField(_("review every (days)"), default=90)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)

    class Meta:
        verbose_name = _("key-risk area")
        verbose_name_plural = _("key-risk areas")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(review_interval_days__gte=1), name="operating_area_interval")
        ]

    def __str__(self) -> str:
        return self.heading


class ChecklistItem(PublicModel):
    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="items")
    text = models.TextField(_("text"))
    mark = models.CharField(_("confidence mark"), max_length=1, choices=SourceMark, default=SourceMark.LOCAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["area", "order"]

    def __str__(self) -> str:
        return self.text[:80]


class ChecklistReview(PublicModel):
    area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rag = models.CharField(_("rating"), max_length=10, choices=Rag)
    findings = models.TextField(_("findings"))
    next_review_due = models.DateField(_("next review due"))

    class Meta:
        verbose_name = _("key-risk review")
        verbose_name_plural = _("key-risk reviews")
        ordering = ["-reviewed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_due__gt=F("reviewed_on")), name="operating_checklist_next_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.reviewed_on} {self.rag}"


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Being mitigated")
    OCCURRED = "occurred", _("Occurred (now an issue)")
    CLOSED = "closed", _("Closed")


OPEN_RISK_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.OCCURRED)


class Risk(PublicModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(RiskArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="risks")
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1 to 5)"))
    impact = models.PositiveSmallIntegerField(_("impact (1 to 5)"))
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner_department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus, default=RiskStatus.OPEN)
    raised_on = models.DateField(_("raised on"))
    next_review_due = models.DateField(_("next review due"))
    projects = models.ManyToManyField(Project, blank=True, related_name="risks")
    benefits = models.ManyToManyField(Benefit, blank=True, related_name="risks")
    principles = models.ManyToManyField(DeliveryPrinciple, blank=True, related_name="risks")

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="operating_risk_scores_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rag(self) -> str:
        return risk_rag(self.likelihood, self.impact)


def risk_rag(likelihood: int, impact: int) -> str:
    score = likelihood * impact
    if score >= 15:
        return Rag.RED
    if score >= 8:
        return Rag.AMBER
    return Rag.GREEN


class RiskReview(PublicModel):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1 to 5)"))
    impact = models.PositiveSmallIntegerField(_("impact (1 to 5)"))
    notes = models.TextField(_("notes"))
    next_review_due = models.DateField(_("next review due"))

    class Meta:
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")
        ordering = ["-reviewed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="operating_risk_review_scores_1_5",
            ),
            models.CheckConstraint(
                condition=Q(next_review_due__gt=F("reviewed_on")), name="operating_risk_review_next_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} {self.reviewed_on}"


# --- Components B5, B6, B13, B14: interoperability, terminology, assets, architecture -----------


class InteroperabilityLayer(models.TextChoices):
    """The rows of the interoperability matrix (B5) [P]."""

    TECHNICAL = "technical", _("Technical")
    SEMANTIC = "semantic", _("Semantic")
    ORGANISATIONAL = "organisational", _("Organisational")
    LEGAL = "legal", _("Legal")


class InteroperabilityDomain(PublicModel):
    """A column of the interoperability matrix: a city domain or a system."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("interoperability domain")
        verbose_name_plural = _("interoperability domains")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class InteroperabilityStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    BARRIER = "barrier", _("Barrier found")
    STANDARD_CHOSEN = "standard_chosen", _("Standard chosen")
    ADOPTING = "adopting", _("Adopting")
    ADOPTED = "adopted", _("Adopted")


class InteroperabilityCell(PublicModel):
    layer = models.CharField(_("layer"), max_length=20, choices=InteroperabilityLayer)
    domain = models.ForeignKey(InteroperabilityDomain, on_delete=models.CASCADE, related_name="cells")
    barrier = models.TextField(_("barrier"), blank=True)
    standard = models.CharField(_("standard adopted"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InteroperabilityStatus,
        default=InteroperabilityStatus.NOT_ASSESSED,
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("interoperability cell")
        verbose_name_plural = _("interoperability cells")
        ordering = ["domain", "layer"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "domain"], name="operating_interop_cell_unique"),
            models.CheckConstraint(
                condition=~Q(status__in=["standard_chosen", "adopting", "adopted"]) | ~Q(standard=""),
                name="operating_interop_standard_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.layer} × {self.domain_id}"


class SccmConcept(models.TextChoices):
    """The 27 concepts of the ISO/IEC 30182 Smart City Concept Model [P]."""

    ITEM = "ITEM", "ITEM"
    ABSTRACT = "ABSTRACT", "ABSTRACT"
    AGENT = "AGENT", "AGENT"
    COLLECTION = "COLLECTION", "COLLECTION"
    RESOURCE = "RESOURCE", "RESOURCE"
    OBJECT = "OBJECT", "OBJECT"
    BUILDING = "BUILDING", "BUILDING"
    PERSON = "PERSON", "PERSON"
    ORGANIZATION = "ORGANIZATION", "ORGANIZATION"
    COMMUNITY = "COMMUNITY", "COMMUNITY"
    PLACE = "PLACE", "PLACE"
    EVENT = "EVENT", "EVENT"
    OBSERVATION = "OBSERVATION", "OBSERVATION"
    STATE = "STATE", "STATE"
    ASSUMPTION = "ASSUMPTION", "ASSUMPTION"
    TARGET = "TARGET", "TARGET"
    METRIC = "METRIC", "METRIC"
    OBJECTIVE = "OBJECTIVE", "OBJECTIVE"
    PLAN = "PLAN", "PLAN"
    METHOD = "METHOD", "METHOD"
    SERVICE = "SERVICE", "SERVICE"
    FUNCTION = "FUNCTION", "FUNCTION"
    RULE = "RULE", "RULE"
    CASE = "CASE", "CASE"
    ACCOUNT = "ACCOUNT", "ACCOUNT"
    AGREEMENT = "AGREEMENT", "AGREEMENT"
    DECISION = "DECISION", "DECISION"


class Term(PublicModel):
    """A glossary term (B6), SKOS-like, mapped to an ISO/IEC 30182 concept."""

    label = models.CharField(_("term"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    definition = models.TextField(_("definition"))
    alt_labels = models.JSONField(_("other labels"), default=list, blank=True)
    sccm_concept = models.CharField(
        _("ISO/IEC 30182 concept"), max_length=20, choices=SccmConcept, blank=True
    )
    broader = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="narrower"
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["label", "language"], name="operating_term_unique")]

    def __str__(self) -> str:
        return self.label


class Hosting(models.TextChoices):
    ON_PREMISES = "on_premises", _("On the city's premises")
    CLOUD = "cloud", _("Cloud")
    SOFTWARE_AS_A_SERVICE = "saas", _("Software as a service")
    SHARED_SERVICE = "shared_service", _("Shared with other agencies")


class Lifecycle(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", _("Live")
    RETIRING = "retiring", _("Being retired")
    RETIRED = "retired", _("Retired")


class ItSystem(PublicModel):
    """An IT system in the city-wide inventory (B13)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    capability = models.CharField(
        _("capability"),
        max_length=200,
        help_text=_("What it does, in a few words (used to find duplication)."),
    )
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supplier = models.ForeignKey(
        "Supplier", on_delete=models.SET_NULL, null=True, blank=True, related_name="systems"
    )
    hosting = models.CharField(_("hosting"), max_length=20, choices=Hosting, default=Hosting.ON_PREMISES)
    lifecycle = models.CharField(_("lifecycle"), max_length=20, choices=Lifecycle, default=Lifecycle.LIVE)
    open_standards = models.CharField(_("open standards it speaks"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("IT system")
        verbose_name_plural = _("IT systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")


class Sharing(models.TextChoices):
    CLOSED = "closed", _("Not shared")
    SHARED = "shared", _("Shared with partners")
    OPEN = "open", _("Open data")


class DataAsset(PublicModel):
    """A data asset in the inventory (B13). Catalog datasets are referenced until the catalog exists."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    steward = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    system = models.ForeignKey(
        ItSystem, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_assets"
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification, default=Classification.INTERNAL
    )
    contains_personal_data = models.BooleanField(_("contains personal data"), default=False)
    quality = models.PositiveSmallIntegerField(_("quality (1 to 5)"), null=True, blank=True)
    sharing = models.CharField(_("sharing"), max_length=20, choices=Sharing, default=Sharing.CLOSED)
    sccm_concept = models.CharField(
        _("ISO/IEC 30182 concept"), max_length=20, choices=SccmConcept, blank=True
    )
    catalog_datasets = models.JSONField(
        _("catalog datasets"),
        default=list,
        blank=True,
        help_text=_("Identifiers or links of catalog datasets."),
    )

    class Meta:
        verbose_name = _("data asset")
        verbose_name_plural = _("data assets")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "department"], name="operating_data_asset_unique"),
            # Open data must be public and free of personal data.
            models.CheckConstraint(
                condition=~Q(sharing="open") | Q(classification="public", contains_personal_data=False),
                name="operating_open_data_is_public",
            ),
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__gte=1, quality__lte=5),
                name="operating_data_quality_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApiServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BETA = "beta", _("Beta")
    LIVE = "live", _("Live")
    DEPRECATED = "deprecated", _("Deprecated")


class ApiService(PublicModel):
    """An API or shared service in the city-wide registry (B14), with who reuses it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        DEPARTMENT, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    base_url = models.CharField(_("address"), max_length=500)
    specification_url = models.CharField(_("specification"), max_length=500, blank=True)
    standards = models.CharField(_("standards"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApiServiceStatus, default=ApiServiceStatus.LIVE
    )
    is_cityhall = models.BooleanField(_("part of Cityhall"), default=False)
    operation_count = models.PositiveIntegerField(_("operations"), default=0)
    used_by: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        DEPARTMENT, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("API or service")
        verbose_name_plural = _("APIs and services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Component B4: procurement ---------------------------------------------------------------


class Supplier(PublicModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    identifier_scheme = models.CharField(
        _("identifier scheme"), max_length=40, blank=True, help_text=_("An org-id.guide scheme, e.g. GB-COH.")
    )
    identifier = models.CharField(_("identifier"), max_length=100, blank=True)
    country = models.CharField(_("country code"), max_length=2, blank=True)
    is_sme = models.BooleanField(_("small or medium enterprise"), default=False)
    website = models.URLField(_("website"), blank=True)
    performance_rating = models.PositiveSmallIntegerField(_("performance (1 to 5)"), null=True, blank=True)
    performance_notes = models.TextField(_("performance notes"), blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(performance_rating__isnull=True)
                | Q(performance_rating__gte=1, performance_rating__lte=5),
                name="operating_supplier_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProcurementCategory(models.TextChoices):
    """OCDS mainProcurementCategory."""

    GOODS = "goods", _("Goods")
    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    PLANNED = "planned", _("Planned")
    TENDERING = "tendering", _("Tendering")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class ProcurementNeed(PublicModel):
    """A procurement need, possibly shared by several departments (B4: demand managed city-wide)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    outcomes_sought = models.TextField(_("outcomes sought"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ProcurementCategory)
    departments: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        DEPARTMENT, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="procurement_needs"
    )
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=NeedStatus, default=NeedStatus.IDENTIFIED)
    is_e_procurement = models.BooleanField(_("run through e-procurement"), default=True)

    class Meta:
        verbose_name = _("procurement need")
        verbose_name_plural = _("procurement needs")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContractStatus(models.TextChoices):
    """OCDS contractStatus codelist."""

    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    TERMINATED = "terminated", _("Terminated")


class Contract(PublicModel):
    need = models.ForeignKey(ProcurementNeed, on_delete=models.PROTECT, related_name="contracts")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus, default=ContractStatus.PENDING
    )

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="operating_contract_dates"),
            models.CheckConstraint(condition=Q(value__gte=0), name="operating_contract_value"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ClauseItem(models.TextChoices):
    """The smart-city contracting checklist (B4: open data, open standards, lock-in, IPR) [P]."""

    OPEN_DATA = "open_data", _("Open data: the city gets its data, openly licensed where it can be published")
    OPEN_STANDARDS = "open_standards", _("Open standards and interfaces")
    EXIT_AND_LOCK_IN = "exit_and_lock_in", _("Exit plan, data return and no lock-in")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property the city can reuse")


class ClauseStatus(models.TextChoices):
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Does not apply")


class ContractClauseCheck(PublicModel):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="clause_checks")
    item = models.CharField(_("checklist item"), max_length=30, choices=ClauseItem)
    status = models.CharField(_("status"), max_length=20, choices=ClauseStatus)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("contract checklist answer")
        verbose_name_plural = _("contract checklist answers")
        ordering = ["contract", "item"]
        constraints = [models.UniqueConstraint(fields=["contract", "item"], name="operating_clause_once")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.item}: {self.status}"
