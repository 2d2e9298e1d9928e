from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import PrivacyRequest


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say what will use it, for example “budget dashboard script”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3650,
        initial=90,
        help_text=_("After this many days the token stops working. 1 to 3650."),
    )


class CensusVerificationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name, as registered"), max_length=200)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 1980-04-30."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=20)


class CodeVerificationForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the letter"),
        max_length=20,
        help_text=_("Ten letters and numbers, for example ABCDE-23456."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What are you asking for?"), choices=PrivacyRequest.Kind.choices)
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say which data is wrong and what is right, or what you want erased."),
    )


class PrivacyAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Do it")), ("refuse", _("Refuse, with reasons"))]
    )
    answer = forms.CharField(label=_("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 4}))


class InPersonVerificationForm(forms.Form):
    email = forms.EmailField(label=_("Resident's account email"))
    document = forms.CharField(
        label=_("Document checked"), max_length=200, help_text=_("For example “ID card”.")
    )


class IssueCodeForm(forms.Form):
    email = forms.EmailField(label=_("Resident's account email"))
    address = forms.CharField(label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 3}))


class BatchCodesForm(forms.Form):
    lines = forms.CharField(
        label=_("One resident per line: email; postal address"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("For example: ana@example.org; 4 Mill Lane, Aldermere AL1 2RV"),
    )
