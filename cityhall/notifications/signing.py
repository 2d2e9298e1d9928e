"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body, with a per-recipient key."""

from __future__ import annotations

import hashlib
import hmac

from django.utils.crypto import salted_hmac

SIGNATURE_HEADER = "X-Cityhall-Signature"
DELIVERY_HEADER = "X-Cityhall-Delivery"


def webhook_secret(reference: str) -> str:
    """The recipient's signing key, derived from SECRET_KEY: nothing secret is stored per recipient."""
    return salted_hmac("cityhall.notifications.webhook-secret", reference, algorithm="sha256").hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>` (the layout Stripe and others use)."""
    digest = hmac.new(secret.encode("ascii"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(*, secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse old timestamps (replays)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header)
