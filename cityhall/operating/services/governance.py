"""B2 and B3: governance bodies, the stakeholder register, engagement activities."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core.errors import ServiceError
from cityhall.operating.models import EngagementActivity, GovernanceBody, Stakeholder
from cityhall.operating.services._common import User, audit, get_or_404, require_programme_office, validated


@transaction.atomic
def governance_body_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    terms_of_reference: str = "",
    senior_owner_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    meeting_frequency: str = "",
    established_on: dt.date | None = None,
    is_cross_sector: bool = False,
) -> GovernanceBody:
    require_programme_office(actor)
    body = GovernanceBody(
        name=name.strip(),
        kind=kind,
        terms_of_reference=terms_of_reference.strip(),
        senior_owner_id=senior_owner_id,
        department_id=department_id,
        meeting_frequency=meeting_frequency.strip(),
        established_on=established_on,
        is_cross_sector=is_cross_sector,
    )
    validated(body)
    body.save(force_insert=True)
    audit(actor, "governance_body.create", body, {"name": body.name, "kind": kind})
    return body


@transaction.atomic
def stakeholder_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    interest: int,
    influence: int,
    group: str = "residents",
    notes: str = "",
) -> Stakeholder:
    require_programme_office(actor)
    stakeholder = Stakeholder(
        name=name.strip(), kind=kind, group=group, interest=interest, influence=influence, notes=notes.strip()
    )
    for label, score in ((_("Interest"), interest), (_("Influence"), influence)):
        if not 1 <= score <= 5:
            raise ServiceError(
                _("%(what)s is scored from 1 (low) to 5 (high), not %(score)s.")
                % {"what": label, "score": score},
                code="invalid",
            )
    validated(stakeholder)
    stakeholder.save(force_insert=True)
    audit(actor, "stakeholder.create", stakeholder, {"name": stakeholder.name})
    return stakeholder


@transaction.atomic
def engagement_activity_create(
    *,
    actor: User | None,
    title: str,
    method: str,
    held_on: dt.date,
    stakeholder_ids: list[uuid.UUID] | None = None,
    programme_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    consultation_reference: str = "",
    participants: int | None = None,
    summary: str = "",
    response: str = "",
) -> EngagementActivity:
    require_programme_office(actor)
    activity = EngagementActivity(
        title=title.strip(),
        method=method,
        held_on=held_on,
        programme_id=programme_id,
        project_id=project_id,
        consultation_reference=consultation_reference.strip(),
        participants=participants,
        summary=summary.strip(),
        response=response.strip(),
    )
    validated(activity)
    activity.save(force_insert=True)
    stakeholders = list(Stakeholder.objects.filter(pk__in=stakeholder_ids or []))
    if len(stakeholders) != len(set(stakeholder_ids or [])):
        raise ServiceError(_("One of the stakeholders named does not exist."), code="unknown_stakeholder")
    activity.stakeholders.set(stakeholders)
    audit(
        actor,
        "engagement.create",
        activity,
        {"title": activity.title, "stakeholders": [s.pk for s in stakeholders]},
    )
    return activity


@transaction.atomic
def engagement_activity_respond(
    *, actor: User | None, activity_id: uuid.UUID, response: str
) -> EngagementActivity:
    """Close the loop: say how the input was used ("you said, we did")."""
    require_programme_office(actor)
    activity = get_or_404(EngagementActivity, activity_id, _("engagement activity"))
    if not response.strip():
        raise ServiceError(_("Write what the city did with what it heard."), code="invalid")
    activity.response = response.strip()
    activity.save(update_fields=["response", "updated_at"])
    audit(actor, "engagement.respond", activity)
    return activity
