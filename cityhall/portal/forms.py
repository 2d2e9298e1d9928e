"""Forms for the portal's pages and the staff editors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.portal.models import PageKind

MARKUP_HELP = _(
    "Plain text. A blank line starts a new paragraph; “## ” starts a heading; “- ” starts a bullet; "
    "“1. ” a numbered step; [words](https://…) makes a link."
)


def _choice_field(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the city’s website"), max_length=200, required=False)


class InfoPageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One sentence: what this page helps with."),
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), help_text=MARKUP_HELP)
    slug = forms.SlugField(
        label=_("Address"), max_length=100, help_text=_("The end of the page address, like parking-permits.")
    )
    kind = forms.ChoiceField(label=_("Kind of page"), choices=PageKind.choices)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(
        self, *args: Any, topics: list[tuple[str, str]], default_language: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["topic"]).choices = [("", _("No topic")), *topics]
        if not default_language:
            for name in ("slug", "kind", "topic", "published"):
                del self.fields[name]


class DirectoryServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    summary = forms.CharField(label=_("What it is"), widget=forms.Textarea(attrs={"rows": 3}))
    who_can_use = forms.CharField(
        label=_("Who can use it"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    how_online = forms.CharField(
        label=_("How to do it online"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=MARKUP_HELP,
    )
    how_offline = forms.CharField(
        label=_("How to do it in person, by phone or by post"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=MARKUP_HELP,
    )
    documents_needed = forms.CharField(
        label=_("Documents needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=MARKUP_HELP,
    )
    fees = forms.CharField(label=_("Fees"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    time_it_takes = forms.CharField(label=_("How long it takes"), max_length=200, required=False)
    slug = forms.SlugField(label=_("Address"), max_length=100)
    department = forms.ChoiceField(label=_("Responsible department"))
    life_events = forms.MultipleChoiceField(label=_("Life events"), required=False)
    online_url = forms.CharField(label=_("Online service address"), max_length=500, required=False)
    report_service_code = forms.ChoiceField(label=_("Report a problem of this type"), required=False)
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[str, str]],
        life_events: list[tuple[str, str]],
        service_types: list[tuple[str, str]],
        default_language: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["department"]).choices = departments
        _choice_field(self.fields["life_events"]).choices = life_events
        _choice_field(self.fields["report_service_code"]).choices = [("", _("None")), *service_types]
        if not default_language:
            for name in (
                "slug",
                "department",
                "life_events",
                "online_url",
                "report_service_code",
                "published",
            ):
                del self.fields[name]
