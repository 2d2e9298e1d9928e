"""Password rules after NIST 800-63B: long, screened against a blocklist, no composition rules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAXIMUM_LENGTH = 256  # NIST asks for at least 64; a cap keeps the costly hash bounded.
CONTEXT_WORDS = ("cityhall", "password", "passphrase", "letmein", "welcome")
MINIMUM_OWN_CHARACTERS = 8  # what must remain once the site's own words are taken out


class MaximumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAXIMUM_LENGTH:
            raise ValidationError(
                _("This password is longer than %(max)d characters; choose a shorter one.")
                % {"max": MAXIMUM_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Up to %(max)d characters; spaces and any letters are allowed.") % {"max": MAXIMUM_LENGTH}


class ContextWordsValidator:
    """Refuse passwords built on this site's own words (the city's name, the platform's name)."""

    def validate(self, password: str, user: Any = None) -> None:
        remainder = "".join(password.lower().split())
        words = {*CONTEXT_WORDS, *(w for w in settings.CITY_NAME.lower().split() if len(w) >= 4)}
        found = sorted(word for word in words if word in remainder)
        for word in found:
            remainder = remainder.replace(word, "")
        if found and len(remainder) < MINIMUM_OWN_CHARACTERS:
            raise ValidationError(
                _(
                    "This password is mostly the word “%(word)s”, which attackers try first. "
                    "Add several unrelated words."
                )
                % {"word": found[0]},
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("It must not be built on the city's name or the site's name.")
