"""The engagement module as other apps see it.

- `eligibility_check(user, level)`: may this person take part in a process that asks for `level`?
  (The voting module reuses it for polls and budgets.)
- `process_refs(query=..., limit=...)` and `process_ref(kind, id)`: consultations, calls for proposals
  and proposals, for the decisions module to link decisions to the input that led to them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cityhall.accounts.contracts import AssuranceLevel
from cityhall.engagement.contracts import EligibilityResult, ProcessRef


def eligibility_check(user: Any, level: AssuranceLevel | int) -> EligibilityResult:
    """ok=True, or ok=False with a whole sentence that says why not and how to become eligible."""
    from cityhall.engagement import services

    return services.eligibility_check(user, level)


def process_refs(*, query: str = "", limit: int = 20) -> list[ProcessRef]:
    """Public consultations, calls for proposals and proposals whose title contains `query`."""
    from cityhall.engagement import selectors

    return selectors.process_refs(query=query, limit=limit)


def process_ref(kind: str, id: uuid.UUID) -> ProcessRef | None:
    """One public process or proposal by kind ("consultation", "proposals", "proposal") and id."""
    from cityhall.engagement import selectors

    return selectors.process_ref(kind, id)


def demo_load(log: Callable[[str], None]) -> None:
    """Load this module's part of the demo city (safe to run again)."""
    from cityhall.engagement import demo

    demo.demo_load(log)


__all__ = ["EligibilityResult", "ProcessRef", "demo_load", "eligibility_check", "process_ref", "process_refs"]
