"""Forms of the FOI pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.foi.contracts import ADMIN_STATES, OUTCOMES, FoiState


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("Summary"), max_length=200, help_text=_("A short title, shown in the public disclosure log.")
    )
    body = forms.CharField(
        label=_("Your request"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Say which information you want. Do not include personal details: the request is published."
        ),
    )
    department = forms.ChoiceField(label=_("Department that holds it"), required=False)


class LogSearchForm(forms.Form):
    q = forms.CharField(label=_("Words to look for"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("overdue", _("Overdue")), *list(FoiState.choices)],
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )


class WithdrawForm(forms.Form):
    text = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000)


class RespondForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(s.value, s.label) for s in OUTCOMES])
    text = forms.CharField(label=_("Answer"), max_length=50000, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label=_("Document to release"), required=False)
    file_title = forms.CharField(label=_("Title of the document"), required=False, max_length=300)
    document_id = forms.UUIDField(label=_("Or a document already in the registry (id)"), required=False)
    sign = forms.BooleanField(label=_("Sign released documents for the city"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("file") and not data.get("file_title"):
            self.add_error("file_title", _("Give the document a title."))
        return data


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason (published)"), max_length=2000)


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in ADMIN_STATES])
    note = forms.CharField(label=_("Note (published)"), max_length=2000)


class AssignForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"))


class HideForm(forms.Form):
    hidden = forms.BooleanField(label=_("Hide from the public disclosure log"), required=False)
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=200)
