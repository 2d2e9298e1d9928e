"""The demo: an open consultation, a closed one with its report, 20 proposals with supports; twice is once."""

from __future__ import annotations

import pytest

from cityhall.accounts.facade import accounts_demo_load
from cityhall.engagement.contracts import ConsultationPhase, ProposalStatus
from cityhall.engagement.facade import demo_load, process_refs
from cityhall.engagement.models import Consultation, Proposal, ReportItem, Support

pytestmark = pytest.mark.django_db


def test_the_demo_loads_every_kind_of_process_and_is_safe_to_run_twice() -> None:
    lines: list[str] = []
    accounts_demo_load(lines.append)
    demo_load(lines.append)
    counts = (Consultation.objects.count(), Proposal.objects.count(), Support.objects.count())
    demo_load(lines.append)
    assert (Consultation.objects.count(), Proposal.objects.count(), Support.objects.count()) == counts
    assert lines[-1] == "engagement: already loaded."
    phases = dict(Consultation.objects.values_list("slug", "phase"))
    assert phases == {
        "greener-market-square": ConsultationPhase.OPEN,
        "riverside-cycle-route": ConsultationPhase.REPORT,
    }
    assert ReportItem.objects.count() == 4
    assert Proposal.objects.count() == 20 and Support.objects.count() > 100
    statuses = list(Proposal.objects.values_list("status", flat=True))
    assert statuses.count(ProposalStatus.QUALIFIED) == 2 and statuses.count(ProposalStatus.ANSWERED) == 1
    assert {ref.kind for ref in process_refs(limit=50)} == {"consultation", "proposals", "proposal"}
