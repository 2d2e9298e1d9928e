"""Forms of the catalog pages: they collect input; the services validate it and name bad fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityhall.catalog.models import AccessRights, Dataset
from cityhall.catalog.vocabularies import FREQUENCIES, LICENSES, THEMES

SORTS = [
    ("", _("Relevance")),
    ("metadata_modified desc", _("Last changed")),
    ("title_string asc", _("Title (A to Z)")),
    ("metadata_created desc", _("Newest")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search datasets"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)


def _other_languages() -> list[tuple[str, Any]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class DatasetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    name = forms.SlugField(
        label=_("URL name"),
        max_length=100,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens; made from the title when left empty."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    department = forms.ChoiceField(label=_("Publisher"))
    contact_name = forms.CharField(label=_("Contact point"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separate keywords with commas.")
    )
    license_id = forms.ChoiceField(label=_("Licence"), choices=[])
    access_rights = forms.ChoiceField(label=_("Access rights"), choices=AccessRights.choices)
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spatial = forms.CharField(label=_("Spatial coverage"), max_length=500, required=False)
    frequency = forms.ChoiceField(label=_("Update frequency"), choices=[], required=False)
    conforms_to = forms.CharField(
        label=_("Conforms to"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Addresses of the standards or schemas the data follows, one per line."),
    )
    landing_page = forms.URLField(
        label=_("Landing page"), required=False, max_length=500, assume_scheme="https"
    )
    version = forms.CharField(label=_("Version"), max_length=100, required=False)
    private = forms.BooleanField(label=_("Private: only the department's staff can see it"), required=False)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "department": [(str(d.id), d.name) for d in departments],
            "themes": list(THEMES.items()),
            "license_id": [(license.id, license.title) for license in LICENSES],
            "frequency": [("", _("Not given")), *FREQUENCIES.items()],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        for code, name in _other_languages():
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name}, max_length=300, required=False
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )

    @staticmethod
    def initial_for(dataset: Dataset) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": dataset.title,
            "name": dataset.name,
            "description": dataset.description,
            "department": str(dataset.department_id),
            "contact_name": dataset.contact_name,
            "contact_email": dataset.contact_email,
            "themes": dataset.themes,
            "keywords": ", ".join(dataset.keywords),
            "license_id": dataset.license_id,
            "access_rights": dataset.access_rights,
            "temporal_start": dataset.temporal_start,
            "temporal_end": dataset.temporal_end,
            "spatial": dataset.spatial,
            "frequency": dataset.frequency,
            "conforms_to": "\n".join(dataset.conforms_to),
            "landing_page": dataset.landing_page,
            "version": dataset.version,
            "private": dataset.private,
        }
        for code, _name in _other_languages():
            initial[f"title_{code}"] = dataset.title_translations.get(code, "")
            initial[f"description_{code}"] = dataset.description_translations.get(code, "")
        return initial

    def metadata(self) -> dict[str, Any]:
        data = self.cleaned_data
        metadata: dict[str, Any] = {
            "title": data["title"],
            "description": data["description"],
            "department_id": data["department"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "themes": data["themes"],
            "keywords": data["keywords"],
            "license_id": data["license_id"],
            "access_rights": data["access_rights"],
            "temporal_start": data["temporal_start"],
            "temporal_end": data["temporal_end"],
            "spatial": data["spatial"],
            "frequency": data["frequency"],
            "conforms_to": [line.strip() for line in data["conforms_to"].splitlines() if line.strip()],
            "landing_page": data["landing_page"],
            "version": data["version"],
            "private": data["private"],
            "title_translations": {code: data.get(f"title_{code}", "") for code, _ in _other_languages()},
            "description_translations": {
                code: data.get(f"description_{code}", "") for code, _ in _other_languages()
            },
        }
        if data.get("name"):
            metadata["name"] = data["name"]
        return metadata

    # Service field names → form field names, to show each problem beside its field.
    FIELD_FOR = {
        "department_id": "department",
        "owner_org": "department",
        "tags": "keywords",
        "url": "landing_page",
    }


class DistributionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    file = forms.FileField(label=_("Upload a file"), required=False)
    url = forms.URLField(
        label=_("Or link to the data"), required=False, max_length=1000, assume_scheme="https"
    )
    format = forms.CharField(
        label=_("Format"),
        max_length=50,
        required=False,
        help_text=_("For example CSV, XLSX, JSON; guessed when empty."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("url"):
            raise forms.ValidationError(_("Upload a file or give a link to the data."))
        if cleaned.get("file") and cleaned.get("url"):
            raise forms.ValidationError(_("Upload a file or give a link, not both."))
        return cleaned
