"""The catalogue-sharing page: schools choose what they share and add SIP2 terminals."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import PASSWORD
from reol.protocols.models import SchoolPublication, SipTerminal


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_librarian_chooses_what_the_school_shares(world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(world.librarian_a)
    page = client.get("/staff/sharing/")
    assert page.status_code == 200
    assert b"/sru/solbjerg/nord/" in page.content
    assert b"Sydskolen" not in page.content  # another school's settings are not hers
    client.post("/staff/sharing/", {f"sru-{world.school_a.pk}": "on"})
    chosen = SchoolPublication.objects.get(school=world.school_a)
    assert chosen.sru and not chosen.oai
    assert not SchoolPublication.objects.filter(school=world.school_b).exists()


@pytest.mark.django_db
def test_a_librarian_adds_and_switches_off_a_terminal(world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(world.librarian_a)
    bad = client.post(
        "/staff/sharing/",
        {"terminal-login": "kiosk 1", "terminal-password": "short", "terminal-encoding": "utf-8"},
    )
    assert bad.status_code == 200 and not SipTerminal.objects.exists()
    assert b"errorlist" in bad.content and b"kiosk 1" in bad.content  # what was typed stays
    client.post(
        "/staff/sharing/",
        {
            "terminal-login": "kiosk1",
            "terminal-password": "long-enough",
            "terminal-encoding": "cp850",
            "terminal-require_pin": "on",
        },
    )
    terminal = SipTerminal.objects.get()
    assert terminal.school == world.school_a and terminal.encoding == "cp850"
    assert not terminal.account.has_usable_password()
    other = signed_in(world.librarian_b)
    other.post("/staff/sharing/", {"disable": terminal.pk})
    terminal.refresh_from_db()
    assert terminal.enabled  # another school's librarian cannot switch it off
    client.post("/staff/sharing/", {"disable": terminal.pk})
    terminal.refresh_from_db()
    assert not terminal.enabled


@pytest.mark.django_db
def test_students_and_teachers_are_not_let_in(world) -> None:  # type: ignore[no-untyped-def]
    for person in (world.teacher_a, world.student_a1):
        assert signed_in(person).get("/staff/sharing/").status_code == 403
