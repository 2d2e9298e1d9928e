"""Message texts: ((placeholders)) as Notify does them, SMS length rules, templates per language."""

from __future__ import annotations

import pytest

from cityhall.notifications.contracts import Channel
from cityhall.notifications.models import NotificationTemplate
from cityhall.notifications.templates import SMS_MAX_CHARACTERS, TemplateError, fill, fit_sms, sms_parts


def test_placeholders_are_filled_as_plain_text() -> None:
    assert fill("Hello ((name)), see ((url))", {"name": "<Rosa>", "url": "x"}) == "Hello <Rosa>, see x"


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(TemplateError, match=r"\(\(headline\)\)"):
        fill("((headline)) ((url))", {"url": "x"})


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "parts"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("€" * 80, "GSM-7", 160, 1),  # the euro sign costs two
        ("ب" * 70, "UCS-2", 70, 1),
        ("ب" * 71, "UCS-2", 71, 2),
        ("🌊" + "a" * 68, "UCS-2", 70, 1),  # an emoji is two UTF-16 units
    ],
)
def test_sms_parts(text: str, encoding: str, characters: int, parts: int) -> None:
    found = sms_parts(text)
    assert (found.encoding, found.characters, found.parts) == (encoding, characters, parts)


def test_a_long_sms_is_cut_to_six_parts() -> None:
    assert len(fit_sms("x" * 2000)) == SMS_MAX_CHARACTERS


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["alert", "alert-update", "alert-cancel", "subscription-confirm"])
def test_every_template_exists_per_channel_and_language(key: str) -> None:
    found = set(NotificationTemplate.objects.filter(key=key).values_list("channel", "language"))
    assert found == {(channel, language) for channel in Channel.values for language in ("en", "es", "ar")}


@pytest.mark.django_db
def test_the_alert_sms_templates_fit_one_message_part_besides_the_values() -> None:
    for template in NotificationTemplate.objects.filter(channel="sms"):
        assert "((unsubscribe_url))" in template.body or template.key == "subscription-confirm"
        assert len(template.body) < 160
