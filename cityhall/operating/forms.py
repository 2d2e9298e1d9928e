"""Forms of the staff pages. They only parse input; the services validate and decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.facade import departments
from cityhall.operating.models import (
    ActionKind,
    BenefitKind,
    BenefitStatus,
    BenefitValueType,
    BodyKind,
    Classification,
    ClauseItem,
    ClauseStatus,
    Confidence,
    EngagementMethod,
    Frequency,
    Hosting,
    InteroperabilityLayer,
    InteroperabilityStatus,
    Lifecycle,
    LinkEffect,
    MaturityDimension,
    MaturityLevel,
    NodeKind,
    PrincipleScore,
    ProcurementCategory,
    ProjectPhase,
    Rag,
    RiskStatus,
    SccmConcept,
    Sharing,
    StakeholderGroup,
    StakeholderKind,
    SustainabilityIssue,
    SustainabilityPurpose,
)

DATE = forms.DateInput(attrs={"type": "date"})
NONE = [("", "—")]


def department_field(label: Any = None, *, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label or _("Department"),
        required=required,
        coerce=uuid.UUID,
        empty_value=None,
        choices=lambda: NONE + [(str(d.id), d.name) for d in departments()],
    )


def owner_field(label: Any = None) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("Owner’s email address"),
        required=False,
        help_text=_("The staff member accountable for it; leave empty if a department owns it."),
    )


def user_id_for(email: str) -> uuid.UUID | None:
    """The id of the account with this email, or None when the field was left empty."""
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise forms.ValidationError(
            _("There is no account with the email address %(email)s.") % {"email": email}
        )
    return user.pk


class OwnerMixin(forms.Form):
    def clean_owner(self) -> uuid.UUID | None:
        return user_id_for(self.cleaned_data.get("owner") or "")


def cells_field() -> forms.MultipleChoiceField:
    def choices() -> list[tuple[str, str]]:
        purposes = list(SustainabilityPurpose.objects.all())
        issues = list(SustainabilityIssue.objects.all())
        return [(f"{p.order}:{i.order}", f"{p.name} × {i.name}") for p in purposes for i in issues]

    return forms.MultipleChoiceField(
        label=_("ISO 37101 cells (purpose × issue)"),
        required=False,
        choices=choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )


def parse_cells(values: list[str]) -> list[tuple[int, int]]:
    return [(int(value.split(":")[0]), int(value.split(":")[1])) for value in values]


# --- Strategy --------------------------------------------------------------------------------


class VisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    statement = forms.CharField(label=_("Vision statement"), widget=forms.Textarea(attrs={"rows": 5}))
    horizon_year = forms.IntegerField(label=_("Horizon year"), required=False, min_value=2000, max_value=2200)
    consultation_reference = forms.CharField(
        label=_("Consultation"),
        required=False,
        max_length=500,
        help_text=_("Where residents were consulted."),
    )


class ObjectiveForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner_department_id = department_field(_("Owning department"))
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0)
    cells = cells_field()


class PrincipleAdoptForm(forms.Form):
    principle = forms.TypedChoiceField(label=_("Principle"), coerce=uuid.UUID)
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Minutes, a decision."),
    )


class AssessmentForm(forms.Form):
    principle = forms.TypedChoiceField(label=_("Principle"), coerce=uuid.UUID)
    score = forms.TypedChoiceField(label=_("Score"), choices=PrincipleScore.choices, coerce=int)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MaturityForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Dimension"), choices=MaturityDimension.choices)
    level = forms.TypedChoiceField(label=_("Level"), choices=MaturityLevel.choices, coerce=int)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}))


# --- Governance -----------------------------------------------------------------------------


class GovernanceBodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    terms_of_reference = forms.CharField(
        label=_("Terms of reference"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department_id = department_field()
    meeting_frequency = forms.CharField(label=_("Meets"), required=False, max_length=100)
    established_on = forms.DateField(label=_("Established on"), required=False, widget=DATE)
    is_cross_sector = forms.BooleanField(
        label=_("Cross-sector (members from outside the city)"), required=False
    )


class StakeholderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StakeholderKind.choices)
    group = forms.ChoiceField(label=_("Stakeholder group"), choices=StakeholderGroup.choices)
    interest = forms.IntegerField(label=_("Interest (1 to 5)"), min_value=1, max_value=5)
    influence = forms.IntegerField(label=_("Influence (1 to 5)"), min_value=1, max_value=5)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EngagementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    method = forms.ChoiceField(label=_("Method"), choices=EngagementMethod.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    consultation_reference = forms.CharField(label=_("Consultation"), required=False, max_length=500)
    participants = forms.IntegerField(label=_("Participants"), required=False, min_value=0)
    summary = forms.CharField(
        label=_("What we heard"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    response = forms.CharField(
        label=_("What we did (you said, we did)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Roadmap --------------------------------------------------------------------------------


class ProgrammeForm(OwnerMixin):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    owner = owner_field()
    department_id = department_field()
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0, decimal_places=2)


class ProjectForm(OwnerMixin):
    programme_id = forms.TypedChoiceField(label=_("Programme"), coerce=uuid.UUID)
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=ProjectPhase.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    owner = owner_field()
    department_id = department_field()
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cityhall.operating.models import Programme

        self.fields["programme_id"].choices = [(str(p.pk), str(p)) for p in Programme.objects.all()]  # type: ignore[attr-defined]


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class DependencyForm(forms.Form):
    depends_on = forms.TypedChoiceField(label=_("Depends on"), coerce=uuid.UUID)


# --- Benefits -------------------------------------------------------------------------------


class BenefitForm(OwnerMixin):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Type"), choices=BenefitKind.choices)
    value_type = forms.ChoiceField(label=_("Cash or non-cash"), choices=BenefitValueType.choices)
    is_disbenefit = forms.BooleanField(label=_("This is a dis-benefit"), required=False)
    stakeholder_group = forms.ChoiceField(label=_("For"), choices=StakeholderGroup.choices)
    owner = owner_field()
    owner_department_id = department_field(_("Owning department"))
    measure = forms.CharField(label=_("Measure"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=50)
    frequency = forms.ChoiceField(label=_("Measured"), choices=Frequency.choices)
    higher_is_better = forms.BooleanField(label=_("Higher values are better"), required=False, initial=True)
    baseline_value = forms.FloatField(label=_("Baseline"), required=False)
    baseline_date = forms.DateField(label=_("Baseline date"), required=False, widget=DATE)
    baseline_source = forms.CharField(label=_("Baseline source"), required=False, max_length=300)
    target_value = forms.FloatField(label=_("Target"), required=False)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)
    cash_value = forms.DecimalField(label=_("Cash value"), required=False, decimal_places=2)
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.MEDIUM
    )
    cells = cells_field()


class MeasurementForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A year (2024), a quarter (2024-Q2), a month (2024-03) or a day."),
    )
    value = forms.FloatField(label=_("Value"))
    unit = forms.CharField(label=_("Unit"), max_length=50)
    source_reference = forms.CharField(label=_("Source"), required=False, max_length=500)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BenefitStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=BenefitStatus.choices)


class TrajectoryForm(forms.Form):
    points = forms.CharField(
        label=_("Planned values"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: a date and the planned value, e.g. 2026-12-31 4.5"),
    )

    def clean_points(self) -> list[tuple[Any, float]]:
        import datetime as dt

        points = []
        for number, line in enumerate(self.cleaned_data["points"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                day, value = line.split()
                points.append((dt.date.fromisoformat(day), float(value)))
            except ValueError as error:
                raise forms.ValidationError(
                    _("Line %(number)d: write a date (YYYY-MM-DD) and a number, e.g. 2026-12-31 4.5.")
                    % {"number": number}
                ) from error
        return points


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, with a header row."))


class ReviewForm(forms.Form):
    reviewer_name = forms.CharField(label=_("Reviewer"), max_length=200)
    is_independent = forms.BooleanField(label=_("Independent review"), required=False)
    rag = forms.ChoiceField(label=_("Rating"), choices=Rag.choices)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    next_review_due = forms.DateField(label=_("Next review due"), required=False, widget=DATE)


class ActionForm(OwnerMixin):
    title = forms.CharField(label=_("Action"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    owner = owner_field()
    owner_department_id = department_field(_("Owning department"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class NodeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in NodeKind if k != NodeKind.BENEFIT]
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        required=False,
        help_text=_("For an enabler, an output or an outcome."),
    )
    project_id = forms.TypedChoiceField(
        label=_("Project"), coerce=uuid.UUID, required=False, empty_value=None
    )
    objective_id = forms.TypedChoiceField(
        label=_("Objective"), coerce=uuid.UUID, required=False, empty_value=None
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cityhall.operating.models import Objective, Project

        self.fields["project_id"].choices = NONE + [(str(p.pk), str(p)) for p in Project.objects.all()]  # type: ignore[attr-defined]
        self.fields["objective_id"].choices = NONE + [(str(o.pk), str(o)) for o in Objective.objects.all()]  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    from_node = forms.TypedChoiceField(label=_("From"), coerce=uuid.UUID)
    effect = forms.ChoiceField(label=_("Effect"), choices=LinkEffect.choices)
    to_node = forms.TypedChoiceField(label=_("To"), coerce=uuid.UUID)
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Confidence.choices, initial=Confidence.MEDIUM
    )
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Indicators -----------------------------------------------------------------------------


class IndicatorSettingsForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=uuid.UUID)
    unit = forms.CharField(label=_("Unit"), max_length=50, help_text=_("It cannot change once values exist."))
    frequency = forms.ChoiceField(label=_("Measured"), choices=Frequency.choices)
    higher_is_better = forms.BooleanField(label=_("Higher values are better"), required=False, initial=True)
    responsible_department_id = department_field(_("Responsible department"))
    is_headline = forms.BooleanField(label=_("Show on the city dashboard"), required=False)


class TargetForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=uuid.UUID)
    target_value = forms.FloatField(label=_("Target"))
    target_year = forms.IntegerField(label=_("Target year"), min_value=2000, max_value=2200)
    level_bands = forms.CharField(
        label=_("Maturity bands"),
        required=False,
        help_text=_("Where levels 2, 3, 4 and 5 start, separated by commas, e.g. 30, 50, 70, 90."),
    )

    def clean_level_bands(self) -> list[float]:
        text = self.cleaned_data.get("level_bands") or ""
        try:
            return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError as error:
            raise forms.ValidationError(_("Write the bands as numbers separated by commas.")) from error


class IndicatorValueForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=uuid.UUID)
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("As the indicator is measured, e.g. 2024.")
    )
    value = forms.FloatField(label=_("Value"))
    unit = forms.CharField(label=_("Unit"), max_length=50)
    source_name = forms.CharField(label=_("Source"), required=False, max_length=300)
    source_url = forms.URLField(
        label=_("Source address"), required=False, max_length=500, assume_scheme="https"
    )
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- Risks ----------------------------------------------------------------------------------


class RiskForm(OwnerMixin):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    area_id = forms.TypedChoiceField(
        label=_("Key-risk area"), coerce=uuid.UUID, required=False, empty_value=None
    )
    likelihood = forms.IntegerField(label=_("Likelihood (1 to 5)"), min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1 to 5)"), min_value=1, max_value=5)
    owner = owner_field()
    owner_department_id = department_field(_("Owning department"))
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_review_due = forms.DateField(label=_("Next review due"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cityhall.operating.models import RiskArea

        self.fields["area_id"].choices = NONE + [(str(a.pk), str(a)) for a in RiskArea.objects.all()]  # type: ignore[attr-defined]


class RiskReviewForm(forms.Form):
    likelihood = forms.IntegerField(label=_("Likelihood (1 to 5)"), min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1 to 5)"), min_value=1, max_value=5)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_review_due = forms.DateField(label=_("Next review due"), widget=DATE)


class ChecklistReviewForm(forms.Form):
    rag = forms.ChoiceField(label=_("Rating"), choices=Rag.choices)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}))
    next_review_due = forms.DateField(
        label=_("Next review due"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to use the area's interval."),
    )


# --- Architecture ---------------------------------------------------------------------------


class InteropDomainForm(forms.Form):
    name = forms.CharField(label=_("Domain or system"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0)


class InteropCellForm(forms.Form):
    layer = forms.ChoiceField(label=_("Layer"), choices=InteroperabilityLayer.choices)
    domain = forms.TypedChoiceField(label=_("Domain"), coerce=uuid.UUID)
    status = forms.ChoiceField(label=_("Status"), choices=InteroperabilityStatus.choices)
    barrier = forms.CharField(label=_("Barrier"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    standard = forms.CharField(label=_("Standard adopted"), required=False, max_length=300)


class TermForm(forms.Form):
    label = forms.CharField(label=_("Term"), max_length=200)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea(attrs={"rows": 2}))
    alt_labels = forms.CharField(label=_("Other labels (comma-separated)"), required=False)
    sccm_concept = forms.ChoiceField(
        label=_("ISO/IEC 30182 concept"), choices=NONE + SccmConcept.choices, required=False
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=300)


class ItSystemForm(OwnerMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    capability = forms.CharField(
        label=_("Capability"), max_length=200, help_text=_("What it does, in a few words.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department_id = department_field()
    owner = owner_field()
    hosting = forms.ChoiceField(label=_("Hosting"), choices=Hosting.choices)
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=Lifecycle.choices, initial=Lifecycle.LIVE)
    open_standards = forms.CharField(label=_("Open standards it speaks"), required=False, max_length=300)


class DataAssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department_id = department_field()
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    contains_personal_data = forms.BooleanField(label=_("Contains personal data"), required=False)
    sharing = forms.ChoiceField(label=_("Sharing"), choices=Sharing.choices)
    quality = forms.IntegerField(label=_("Quality (1 to 5)"), required=False, min_value=1, max_value=5)
    sccm_concept = forms.ChoiceField(
        label=_("ISO/IEC 30182 concept"), choices=NONE + SccmConcept.choices, required=False
    )
    catalog_datasets = forms.CharField(
        label=_("Catalog datasets (comma-separated identifiers or links)"), required=False
    )


class ApiServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    base_url = forms.CharField(label=_("Address"), max_length=500)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department_id = department_field()
    specification_url = forms.CharField(label=_("Specification"), required=False, max_length=500)
    standards = forms.CharField(label=_("Standards"), required=False, max_length=300)


# --- Procurement ----------------------------------------------------------------------------


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    identifier_scheme = forms.CharField(label=_("Identifier scheme"), required=False, max_length=40)
    identifier = forms.CharField(label=_("Identifier"), required=False, max_length=100)
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    is_sme = forms.BooleanField(label=_("Small or medium enterprise"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class NeedForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=ProcurementCategory.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcomes_sought = forms.CharField(
        label=_("Outcomes sought"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), required=False, min_value=0, decimal_places=2
    )
    needed_by = forms.DateField(label=_("Needed by"), required=False, widget=DATE)
    is_e_procurement = forms.BooleanField(label=_("Run through e-procurement"), required=False, initial=True)


class ContractForm(forms.Form):
    need_id = forms.TypedChoiceField(label=_("Procurement need"), coerce=uuid.UUID)
    supplier_id = forms.TypedChoiceField(label=_("Supplier"), coerce=uuid.UUID)
    reference = forms.CharField(label=_("Reference"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    value = forms.DecimalField(label=_("Value"), min_value=0, decimal_places=2)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cityhall.operating.models import ProcurementNeed, Supplier

        self.fields["need_id"].choices = [(str(n.pk), str(n)) for n in ProcurementNeed.objects.all()]  # type: ignore[attr-defined]
        self.fields["supplier_id"].choices = [(str(s.pk), str(s)) for s in Supplier.objects.all()]  # type: ignore[attr-defined]


class ClauseCheckForm(forms.Form):
    item = forms.ChoiceField(label=_("Checklist item"), choices=ClauseItem.choices)
    status = forms.ChoiceField(label=_("Answer"), choices=ClauseStatus.choices)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
