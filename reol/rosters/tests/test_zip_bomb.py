"""A zip bomb as a OneRoster bundle: a 200 MB ``users.csv`` packed into a few hundred KB.

Before, the guard refused only bundles that declared more than 1 GB unpacked, so the bomb was
inflated in full (5.6 GB and three minutes of CPU in a web worker once parsed). Now it is
refused on its compression ratio before a byte of it is unpacked: the test process's resident
memory may grow by at most ``RSS_BOUND`` while the page and the command line refuse it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.patrons.models import Patron

pytestmark = pytest.mark.django_db

BOMB_BYTES = 200 * 2**20
RSS_BOUND = 48 * 2**20  # the bomb's users.csv alone would be 200 MB
HEADER = b"sourcedId,status,dateLastModified,orgSourcedIds,role,username,givenName,familyName\n"
ROW = b"u1,active,2026-01-01,nord-org,student,anna,Anna,Andersen\n"


def make_bomb(path: Path) -> Path:
    """Written in 1 MB chunks, so the test itself never holds the 200 MB."""
    line_block = ROW * (2**20 // len(ROW))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", b"propertyName,value\noneroster.version,1.1\n")
        with archive.open("users.csv", "w", force_zip64=True) as member:
            member.write(HEADER)
            written = len(HEADER)
            while written < BOMB_BYTES:
                member.write(line_block)
                written += len(line_block)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return make_bomb(tmp_path_factory.mktemp("bomb") / "roster.zip")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


class PeakMemory:
    """The growth of the process's peak resident memory (VmHWM) over a block of code."""

    def __enter__(self) -> PeakMemory:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        self.before = _status("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth = _status("VmHWM") - self.before


def test_the_bomb_is_really_a_bomb(bomb):
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("users.csv")
    assert info.file_size >= BOMB_BYTES and bomb.stat().st_size < 1024 * 1024


def test_the_page_refuses_the_bomb_within_the_memory_bound(world, settings, tmp_path, bomb):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    client = Client()
    assert client.login(username=world.librarian_a.username, password=PASSWORD)
    upload = SimpleUploadedFile("roster.zip", bomb.read_bytes(), content_type="application/zip")
    response = client.post(reverse("rosters-upload"), {"file": upload})
    assert response.status_code == 302
    with PeakMemory() as memory:
        page = client.get(response["Location"], follow=True)
    text = page.content.decode()
    assert "users.csv in the zip file is packed" in text and "zip bomb" in text
    assert memory.growth < RSS_BOUND, f"grew by {memory.growth // 2**20} MB"
    assert not Patron.objects.exists()


def test_the_refusal_is_translated(world, settings, tmp_path, bomb):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    client = Client()
    assert client.login(username=world.librarian_a.username, password=PASSWORD)
    upload = SimpleUploadedFile("roster.zip", bomb.read_bytes(), content_type="application/zip")
    response = client.post(reverse("rosters-upload"), {"file": upload})
    page = client.get(response["Location"], follow=True, headers={"accept-language": "da"})
    assert "zip-bombe" in page.content.decode()


def test_the_command_line_refuses_the_bomb_within_the_memory_bound(world, bomb, capsys):
    with PeakMemory() as memory, pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import-patrons", str(bomb), school="nord")
    out = capsys.readouterr().out
    assert "REJECTED" in out and "zip bomb" in out
    assert memory.growth < RSS_BOUND, f"grew by {memory.growth // 2**20} MB"
    assert not Patron.objects.exists()
