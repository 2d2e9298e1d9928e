"""The portal as other modules see it (today: the demo loader)."""

from __future__ import annotations

from cityhall.portal.demo import demo_load as portal_demo_load

__all__ = ["portal_demo_load"]
