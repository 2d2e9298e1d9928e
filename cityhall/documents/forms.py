"""Forms for the verification page and the staff pages."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.core.personal_data import LegalBasis
from cityhall.documents.contracts import Classification
from cityhall.documents.services import MAX_RETENTION_YEARS, MAX_SHARE_DAYS, MEDIA_TYPES
from cityhall.documents.verification import normalise_sha256

MAX_SIGNATURE_FILE_BYTES = 64 * 1024

# Media types guessed from the file name when the browser sends a generic one.
_EXTENSIONS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "json": "application/json",
    "xml": "application/xml",
}


def media_type_of(upload: Any) -> str:
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared in MEDIA_TYPES:
        return declared
    extension = str(getattr(upload, "name", "")).rsplit(".", 1)[-1].lower()
    return _EXTENSIONS.get(extension, declared)


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("The file"),
        required=False,
        help_text=_("The file is not stored: only its SHA-256 is computed and looked up."),
    )
    sha256 = forms.CharField(
        label=_("Or its SHA-256"),
        required=False,
        max_length=64,
        help_text=_("64 hexadecimal characters, as printed on the document or computed with sha256sum."),
    )
    document = forms.UUIDField(
        label=_("Document identifier"),
        required=False,
        help_text=_("Say which registered document the file claims to be, to learn exactly how it differs."),
    )
    signature = forms.FileField(
        label=_("Detached signature file"),
        required=False,
        help_text=_("A .sig.json file you received with the document (needs the file, too)."),
    )

    def clean_sha256(self) -> str:
        value = self.cleaned_data.get("sha256", "")
        if not value.strip():
            return ""
        normalised = normalise_sha256(value)
        if normalised is None:
            raise forms.ValidationError(
                _("A SHA-256 is 64 characters, 0-9 and a-f; check that you copied all of it.")
            )
        return normalised

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("sha256"):
            raise forms.ValidationError(_("Choose a file or paste its SHA-256."))
        if cleaned.get("signature") and not cleaned.get("file"):
            self.add_error(
                "signature", _("A signature file is checked against the file it signs: choose that file too.")
            )
        signature = cleaned.get("signature")
        if signature and signature.size > MAX_SIGNATURE_FILE_BYTES:
            self.add_error("signature", _("This is too large to be a signature file."))
        return cleaned


class RegisterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    department = forms.TypedChoiceField(label=_("Department"), coerce=uuid.UUID, choices=())
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, office document, image or plain text; up to 15 MB.")
    )
    retention_years = forms.IntegerField(
        label=_("Retention period (years)"),
        required=False,
        min_value=0,
        max_value=MAX_RETENTION_YEARS,
        help_text=_("Leave empty to keep the document permanently."),
    )
    subject_email = forms.EmailField(
        label=_("Resident the document is about"),
        required=False,
        help_text=_("Only for personal data: their reads of it are shown to them."),
    )

    def __init__(self, *args: Any, departments: list[tuple[uuid.UUID, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))


class ShareForm(forms.Form):
    emails = forms.CharField(
        label=_("People (email addresses)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas."),
    )
    departments = forms.TypedMultipleChoiceField(
        label=_("Departments"),
        required=False,
        coerce=uuid.UUID,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    anyone_with_link = forms.BooleanField(label=_("Anyone with the link may open it"), required=False)
    days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=MAX_SHARE_DAYS, initial=14
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, departments: list[tuple[uuid.UUID, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = departments  # type: ignore[attr-defined]

    def email_list(self) -> list[str]:
        raw = self.cleaned_data.get("emails", "")
        return [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]


class RevokeKeyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


DATA_ITEMS = [
    ("address", _("Registered address")),
    ("household", _("Household members")),
    ("income", _("Income band")),
    ("benefits", _("Benefits received")),
    ("permits", _("Permits held")),
    ("contact", _("Contact details")),
]


class ExchangeRequestForm(forms.Form):
    from_department = forms.TypedChoiceField(label=_("On behalf of"), coerce=uuid.UUID, choices=())
    to_department = forms.TypedChoiceField(label=_("Ask"), coerce=uuid.UUID, choices=())
    subject_email = forms.EmailField(label=_("Resident's email address"))
    data_items = forms.MultipleChoiceField(
        label=_("Data asked for"), choices=DATA_ITEMS, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=500, required=False)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=[("", _("Choose…")), *LegalBasis.choices], required=False
    )
    legal_reference = forms.CharField(label=_("Law or regulation"), max_length=300, required=False)
    case_reference = forms.CharField(label=_("Case reference"), max_length=100, required=False)

    def __init__(
        self, *args: Any, own: list[tuple[uuid.UUID, str]], others: list[tuple[uuid.UUID, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_department"].choices = own  # type: ignore[attr-defined]
        self.fields["to_department"].choices = others  # type: ignore[attr-defined]


class ExchangeAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[("provide", _("Provide the data")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    refusal_reason = forms.CharField(label=_("Reason for refusing"), max_length=500, required=False)

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(DATA_ITEMS)
        for item in items:
            self.fields[f"item_{item}"] = forms.CharField(
                label=labels.get(item, item), max_length=500, required=False
            )

    def data_values(self, items: list[str]) -> dict[str, str]:
        return {item: self.cleaned_data.get(f"item_{item}", "") for item in items}
