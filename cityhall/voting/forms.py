"""Forms for the resident ballots and the staff pages. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.accounts.facade import departments
from cityhall.core.models import District
from cityhall.voting import services
from cityhall.voting.contracts import MesUtility, PollKind, QuestionKind, VoteRule
from cityhall.voting.models import Budget, Poll, Project, Question


def _district_choices() -> list[tuple[str, str]]:
    return [("", _("The whole city"))] + [(d.slug, d.name) for d in District.objects.order_by("name")]


def _department_choices() -> list[tuple[str, str]]:
    return [("", _("None"))] + [(str(d.id), d.name) for d in departments()]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- Residents -----------------------------------------------------------------------------


def _district_field(process: Poll | Budget) -> forms.BooleanField:
    return forms.BooleanField(
        label=_("I live in %(district)s") % {"district": process.district.name if process.district else ""},
        required=False,
        help_text=_("Only residents of this district may vote."),
    )


class PollBallotForm(forms.Form):
    def __init__(self, *args: Any, poll: Poll, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(o.code, o.label) for o in question.options.all()]
            label = f"{number}. {question.text}"
            if question.kind == QuestionKind.SINGLE:
                self.fields[f"q_{question.pk}"] = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, required=False
                )
            else:
                self.fields[f"q_{question.pk}"] = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=_("Choose from %(low)d to %(high)d.")
                    % {"low": question.min_choices, "high": question.max_choices},
                )
        if poll.district_id:
            self.fields["lives_in_district"] = _district_field(poll)

    def answers(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            if isinstance(value, str):
                result[str(question.pk)] = [value] if value else []
            else:
                result[str(question.pk)] = list(value or [])
        return result


class BudgetBallotForm(forms.Form):
    projects = forms.MultipleChoiceField(
        label=gettext_lazy("Projects you support"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, budget: Budget, projects: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["projects"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(p.code, f"{p.title} — {p.cost:,} {budget.currency}") for p in projects]
        if budget.vote_rule == VoteRule.KNAPSACK:
            field.help_text = _("Choose projects whose costs add up to at most %(total)s %(currency)s.") % {
                "total": f"{budget.total:,}",
                "currency": budget.currency,
            }
        else:
            field.help_text = _("Choose from %(low)d to %(high)s projects; costs do not limit you.") % {
                "low": budget.min_projects,
                "high": budget.max_projects if budget.max_projects is not None else len(projects),
            }
        if budget.district_id:
            self.fields["lives_in_district"] = _district_field(budget)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=gettext_lazy("Your receipt"),
        max_length=100,
        help_text=gettext_lazy("The 64 characters you were given when you voted."),
    )


# --- Staff ---------------------------------------------------------------------------------


class ProcessForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DateTimeLocalInput())
    min_assurance = forms.TypedChoiceField(
        label=gettext_lazy("Who may vote"),
        choices=AssuranceLevel.choices,
        coerce=int,
        initial=AssuranceLevel.EMAIL_VERIFIED,
    )
    district = forms.ChoiceField(label=gettext_lazy("Only residents of"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department (publishes the results)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        department = self.fields["department"]
        assert isinstance(district, forms.ChoiceField)
        assert isinstance(department, forms.ChoiceField)
        district.choices = _district_choices()
        department.choices = _department_choices()
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["opens_at"].initial = now
        self.fields["closes_at"].initial = now + dt.timedelta(days=14)

    def common(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "min_assurance": AssuranceLevel(data["min_assurance"]),
            "district_slug": data["district"] or "",
            "department_id": data["department"] or None,
        }


class PollForm(ProcessForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PollKind.choices, initial=PollKind.POLL)


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), max_length=500)
    kind = forms.ChoiceField(label=gettext_lazy("Answers"), choices=QuestionKind.choices)
    min_choices = forms.IntegerField(
        label=gettext_lazy("Fewest choices (several choices only)"), min_value=0, initial=1
    )
    max_choices = forms.IntegerField(
        label=gettext_lazy("Most choices (several choices only)"), min_value=1, initial=1
    )
    options = forms.CharField(
        label=gettext_lazy("Options, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Write “code: label” to set the code (census categories need it), or just the label."
        ),
    )
    profile_variable = forms.SlugField(
        label=gettext_lazy("Census variable this question measures (surveys)"),
        required=False,
        help_text=gettext_lazy("For example age_band, sex or district; leave empty for ordinary questions."),
    )

    def to_input(self) -> services.QuestionInput:
        data = self.cleaned_data
        options = []
        for number, line in enumerate(data["options"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            if ":" in text:
                code, label = (part.strip() for part in text.split(":", 1))
            else:
                code, label = f"o{number}", text
            options.append((code, label))
        return services.QuestionInput(
            text=data["text"],
            options=options,
            kind=QuestionKind(data["kind"]),
            min_choices=data["min_choices"],
            max_choices=data["max_choices"],
            profile_variable=data["profile_variable"] or "",
        )


class MarginsForm(forms.Form):
    margins = forms.CharField(
        label=gettext_lazy("Census margins (CSV: variable,category,share)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One line per category, for example “age_band,16-34,0.31”. Each variable's shares add up to 1."
        ),
    )
    source = forms.CharField(label=gettext_lazy("Source of the margins"), max_length=300)


class BudgetForm(ProcessForm):
    total = forms.IntegerField(label=gettext_lazy("Budget"), min_value=1)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, initial="EUR")
    vote_rule = forms.ChoiceField(label=gettext_lazy("Ballot rule"), choices=VoteRule.choices)
    min_projects = forms.IntegerField(
        label=gettext_lazy("Fewest projects on a ballot"), min_value=1, initial=1
    )
    max_projects = forms.IntegerField(
        label=gettext_lazy("Most projects on a ballot"), min_value=1, required=False
    )
    min_spend_percent = forms.IntegerField(
        label=gettext_lazy("Least share of the budget a ballot must spend (%)"),
        min_value=0,
        max_value=100,
        initial=0,
    )
    mes_utility = forms.ChoiceField(label=gettext_lazy("Equal shares utility"), choices=MesUtility.choices)


class ProjectForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=20)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    cost = forms.IntegerField(label=gettext_lazy("Cost"), min_value=1)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ChoiceField)
        district.choices = _district_choices()

    def to_input(self) -> services.ProjectInput:
        data = self.cleaned_data
        return services.ProjectInput(
            code=data["code"],
            title=data["title"],
            cost=data["cost"],
            description=data["description"],
            district_slug=data["district"] or "",
        )
