"""Forms of the engagement pages. They parse input; the rules live in services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.engagement import selectors
from cityhall.engagement.contracts import Outcome, QuestionKind, ThresholdBasis
from cityhall.engagement.models import Question


def question_field_name(question: Question) -> str:
    return f"q_{question.pk}"


class AnswerForm(forms.Form):
    """One field per question. The service checks every rule again (the API has no form), with the
    same messages."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            common: dict[str, Any] = {
                "label": question.text,
                "required": question.required,
                "help_text": question.help_text,
                "error_messages": {
                    "required": _("This question needs an answer."),
                    "invalid_choice": _("Pick from the choices shown."),
                },
            }
            field: forms.Field
            if question.kind == QuestionKind.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
            elif question.kind == QuestionKind.SINGLE:
                field = forms.TypedChoiceField(
                    choices=list(enumerate(question.options)),
                    widget=forms.RadioSelect,
                    coerce=int,
                    **common,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=list(enumerate(question.options)),
                    widget=forms.CheckboxSelectMultiple,
                    coerce=int,
                    **common,
                )
            else:
                points = []
                for point in range(question.scale_min, question.scale_max + 1):
                    text = str(point)
                    if point == question.scale_min and question.scale_min_label:
                        text = f"{point} ({question.scale_min_label})"
                    if point == question.scale_max and question.scale_max_label:
                        text = f"{point} ({question.scale_max_label})"
                    points.append((point, text))
                field = forms.TypedChoiceField(choices=points, widget=forms.RadioSelect, coerce=int, **common)
            self.fields[question_field_name(question)] = field

    def answers(self) -> dict[int, Any]:
        return {
            question.pk: self.cleaned_data.get(question_field_name(question)) for question in self.questions
        }

    def add_problems(self, problems: dict[int, str]) -> None:
        for question in self.questions:
            if question.pk in problems:
                self.add_error(question_field_name(question), problems[question.pk])


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Comments are public, with your first name. Be respectful: moderators hide abuse."),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences: what should the city do?"),
    )
    body = forms.CharField(
        label=_("Details"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )


class ParticipantSettingsForm(forms.Form):
    email_updates = forms.BooleanField(
        label=_(
            "Email me when a proposal I made or supported qualifies or gets a response, and when a "
            "consultation I took part in publishes its report."
        ),
        required=False,
    )


# --- Staff ----------------------------------------------------------------------------------

ELIGIBILITY_CHOICES = AssuranceLevel.choices


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("What it is about"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    eligibility = forms.TypedChoiceField(
        label=_("Who may take part"),
        choices=ELIGIBILITY_CHOICES,
        coerce=int,
        initial=AssuranceLevel.EMAIL_VERIFIED,
    )
    closes_on = forms.DateField(
        label=_("Planned closing date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Help"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For one-choice and several-choice questions."),
    )
    scale_min = forms.IntegerField(label=_("Scale from"), initial=1, required=False)
    scale_max = forms.IntegerField(label=_("Scale to"), initial=5, required=False)
    scale_min_label = forms.CharField(label=_("Label of the lowest point"), max_length=100, required=False)
    scale_max_label = forms.CharField(label=_("Label of the highest point"), max_length=100, required=False)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200)
    url = forms.URLField(label=_("Address of the document"), max_length=500, assume_scheme="https")


def _decision_field(label: str) -> forms.Field:
    refs = selectors.decision_choices()
    if refs:
        choices = [("", _("No decision linked"))] + [
            (str(ref.id), f"{ref.title} ({ref.decided_on or '-'})") for ref in refs
        ]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    return forms.UUIDField(
        label=label, required=False, help_text=_("The id of the decision in the decisions register, if any.")
    )


def _decision_id(value: Any) -> uuid.UUID | None:
    if not value:
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class ReportItemForm(forms.Form):
    theme = forms.CharField(label=_("You said (a theme of the input)"), max_length=300)
    submissions = forms.IntegerField(label=_("How many said it"), min_value=0, initial=0)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    response = forms.CharField(label=_("We did"), widget=forms.Textarea(attrs={"rows": 3}))
    change_url = forms.URLField(
        label=_("Address of the changed plan or project"), required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = _decision_field(str(_("Decision it led to")))

    def decision_id(self) -> uuid.UUID | None:
        return _decision_id(self.cleaned_data.get("decision"))


class ReportPublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the city heard, and what changed because of it."),
    )


class ProcessForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("Rules and background"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    eligibility = forms.TypedChoiceField(
        label=_("Who may propose and support"),
        choices=ELIGIBILITY_CHOICES,
        coerce=int,
        initial=AssuranceLevel.EMAIL_VERIFIED,
    )
    threshold_basis = forms.ChoiceField(label=_("Threshold counted as"), choices=ThresholdBasis.choices)
    threshold_value = forms.DecimalField(
        label=_("Threshold"),
        max_digits=9,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "A number of supports, or a percentage of eligible residents (frozen when the call opens)."
        ),
    )
    window_end = forms.DateField(
        label=_("Supports close on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    response_days = forms.IntegerField(
        label=_("Days for the city's response"), min_value=1, max_value=365, initial=90
    )
    supports_per_person = forms.IntegerField(
        label=_("Supports per person (0: no limit)"), min_value=0, initial=0
    )
    proposals_per_person = forms.IntegerField(
        label=_("Proposals per person (0: no limit)"), min_value=0, initial=0
    )
    accumulate_beyond = forms.BooleanField(label=_("Supports continue after the threshold"), required=False)


class RespondForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = forms.CharField(label=_("The city's response"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"] = _decision_field(str(_("Decision it led to")))

    def decision_id(self) -> uuid.UUID | None:
        return _decision_id(self.cleaned_data.get("decision"))


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=500,
        help_text=_("Recorded in the audit log and shown in place of the text."),
    )
