"""Forms of the decisions pages: what a person types, checked before a service sees it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.decisions.contracts import (
    AttachmentRole,
    BodyKind,
    DecisionKind,
    DecisionStatus,
    LinkKind,
    MemberRole,
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words to look for"), required=False, max_length=200)
    body = forms.ChoiceField(label=_("Body"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + [c for c in DecisionStatus.choices if c[0] != "draft"],
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("relevance", _("Best match first"))],
    )


class BodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Short name for addresses"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    affiliation = forms.CharField(label=_("Party or affiliation"), required=False, max_length=200)


class MembershipForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"))
    body = forms.ChoiceField(label=_("Body"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    start_on = forms.DateField(label=_("Term starts"), widget=forms.DateInput(attrs={"type": "date"}))
    end_on = forms.DateField(
        label=_("Term ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MeetingForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"))
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Place"), required=False, max_length=200)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeetingUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Keep as it is")), ("held", _("Held")), ("cancelled", _("Cancelled"))],
        required=False,
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    text = forms.CharField(
        label=_("Text of the motion"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    agenda_item = forms.ChoiceField(label=_("Agenda item"), required=False)
    submit_now = forms.BooleanField(label=_("Submit it now (otherwise it stays a draft)"), required=False)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Note for the record"), required=False, max_length=500)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the decision concerns"), choices=LinkKind.choices)
    target_id = forms.UUIDField(label=_("Its id"))
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Needed only when the other module cannot be asked."),
    )


class AttachmentForm(forms.Form):
    role = forms.ChoiceField(label=_("Kind of document"), choices=AttachmentRole.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))
    sign = forms.BooleanField(label=_("Sign it for the city"), required=False)


class AttachExistingForm(forms.Form):
    role = forms.ChoiceField(label=_("Kind of document"), choices=AttachmentRole.choices)
    document_id = forms.UUIDField(label=_("Document id in the registry"))
