"""Plain-language helpers for editors: the safe markup and the readability hint."""

from __future__ import annotations

from cityhall.portal.text import plain_text, readability, render_markup


def test_markup_paragraphs_headings_lists_and_links() -> None:
    html = render_markup(
        "## Before you go\n\nBring:\n\n- your passport\n- a photo\n\n1. Book\n2. Go\n\n"
        "See [our offices](/info/city-offices/)."
    )
    assert "<h2>Before you go</h2>" in html
    assert "<ul><li>your passport</li><li>a photo</li></ul>" in html
    assert "<ol><li>Book</li><li>Go</li></ol>" in html
    assert '<a href="/info/city-offices/">our offices</a>' in html


def test_markup_escapes_everything_else() -> None:
    html = render_markup(
        '<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](https://ok.example/"onclick=")'
    )
    assert "<img" not in html
    assert "javascript:" not in html.split("href=")[-1] or 'href="javascript' not in html
    assert 'href="https://ok.example/&quot;onclick=&quot;"' in html


def test_plain_text_drops_the_markup() -> None:
    assert plain_text("## Title\n- item [link](/x)") == "Title\nitem link"


def test_readability_of_plain_and_hard_text() -> None:
    easy = readability("Put your bin out by seven. Close the lid. We empty it once a week.")
    assert easy.level == "Easy to read" and easy.hints == ()
    hard = readability(
        "Notwithstanding the aforementioned administrative considerations, residents are hereby "
        "respectfully requested to ensure that all municipal receptacles are positioned appropriately "
        "adjacent to the thoroughfare prior to the commencement of the designated collection interval."
    )
    assert hard.level == "Hard to read"
    assert any("words are long" in hint for hint in hard.hints)
    assert hard.lix > 50


def test_readability_counts_list_items_as_sentences() -> None:
    result = readability("- Blue bin: paper\n- Brown bin: food\n- Grey bin: the rest")
    assert result.sentences == 3
