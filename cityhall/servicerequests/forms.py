"""Forms for the report pages and the staff queue. A service type's Open311 attributes become fields."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityhall.alerts.contracts import IncidentSeverity
from cityhall.servicerequests.contracts import Channel, Datatype, Status
from cityhall.servicerequests.models import ServiceAttribute, ServiceType, Visibility
from cityhall.servicerequests.photos import MAX_PHOTOS
from cityhall.servicerequests.selectors import localized
from cityhall.servicerequests.validation import MAX_DESCRIPTION_LENGTH

ATTRIBUTE_PREFIX = "attribute__"


def _choice_field(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; each is checked by the service (size, type, decodable)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [item for item in data if item]
        return [data] if data else []


def attribute_field(attribute: ServiceAttribute) -> forms.Field:
    """The Django field for an Open311 datatype (the table in the Open311 fact sheet)."""
    label = localized(attribute.description, attribute.description_translations)
    common: dict[str, Any] = {
        "label": label,
        "required": attribute.required,
        "help_text": attribute.datatype_description,
    }
    choices = [
        (str(value["key"]), localized(str(value.get("name", value["key"])), value.get("name_translations")))
        for value in attribute.values
    ]
    datatype = Datatype(attribute.datatype)
    if datatype == Datatype.NUMBER:
        return forms.DecimalField(**common)
    if datatype == Datatype.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if datatype == Datatype.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_DESCRIPTION_LENGTH, **common
        )
    if datatype == Datatype.SINGLEVALUELIST:
        empty: list[tuple[str, Any]] = [("", _("Choose…"))]
        return forms.ChoiceField(choices=empty + choices, **common)
    if datatype == Datatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(choices=choices, **common)
    return forms.CharField(max_length=1000, **common)


def attribute_value(value: Any) -> str | list[str]:
    """A cleaned form value in the text form the service (and Open311) takes."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return str(value)
    return "" if value is None else str(value)


class LocationForm(forms.Form):
    """Step one: where is it? (GET, so it works without JavaScript and can be bookmarked.)"""

    address_string = forms.CharField(
        label=_("Address or place"),
        max_length=500,
        required=False,
        help_text=_("For example: 12 Mill Street, Old Town. Or give the coordinates below."),
    )
    lat = forms.CharField(
        label=_("Latitude"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Decimal degrees, for example 47.9990."),
    )
    long = forms.CharField(
        label=_("Longitude"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Decimal degrees, for example 11.0010."),
    )


class ReportForm(LocationForm):
    """The whole report: place, description, the service's questions, photos and contact details."""

    description = forms.CharField(
        label=_("What is the problem?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_DESCRIPTION_LENGTH,
        required=False,
        help_text=_("Plain text, up to 4,000 characters. Do not include other people's personal details."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_(
            "Up to %(count)d JPEG, PNG or WebP photos, 10 MB each. Location data is removed from them."
        )
        % {"count": MAX_PHOTOS},
    )
    email = forms.EmailField(
        label=_("Your email"),
        required=False,
        help_text=_("We send you the reference and tell you when it changes. Never shown publicly."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, service_type: ServiceType, attributes: list[ServiceAttribute], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.service_type = service_type
        self.information = [
            localized(attribute.description, attribute.description_translations)
            for attribute in attributes
            if not attribute.variable
        ]
        questions = [attribute for attribute in attributes if attribute.variable]
        ordered = ["address_string", "lat", "long", "description"]
        for attribute in questions:
            name = ATTRIBUTE_PREFIX + attribute.code
            self.fields[name] = attribute_field(attribute)
            ordered.append(name)
        ordered += ["photos", "email", "first_name", "last_name", "phone", "submission_key"]
        self.order_fields(ordered)
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4().hex

    def attribute_answers(self) -> dict[str, str | list[str]]:
        answers: dict[str, str | list[str]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(ATTRIBUTE_PREFIX):
                converted = attribute_value(value)
                if converted not in ("", []):
                    answers[name.removeprefix(ATTRIBUTE_PREFIX)] = converted
        return answers

    def field_for(self, location: str) -> str | None:
        """The form field a service error is about (service errors name Open311 parameters)."""
        if location.startswith("attribute[") and location.endswith("]"):
            name = ATTRIBUTE_PREFIX + location[len("attribute[") : -1]
        else:
            name = {"media": "photos", "address": "address_string"}.get(location, location)
        return name if name in self.fields else None


class AssistedReportForm(ReportForm):
    """Staff at a counter or on the phone record a request for a resident."""

    channel = forms.ChoiceField(
        label=_("How did the resident reach us?"),
        choices=[(Channel.ASSISTED, Channel.ASSISTED.label), (Channel.PHONE, Channel.PHONE.label)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Resident's email")
        self.fields["email"].help_text = _("Optional: the resident gets the reference and the updates.")
        self.order_fields(["channel", *[name for name in self.fields if name != "channel"]])


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email"), help_text=_("We email you a link to confirm."))


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    service_code = forms.ChoiceField(label=_("Type"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("unassigned", _("Nobody"))],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *Channel.choices]
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=20)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(
        self,
        *args: Any,
        service_types: list[tuple[str, str]],
        districts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["status"]).choices = [
            ("", _("Any")),
            ("open", _("Open")),
            ("closed", _("Closed")),
            *Status.choices,
        ]
        _choice_field(self.fields["service_code"]).choices = [("", _("Any")), *service_types]
        _choice_field(self.fields["district"]).choices = [("", _("Any")), *districts]


class PublicFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open")), ("closed", _("Closed"))],
    )
    service_code = forms.ChoiceField(label=_("Type"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(
        self,
        *args: Any,
        service_types: list[tuple[str, str]],
        districts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["service_code"]).choices = [("", _("Any")), *service_types]
        _choice_field(self.fields["district"]).choices = [("", _("Any")), *districts]


class StaffUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), required=False)
    visibility = forms.ChoiceField(
        label=_("Who sees this"),
        choices=[
            (
                Visibility.PUBLIC,
                _("Public update: shown on the request page and emailed to the reporter and followers"),
            ),
            (Visibility.INTERNAL, _("Internal note: staff only")),
        ],
    )
    text = forms.CharField(
        label=_("Update or note"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["status"]).choices = [("", _("Unchanged")), *Status.choices]


class EscalateForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("How serious is it?"), choices=IncidentSeverity.choices, initial=IncidentSeverity.MODERATE
    )
    text = forms.CharField(
        label=_("Note for the emergency managers (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["assignee"]).choices = [("", _("Nobody")), *staff]


class TransferForm(forms.Form):
    department = forms.ChoiceField(label=_("Send to department"))
    text = forms.CharField(label=_("Why (internal)"), required=False, max_length=1000)

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self.fields["department"]).choices = departments


class DuplicateForm(forms.Form):
    original = forms.CharField(
        label=_("Reference of the original request"),
        max_length=20,
        help_text=_("For example 7KQ2M-XH4PD. This request is closed and its reporter follows the original."),
    )
