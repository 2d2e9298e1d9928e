"""The Spanish and Arabic catalogs are complete, sound, compiled, and in step with the code.

When a test here fails because strings changed, update the catalogs with `make messages`
(which runs makemessages then compilemessages from cityhall/), translate every new or emptied
msgstr in cityhall/locale/{es,ar}/LC_MESSAGES/django.po, remove any "fuzzy" flag, then run
`make messages` again so the .mo files match.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "cityhall"
LOCALE_DIR = PACKAGE_DIR / "locale"
LANGUAGES = ["es", "ar"]
NPLURALS = {"es": 3, "ar": 6}
IN_CI = os.environ.get("CI", "").lower() == "true"
UPDATE_HINT = (
    "Run `make messages`, translate every new or empty msgstr in "
    "cityhall/locale/{es,ar}/LC_MESSAGES/django.po (and clear fuzzy flags), "
    "then run `make messages` again to recompile."
)

# %(name)s, %(count)d, %s, %d ... ; a literal "%%" is not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


def live_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete and entry.msgid]


def label(entry: polib.POEntry | polib.MOEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_header(lang: str) -> None:
    catalog = polib.pofile(str(po_path(lang)))
    assert catalog.metadata.get("Language") == lang
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata.get("Plural-Forms", ""))
    assert nplurals, f"The {lang} header has no Plural-Forms."
    assert int(nplurals.group(1)) == NPLURALS[lang]
    assert not catalog.metadata_is_fuzzy, f"The {lang} header is marked fuzzy."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang: str) -> None:
    catalog = polib.pofile(str(po_path(lang)))
    entries = live_entries(catalog)
    assert entries, f"The {lang} catalog has no entries."
    untranslated = []
    fuzzy = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            fuzzy.append(label(entry))
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(NPLURALS[lang])]
            if not all(form.strip() for form in forms):
                untranslated.append(label(entry))
        elif not entry.msgstr.strip():
            untranslated.append(label(entry))
    if untranslated or fuzzy:
        pytest.fail(
            f"Untranslated {lang} entries: {untranslated}\n"
            f"Fuzzy {lang} entries (check the translation, then remove the flag): {fuzzy}\n"
            f"{UPDATE_HINT}"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    catalog = polib.pofile(str(po_path(lang)))
    problems = []
    for entry in live_entries(catalog):
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            for index, form in sorted(entry.msgstr_plural.items()):
                found = placeholders(form)
                # A form for one specific number may leave out a named count ("one file"),
                # but must not introduce anything the source does not provide; the last
                # ("other") form must keep them all.
                is_last = index == NPLURALS[lang] - 1
                unnamed = [p for p in found | expected if not p.startswith("%(")]
                if (is_last or unnamed) and found != expected:
                    problems.append(f"{label(entry)}[{index}]: {dict(found)} != {dict(expected)}")
                elif not set(found) <= set(expected):
                    problems.append(f"{label(entry)}[{index}]: {dict(found)} not in source")
        else:
            expected, found = placeholders(entry.msgid), placeholders(entry.msgstr)
            if found != expected:
                problems.append(f"{label(entry)}: {dict(found)} != {dict(expected)}")
    assert not problems, f"Placeholders changed in the {lang} catalog: {problems}"


def translation_pairs(catalog: polib.POFile | polib.MOFile) -> set[tuple[object, ...]]:
    pairs: set[tuple[object, ...]] = set()
    for entry in catalog:
        if not entry.msgid or entry.obsolete:
            continue
        if isinstance(entry, polib.POEntry) and ("fuzzy" in entry.flags or not entry.translated()):
            continue  # msgfmt leaves these out of the .mo
        if entry.msgid_plural:
            forms = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
            pairs.add((entry.msgctxt, entry.msgid, entry.msgid_plural, forms))
        else:
            pairs.add((entry.msgctxt, entry.msgid, entry.msgstr))
    return pairs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_po(lang: str) -> None:
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing. {UPDATE_HINT}"
    po = polib.pofile(str(po_path(lang)))
    mo = polib.mofile(str(mo_path(lang)))
    po_pairs, mo_pairs = translation_pairs(po), translation_pairs(mo)
    assert po_pairs == mo_pairs, (
        f"{mo_path(lang).name} for {lang} is stale: only in .po {sorted(po_pairs - mo_pairs)}, "
        f"only in .mo {sorted(mo_pairs - po_pairs)}. Run `make messages` to recompile."
    )
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("es", "Saltar al contenido principal"), ("ar", "تخطَّ إلى المحتوى الرئيسي")],
)
def test_django_serves_the_catalogs(lang: str, expected: str) -> None:
    with translation.override(lang):
        assert translation.gettext("Skip to main content") == expected


def test_catalogs_cover_every_marked_string(tmp_path: Path) -> None:
    """Extract the strings marked in the code now and compare them with the committed catalog."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        message = "GNU gettext (xgettext, msgmerge) is not installed"
        if IN_CI:
            pytest.fail(f"{message}, and CI=true requires it.")
        pytest.skip(message)

    source = tmp_path / "cityhall"
    shutil.copytree(PACKAGE_DIR, source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"))
    (source / "locale").mkdir()
    # Settings that keep makemessages inside the copy: with the real LOCALE_PATHS it would
    # also touch cityhall/locale in the working tree.
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "i18n_check_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nLOCALE_PATHS = []\n", encoding="utf-8"
    )
    var_dir = tmp_path / "var"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(shim)]),
        "DJANGO_SETTINGS_MODULE": "i18n_check_settings",
        "CITYHALL_VAR_DIR": str(var_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "cityhall.cli", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    def msgids(path: Path) -> set[tuple[str | None, str, str | None]]:
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
            for entry in live_entries(polib.pofile(str(path)))
        }

    extracted = msgids(source / "locale" / "es" / "LC_MESSAGES" / "django.po")
    committed = msgids(po_path("es"))
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    if missing or stale:
        pytest.fail(
            "The committed catalogs are out of step with the strings marked in the code.\n"
            f"Marked in the code but not in the catalog: {missing}\n"
            f"In the catalog but no longer in the code: {stale}\n"
            f"{UPDATE_HINT}"
        )
    # The Arabic catalog must carry exactly the same strings as the Spanish one.
    assert msgids(po_path("ar")) == committed, f"The es and ar catalogs hold different strings. {UPDATE_HINT}"
