"""Forms of the harvest pages. They only parse input; the services validate and decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.facade import departments
from cityhall.dcat.contracts import HarvestType


class HarvestSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.URLField(
        label=_("Address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_(
            "For a CKAN site, its root address; for a DCAT-AP catalogue, "
            "the address of its Turtle or RDF/XML file."
        ),
    )
    source_type = forms.ChoiceField(label=_("Type"), choices=HarvestType.choices, widget=forms.RadioSelect)
    department = forms.TypedChoiceField(label=_("Publishing department"), coerce=uuid.UUID)
    interval_hours = forms.IntegerField(
        label=_("Harvest every (hours)"),
        min_value=0,
        max_value=8784,
        initial=24,
        help_text=_("0 means only by hand."),
    )
    incremental = forms.BooleanField(
        label=_("Incremental (CKAN only): fetch only what changed since the last run"), required=False
    )

    def __init__(self, *args: Any, department_ids: frozenset[uuid.UUID] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(d.id), d.name) for d in departments() if department_ids is None or d.id in department_ids
        ]
        self.fields["department"].choices = choices  # type: ignore[attr-defined]


class HarvestSourceEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")
    interval_hours = forms.IntegerField(
        label=_("Harvest every (hours)"), min_value=0, max_value=8784, help_text=_("0 means only by hand.")
    )
    incremental = forms.BooleanField(
        label=_("Incremental (CKAN only): fetch only what changed since the last run"), required=False
    )
    is_active = forms.BooleanField(label=_("Active: harvest on schedule"), required=False)
