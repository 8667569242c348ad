"""One's active sessions (ASVS 3.3.4): listed with browser, address and times, the current
one marked; any other one signed out from here, at once; rows keyed by a digest only."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.core import sessions
from reol.core.models import AuditEvent, SignInSession

pytestmark = pytest.mark.django_db


def browser(agent: str, username: str = "laerer-a", ip: str = "192.0.2.10") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_list_shows_each_browser_and_marks_this_one(world):
    laptop = browser("Firefox on the laptop", ip="192.0.2.10")
    browser("Safari on the phone", ip="198.51.100.7")
    browser("Chrome of someone else", username="bib-a")
    html = laptop.get(reverse("session-list")).content.decode()
    assert "Firefox on the laptop" in html and "Safari on the phone" in html
    assert "198.51.100.7" in html and "someone else" not in html
    assert html.count("(this session)") == 1
    row = html.split("(this session)")[0].rsplit("<tr>", 1)[1]
    assert "Firefox on the laptop" in row
    # Only digests are kept: no raw session key in our table.
    keys = set(Session.objects.values_list("session_key", flat=True))
    digests = set(SignInSession.objects.values_list("key_digest", flat=True))
    assert not keys & digests
    assert {hashlib.sha256(k.encode()).hexdigest() for k in keys} >= digests


def test_signing_out_another_session_ends_it_at_once(world):
    laptop = browser("Firefox on the laptop")
    phone = browser("Safari on the phone")
    assert phone.get(reverse("me")).status_code == 200
    other = SignInSession.objects.get(user_agent="Safari on the phone")
    url = reverse("session-end-one", args=[other.pk])
    assert url in laptop.get(reverse("session-list")).content.decode()
    confirm = laptop.get(url)
    assert confirm.status_code == 200 and "Safari on the phone" in confirm.content.decode()
    # The password again first (ASVS 3.3.4).
    assert laptop.post(url, {"password": "not mine"}).status_code == 400
    assert phone.get(reverse("me")).status_code == 200
    response = laptop.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert phone.get(reverse("me")).status_code == 302  # sent to sign in
    assert laptop.get(reverse("me")).status_code == 200
    assert not SignInSession.objects.filter(pk=other.pk).exists()
    assert Session.objects.count() == 1
    assert AuditEvent.objects.filter(action="person.session_ended", school=world.school_a).exists()


def test_nobody_ends_another_persons_session_nor_this_one_here(world):
    browser("Firefox of the teacher")
    theirs = SignInSession.objects.get()
    intruder = browser("Chrome of the librarian", username="bib-a")
    url = reverse("session-end-one", args=[theirs.pk])
    assert intruder.get(url).status_code == 404
    assert intruder.post(url, {"password": PASSWORD}).status_code == 404
    assert SignInSession.objects.filter(pk=theirs.pk).exists()
    mine = SignInSession.objects.get(user_agent="Chrome of the librarian")
    assert intruder.get(reverse("session-end-one", args=[mine.pk])).status_code == 404


def test_last_seen_is_written_at_most_once_a_minute(world):
    laptop = browser("Firefox")
    row = SignInSession.objects.get()
    for _n in range(3):
        laptop.get(reverse("me"))
    assert SignInSession.objects.get().last_seen_at == row.last_seen_at
    session = laptop.session
    digest, _at = session[sessions.SEEN]
    session[sessions.SEEN] = [digest, time.time() - sessions.TOUCH_SECONDS - 1]
    session.save()
    laptop.get(reverse("me"))
    assert SignInSession.objects.get().last_seen_at > row.last_seen_at


def test_sign_out_and_sign_out_everywhere_else_remove_rows(world):
    laptop = browser("Firefox on the laptop")
    browser("Safari on the phone")
    browser("Edge at the desk")
    laptop.post(reverse("sessions-end"), {"password": PASSWORD})
    html = laptop.get(reverse("session-list")).content.decode()
    assert "Firefox on the laptop" in html and "(this session)" in html
    assert "Safari" not in html and "Edge" not in html
    laptop.post(reverse("logout"))
    assert not SignInSession.objects.exists()


def test_a_password_change_keeps_this_session_listed(world):
    laptop = browser("Firefox on the laptop")
    browser("Safari on the phone")
    new = "blue whale under ice"
    response = laptop.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    html = laptop.get(reverse("session-list")).content.decode()
    assert "(this session)" in html and "Safari" not in html


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox, Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari, iOS",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome, ChromeOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge, Windows",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
    ],
)
def test_the_list_names_browser_and_system(agent, shown):
    assert sessions.describe(agent) == shown
