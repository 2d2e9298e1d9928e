"""The notifications module as other apps see it."""

from cityhall.notifications.services import email_queue

__all__ = ["email_queue"]
