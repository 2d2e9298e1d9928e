"""Forms of the alert pages: they collect input and name the fields the services' problems point at."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityhall.alerts import selectors
from cityhall.alerts.cap import Problem
from cityhall.alerts.contracts import (
    AreaKind,
    CapStatus,
    Category,
    Certainty,
    IncidentSeverity,
    IncidentStatus,
    IncidentType,
    ResourceKind,
    ResourceStatus,
    ResponseType,
    Severity,
    TaskStatus,
    Urgency,
)
from cityhall.alerts.services import AlertInput, AreaInput, InfoInput, SubscriptionInput
from cityhall.notifications.contracts import Channel

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class CityDateTimeField(forms.DateTimeField):
    """A wall-clock time in the city's time zone (what a manager types), stored aware."""

    widget = LocalDateTimeInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"], **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return value.astimezone(selectors.city_zone()).strftime(LOCAL_FORMAT)
        return value

    def clean(self, value: Any) -> dt.datetime | None:
        cleaned = super().clean(value)
        if cleaned is None:
            return None
        return cleaned.replace(tzinfo=None).replace(tzinfo=selectors.city_zone())


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES)[code])


class AlertForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CapStatus.choices,
        initial=CapStatus.ACTUAL,
        help_text=_("Only Actual alerts reach the public; Test and Exercise stay with staff."),
    )
    incident = forms.ChoiceField(label=_("Incident"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.EXPECTED)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.SEVERE)
    certainty = forms.ChoiceField(label=_("Certainty"), choices=Certainty.choices, initial=Certainty.LIKELY)
    response_types = forms.MultipleChoiceField(
        label=_("What people should do"),
        choices=ResponseType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    effective = CityDateTimeField(label=_("In force from (city time)"), required=False)
    onset = CityDateTimeField(label=_("Expected onset (city time)"), required=False)
    expires = CityDateTimeField(label=_("Expires (city time)"))
    districts = forms.MultipleChoiceField(
        label=_("Districts (preset areas)"), widget=forms.CheckboxSelectMultiple, required=False
    )
    area_description = forms.CharField(
        label=_("Name of the drawn area"),
        max_length=200,
        required=False,
        help_text=_("Needed when you type a polygon or circle below, e.g. “Banks of the Alder”."),
    )
    polygons = forms.CharField(
        label=_("Polygons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One polygon per line: latitude,longitude pairs separated by spaces, at least four, "
            "the first repeated at the end. Example: 47.99,10.98 48.00,10.98 48.00,11.00 47.99,10.98"
        ),
    )
    circles = forms.CharField(
        label=_("Circles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One circle per line: “latitude,longitude radius-in-km”. Example: 47.985,11.001 1.5"),
    )
    contact = forms.CharField(label=_("Contact for the public"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["districts"]).choices = [
            (d.slug, d.name) for d in selectors.districts()
        ]
        cast(forms.ChoiceField, self.fields["incident"]).choices = [("", _("None"))] + [
            (str(i.pk), f"{i.code} {i.title}") for i in selectors.incidents(open_only=True)
        ]
        for code, _name in settings.LANGUAGES:
            required = code == settings.LANGUAGE_CODE
            name = _language_name(code)
            self.fields[f"event_{code}"] = forms.CharField(
                label=_("Event (%(language)s)") % {"language": name},
                max_length=100,
                required=required,
                help_text=_("What is happening, in a few words: “Flood”."),
            )
            self.fields[f"headline_{code}"] = forms.CharField(
                label=_("Headline (%(language)s)") % {"language": name}, max_length=160, required=required
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=required,
            )
            self.fields[f"instruction_{code}"] = forms.CharField(
                label=_("What people should do (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            for field in ("event", "headline", "description", "instruction"):
                self.fields[f"{field}_{code}"].widget.attrs["lang"] = code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            texts = [cleaned.get(f"{field}_{code}", "") for field in ("event", "headline", "description")]
            if any(texts) and not all(texts):
                self.add_error(
                    f"headline_{code}",
                    _("Give the event, headline and description in this language, or leave all three empty."),
                )
        return cleaned

    def to_input(self) -> AlertInput:
        data = self.cleaned_data
        infos = tuple(
            InfoInput(
                language=code,
                event=data[f"event_{code}"],
                headline=data[f"headline_{code}"],
                description=data[f"description_{code}"],
                instruction=data.get(f"instruction_{code}", ""),
            )
            for code, _name in settings.LANGUAGES
            if data.get(f"headline_{code}")
        )
        areas = [AreaInput(district=slug) for slug in data["districts"]]
        polygons = tuple(line.strip() for line in data["polygons"].splitlines() if line.strip())
        circles = tuple(line.strip() for line in data["circles"].splitlines() if line.strip())
        if polygons or circles:
            areas.append(AreaInput(description=data["area_description"], polygons=polygons, circles=circles))
        return AlertInput(
            categories=tuple(data["categories"]),
            urgency=data["urgency"],
            severity=data["severity"],
            certainty=data["certainty"],
            response_types=tuple(data["response_types"]),
            status=data["status"],
            effective=data["effective"],
            onset=data["onset"],
            expires=data["expires"],
            contact=data["contact"],
            incident_id=uuid.UUID(data["incident"]) if data["incident"] else None,
            infos=infos,
            areas=tuple(areas),
        )

    @classmethod
    def initial_from(cls, data: AlertInput) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "status": data.status,
            "categories": list(data.categories),
            "urgency": data.urgency,
            "severity": data.severity,
            "certainty": data.certainty,
            "response_types": list(data.response_types),
            "effective": data.effective,
            "onset": data.onset,
            "expires": data.expires,
            "contact": data.contact,
            "incident": str(data.incident_id) if data.incident_id else "",
        }
        for info in data.infos:
            for field in ("event", "headline", "description", "instruction"):
                initial[f"{field}_{info.language}"] = getattr(info, field)
        typed = [area for area in data.areas if not area.district]
        initial["polygons"] = "\n".join(p for area in typed for p in area.polygons)
        initial["circles"] = "\n".join(c for area in typed for c in area.circles)
        if typed:
            initial["area_description"] = typed[0].description
        return initial

    def add_problems(self, problems: list[Problem], languages: list[str]) -> None:
        """Put each CAP problem next to the field it is about."""
        for problem in problems:
            parts = problem.location.split(".")
            field: str | None = None
            if (
                parts[0] == "infos"
                and len(parts) >= 3
                and parts[1].isdigit()
                and int(parts[1]) < len(languages)
            ):
                candidate = f"{parts[2]}_{languages[int(parts[1])]}"
                field = candidate if candidate in self.fields else None
            elif parts[0] == "areas":
                name = parts[-2] if len(parts) >= 3 and parts[-1].isdigit() else parts[-1]
                field = {
                    "polygons": "polygons",
                    "circles": "circles",
                    "district": "districts",
                    "description": "area_description",
                }.get(name)
            elif parts[0] in self.fields:
                field = parts[0]
            self.add_error(field, problem.message)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


# --- Subscriptions ------------------------------------------------------------------------


class SubscriptionForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        initial=Channel.EMAIL,
    )
    address = forms.CharField(
        label=_("Email address, mobile number or webhook address"),
        max_length=500,
        help_text=_(
            "For text messages, use the international form: +49 151 2345678. Webhooks need https://."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)
    area = forms.ChoiceField(
        label=_("Which alerts?"), choices=AreaKind.choices, widget=forms.RadioSelect, initial=AreaKind.POINT
    )
    place = forms.CharField(
        label=_("Address or place"),
        max_length=200,
        required=False,
        help_text=_("A street or place of the city, e.g. “Mill Lane”. Or give a latitude and longitude."),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    radius_km = forms.FloatField(
        label=_("Distance around it, in km"), required=False, min_value=0.1, max_value=50, initial=1
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all empty to hear about everything."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", "—")] + [
            (d.slug, d.name) for d in selectors.districts()
        ]

    def to_input(self) -> SubscriptionInput:
        data = self.cleaned_data
        return SubscriptionInput(
            channel=data["channel"],
            address=data["address"],
            language=data["language"],
            area=data["area"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            radius_km=data["radius_km"],
            place=data["place"],
            district=data["district"],
            categories=tuple(data["categories"]),
        )

    def add_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            field = problem.location if problem.location in self.fields else None
            self.add_error(field, problem.message)


# --- Incidents ----------------------------------------------------------------------------


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=IncidentSeverity.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    location_description = forms.CharField(label=_("Location"), max_length=300, required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", "—")] + [
            (d.slug, d.name) for d in selectors.districts()
        ]


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=IncidentSeverity.choices)
    lead = forms.ChoiceField(label=_("Lead"), required=False)

    def __init__(self, *args: Any, leads: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lead"]).choices = [("", "—"), *leads]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    department = forms.ChoiceField(label=_("Department"))
    due_at = CityDateTimeField(label=_("Due (city time)"), required=False)

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = departments


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=ResourceStatus.choices, initial=ResourceStatus.OPEN)
    location = forms.CharField(label=_("Address or location"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, required=False)
    occupancy = forms.IntegerField(label=_("Occupancy"), min_value=0, initial=0)


class OccupancyForm(forms.Form):
    occupancy = forms.IntegerField(label=_("Occupancy"), min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=ResourceStatus.choices)


class ReportForm(forms.Form):
    period_start = CityDateTimeField(label=_("Period from (city time)"))
    period_end = CityDateTimeField(label=_("Period to (city time)"))
    situation = forms.CharField(label=_("Situation"), widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outlook = forms.CharField(label=_("Outlook"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    people_affected = forms.IntegerField(label=_("People affected"), min_value=0, initial=0)
    people_evacuated = forms.IntegerField(label=_("People evacuated"), min_value=0, initial=0)
    injuries = forms.IntegerField(label=_("Injuries"), min_value=0, initial=0)
    fatalities = forms.IntegerField(label=_("Fatalities"), min_value=0, initial=0)
    next_report_due = CityDateTimeField(label=_("Next report due (city time)"), required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    rationale = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    information = forms.CharField(label=_("On what information"), widget=forms.Textarea(attrs={"rows": 2}))
    decided_by_name = forms.CharField(
        label=_("Decided by"), max_length=200, required=False, help_text=_("Empty: you.")
    )
    decided_by_role = forms.CharField(label=_("In the role of"), max_length=200, required=False)
    reports = forms.MultipleChoiceField(
        label=_("Situation reports relied on"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, report_numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reports"]).choices = [
            (str(n), _("Report %(n)s") % {"n": n}) for n in report_numbers
        ]
