"""After-commit reactions to other modules: an address that does not work suspends its subscriptions."""

from __future__ import annotations

from cityhall.notifications.contracts import PermanentFailure
from cityhall.notifications.facade import on_permanent_failure


def _suspend(failure: PermanentFailure) -> None:
    from cityhall.alerts.services import subscription_suspend

    subscription_suspend(reference=failure.reference)


def connect() -> None:
    on_permanent_failure(_suspend)
