"""Plain-language text for city pages: a tiny safe markup and a readability hint for editors.

Markup (so editors need no HTML): a blank line starts a paragraph; "## " starts a heading; "- " starts
a bullet; "1. " starts a numbered step; [words](https://... or /path) is a link. Everything else is
escaped, so a page can never carry a script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

LINK = re.compile(r"\[([^\]\n]{1,200})\]\(((?:https?://|/)[^\s)]{0,500})\)")
BULLET = re.compile(r"^[-*]\s+")
NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")


def _inline(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(match.group(2))}">{escape(match.group(1))}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def render_markup(text: str, *, heading_level: int = 2) -> SafeString:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    html: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## ") and len(lines) == 1:
            html.append(f"<h{heading_level}>{_inline(lines[0][3:].strip())}</h{heading_level}>")
        elif all(BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(BULLET.sub('', line))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        elif all(NUMBERED.match(line) for line in lines):
            items = "".join(f"<li>{_inline(NUMBERED.sub('', line))}</li>" for line in lines)
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text above is escaped


def plain_text(text: str) -> str:
    """The words of a marked-up text, for the search index and the readability hint."""
    text = LINK.sub(r"\1", text)
    text = re.sub(r"^(## |[-*]\s+|\d{1,3}[.)]\s+)", "", text, flags=re.MULTILINE)
    return text


WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?؟。]+|\n")  # a line (a list item, a heading) ends a sentence too


@dataclass(frozen=True, slots=True)
class Readability:
    """LIX (Björnsson): words per sentence + percentage of words over six letters. Works across
    alphabetic languages; below 40 reads easily, 40 to 50 is standard, above 50 is hard."""

    words: int
    sentences: int
    average_sentence_words: float
    long_word_percent: float
    lix: float
    level: str
    hints: tuple[str, ...]


def readability(text: str) -> Readability:
    plain = plain_text(text)
    words = WORD.findall(plain)
    sentences = max(1, len([part for part in SENTENCE_END.split(plain) if WORD.search(part)]))
    count = len(words)
    long_words = sum(1 for word in words if len(word) > 6)
    average = count / sentences if count else 0.0
    long_percent = 100 * long_words / count if count else 0.0
    lix = average + long_percent
    if lix < 40:
        level = _("Easy to read")
    elif lix <= 50:
        level = _("Fairly easy to read")
    else:
        level = _("Hard to read")
    hints = []
    if average > 20:
        hints.append(
            _("Sentences are %(words).0f words long on average: aim for 15 to 20.") % {"words": average}
        )
    if long_percent > 30:
        hints.append(
            _("%(percent).0f%% of the words are long: use shorter, everyday words where you can.")
            % {"percent": long_percent}
        )
    longest = max((len(WORD.findall(part)) for part in SENTENCE_END.split(plain)), default=0)
    if longest > 35:
        hints.append(_("One sentence has %(words)d words: split it.") % {"words": longest})
    if count and "\n" not in text.strip() and count > 120:
        hints.append(_("The text is one block: break it into short paragraphs or a list."))
    return Readability(
        count, sentences, round(average, 1), round(long_percent, 1), round(lix, 1), level, tuple(hints)
    )
