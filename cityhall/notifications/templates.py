"""Message texts: ((placeholder)) substitution as GOV.UK Notify does it, and SMS length rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = re.compile(r"\(\(([A-Za-z_][A-Za-z0-9_]*)\)\)")
SMS_MAX_CHARACTERS = 918  # six concatenated GSM-7 parts (6 x 153), as Notify limits templates

# GSM 03.38: the basic set costs one character, the extension set two (escape + character).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


class TemplateError(ValueError):
    """A template could not be filled in; the message says which placeholder is missing."""


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, Any]) -> str:
    """Replace every ((name)) with its value, as plain text. A missing value is an error, never blank."""
    missing = sorted(name for name in placeholders(text) if name not in values)
    if missing:
        names = ", ".join(f"(({name}))" for name in missing)
        raise TemplateError(f"The template needs a value for {names}.")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


@dataclass(frozen=True, slots=True)
class SmsParts:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int
    parts: int


def sms_parts(text: str) -> SmsParts:
    """How many SMS parts a text costs: 160/153 GSM-7 characters, or 70/67 UCS-2 (e.g. Arabic, emoji)."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        length = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # UCS-2 counts UTF-16 code units: characters outside the BMP (most emoji) take two.
        length = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 1 if length <= single else -(-length // multi)
    return SmsParts(encoding=encoding, characters=length, parts=parts)


def fit_sms(text: str) -> str:
    """Keep a text within the SMS limit; a longer one is cut with an ellipsis."""
    return text if len(text) <= SMS_MAX_CHARACTERS else text[: SMS_MAX_CHARACTERS - 1] + "…"
