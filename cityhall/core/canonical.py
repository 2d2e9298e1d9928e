"""Canonical JSON (RFC 8785 style: sorted keys, no spaces, UTF-8) and RFC 3339 UTC times."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def rfc3339_utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("A naive datetime has no place in Cityhall; give it a time zone.")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
