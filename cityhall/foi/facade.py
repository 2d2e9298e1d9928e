"""The foi module as other apps see it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from cityhall.foi import selectors
from cityhall.foi.contracts import FoiRequestRef


def foi_request_ref(request_id: uuid.UUID) -> FoiRequestRef | None:
    """A public request (not hidden from the disclosure log), or None."""
    request = selectors.public_request(request_id)
    return selectors.request_ref(request) if request is not None else None


def demo_load(log: Callable[[str], None]) -> None:
    """A holiday calendar and ten requests in varied states (safe to run again)."""
    from cityhall.foi.demo import demo_load as load

    load(log)


__all__ = ["FoiRequestRef", "demo_load", "foi_request_ref"]
