"""Danish, Norwegian Bokmål and English are complete, compiled, and used by the pages."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parents[2] / "locale"
TRANSLATED = ["da", "nb"]


def _msgids(po: Path) -> set[str]:
    """The msgids of a .po file (first line of each, enough to compare catalogues)."""
    ids, lines = set(), po.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("msgid "):
            text = line[6:].strip('"')
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                text += lines[j].strip('"')
                j += 1
            if text:
                ids.add(text)
    return ids


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language):
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt is missing: run scripts/ensure-system-deps (make test does)")
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


@pytest.mark.parametrize("language", [*TRANSLATED, "en"])
def test_compiled_catalogue_matches_the_source(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True)
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), "run `make messages` and commit the .mo files"


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """What makemessages would find today is what the committed catalogues hold."""
    source = Path(__file__).resolve().parents[2]
    copy = tmp_path / "reol"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    # Settings whose catalogues are the copy's, so the committed ones are never written.
    (tmp_path / "i18n_settings.py").write_text(
        f"from reol.settings import *\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "django-admin"), "makemessages", "--no-location", "-l", "da"],
        cwd=copy, check=True, capture_output=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": str(tmp_path),
             "DJANGO_SETTINGS_MODULE": "i18n_settings", "REOL_VAR_DIR": str(tmp_path / "var")},
    )  # fmt: skip
    found = _msgids(copy / "locale" / "da" / "LC_MESSAGES" / "django.po")
    committed = _msgids(LOCALE / "da" / "LC_MESSAGES" / "django.po")
    assert found - committed == set(), "new strings: run `make messages` and translate them"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"), [("da", "Log ind"), ("nb", "Logg inn"), ("en", "Sign in")]
)
def test_sign_in_page_speaks_the_language(language, phrase):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get("/accounts/login/").content.decode()
    assert f'lang="{language}"' in page and phrase in page
