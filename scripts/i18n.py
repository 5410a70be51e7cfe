"""Keep the translation catalogues in step with the code.

    python scripts/i18n.py update   # extract strings, merge into el/en, fill en
    python scripts/i18n.py check    # exit 1 if any Greek string is missing or fuzzy

English is the source language, so the en catalogue repeats each msgid; the
Greek catalogue is written by people and checked by the test suite.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update() -> None:
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
             "--sort-output", "--project", "caseapp", "-o", str(POT), ".")
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")
    fill_english()


def fill_english() -> None:
    path = catalogue_path("en")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False)


def missing(locale: str, template: Path = POT) -> list[str]:
    """Msgids of `template` that the locale's catalogue lacks, leaves empty or marks fuzzy."""
    with catalogue_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    with template.open("rb") as handle:
        template = read_po(handle)
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = translated.string if translated else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or not all(values) or translated.fuzzy:
            problems.append(message.id if isinstance(message.id, str) else message.id[0])
    return problems


def check() -> int:
    problems = missing("el") + missing("en")
    for problem in problems:
        print(f"untranslated: {problem!r}")
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    else:
        sys.exit(check())
