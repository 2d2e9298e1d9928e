"""Who may do what with FOI requests (the checks live with the services; re-exported for views)."""

from __future__ import annotations

from cityhall.foi.services import can_file, can_handle, is_requester

__all__ = ["can_file", "can_handle", "is_requester"]
