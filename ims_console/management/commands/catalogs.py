"""`manage.py catalogs`: the translation catalogues (locale/<language>/LC_MESSAGES/django.po and djangojs.po) made
current with the code (Django's makemessages) and compiled (compilemessages), in one way for everyone.

`--check` changes nothing: it makes the catalogues in a scratch copy of the project and fails when they differ from
the committed ones (a string was added or changed without updating them), when an entry is untranslated or fuzzy,
or when a committed .mo file is not what its .po compiles to. `make test` runs it through tests/test_i18n.py.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# What makemessages reads: the console's code, templates and JavaScript, not the virtualenv, the tests or the tools.
IGNORED = [".venv", "tests", "tools", "staticfiles", "image-files", "build", "docs", "*.egg-info", ".local-cloud",
           "templates/bench"]
DOMAINS = ("django", "djangojs")
# The POT-Creation-Date header changes on every run; nothing else may.
VOLATILE = ("POT-Creation-Date:",)


def languages() -> list[str]:
    """The catalogues' folder names: de, zh_Hans (English is the source)."""
    return [_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _locale(code: str) -> str:
    language, _, script = code.partition("-")
    return f"{language}_{script.title()}" if script else language


class Command(BaseCommand):
    help = "Update the translation catalogues from the code and compile them; --check only verifies them."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; fail if a catalogue is not current")

    def handle(self, *args, check: bool = False, **options):
        base = Path(settings.BASE_DIR)
        if not check:
            update(base)
            self.stdout.write(f"Updated and compiled the catalogues of {', '.join(languages())}.")
            return
        problems = verify(base)
        if problems:
            raise CommandError("The translation catalogues are not current:\n" + "\n".join(problems))
        self.stdout.write("The translation catalogues are current, complete and compiled.")


def update(base: Path) -> None:
    for domain in DOMAINS:
        call_command(
            "makemessages", locale=languages(), domain=domain, ignore_patterns=IGNORED, add_location="file",
            no_obsolete=True, verbosity=0, **({"extensions": ["js"]} if domain == "djangojs" else {}),
        )
    for locale in languages():
        for domain in DOMAINS:
            po = base / "locale" / locale / "LC_MESSAGES" / f"{domain}.po"
            compile_catalogue(po, po.with_suffix(".mo"))


def compile_catalogue(po: Path, mo: Path) -> None:
    """As compilemessages does (GNU msgfmt, checking the %-placeholders), to a file of our choosing."""
    subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


def verify(base: Path) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(base, copy, ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "image-files",
                                                                  "*.sqlite3*", "__pycache__", ".mypy_cache"))
        subprocess.run(
            [sys.executable, "manage.py", "catalogs"], cwd=copy, check=True, capture_output=True,
        )
        for locale in languages():
            for domain in DOMAINS:
                relative = Path("locale") / locale / "LC_MESSAGES" / f"{domain}.po"
                committed, made = base / relative, copy / relative
                if not committed.exists():
                    problems.append(f"{relative} does not exist: run `make messages`.")
                    continue
                if _stable(committed) != _stable(made):
                    problems.append(f"{relative} is not current with the code: run `make messages`, then translate.")
                problems += [f"{relative}: {p}" for p in incomplete(committed)]
                mo = committed.with_suffix(".mo")
                if not mo.exists() or not filecmp.cmp(mo, made.with_suffix(".mo"), shallow=False):
                    problems.append(f"{relative.with_suffix('.mo')} is not what its .po compiles to: run `make messages`.")
    return problems


def _stable(po: Path) -> list[str]:
    return [line for line in po.read_text().splitlines() if not line.startswith(f'"{VOLATILE[0]}')]


def incomplete(po: Path) -> list[str]:
    """Entries without a translation, and fuzzy ones (msgmerge's guesses, which gettext does not use)."""
    found = []
    for entry in po.read_text().split("\n\n")[1:]:
        lines = entry.strip().splitlines()
        if not lines or all(line.startswith("#~") for line in lines):
            continue
        msgid = _field(lines, "msgid")
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            found.append(f"fuzzy: {msgid!r}")
        keys = [line.split(" ", 1)[0] for line in lines if line.startswith("msgstr")]
        if not keys or not all(_field(lines, key) for key in keys):
            found.append(f"untranslated: {msgid!r}")
    return found


def _field(lines: list[str], key: str) -> str:
    """The text of `key` (msgid, msgstr, msgstr[0]...) with its continuation lines."""
    text, reading = [], False
    for line in lines:
        if line.startswith(f"{key} "):
            reading = True
            text.append(line[len(key) + 1:].strip().strip('"'))
        elif reading and line.startswith('"'):
            text.append(line.strip().strip('"'))
        elif reading:
            break
    return "".join(text)
