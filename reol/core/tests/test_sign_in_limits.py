"""The sign-in rate limit: per account (username and card together), not per classroom."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from conftest import PASSWORD
from reol.core.models import AuditEvent, LoginFailure

pytestmark = pytest.mark.django_db

SCHOOL_ADDRESS = "10.20.30.40"  # a whole school behind one NAT address


def attempt(username: str, secret: str, address: str = SCHOOL_ADDRESS, client=None):  # type: ignore[no-untyped-def]
    client = client or Client()
    return client.post(
        reverse("login"), {"username": username, "password": secret}, REMOTE_ADDR=address
    )


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302


def paused(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 400 and "Too many failed attempts" in response.content.decode()


def error_text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.context["form"].non_field_errors())


def test_username_and_card_count_together_whatever_the_case(world):
    for _ in range(3):
        assert not paused(attempt("A0001", "0000"))
    assert not paused(attempt("ELEV-A1", "wrong"))
    assert not paused(attempt("a0001", "9999"))
    # Five failures on the account, typed three ways: even the right PIN waits now.
    assert paused(attempt("a0001", "4321"))
    assert paused(attempt("elev-a1", PASSWORD))


def test_card_sign_in_ignores_case(world):
    assert signed_in(attempt("a0001", "4321"))


def test_the_message_says_when_to_try_again(world, settings):
    settings.REOL_LOGIN_DELAY_SECONDS = 600
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        attempt("bib-a", "wrong")
    response = attempt("bib-a", PASSWORD)
    until = timezone.localtime(LoginFailure.objects.latest("at").at) + dt.timedelta(seconds=600)
    text = error_text(response)
    assert "Try again in 10 minutes" in text, text
    assert formats.time_format(until, "TIME_FORMAT") in text
    assert "ask the library" in text


def test_one_student_guessing_does_not_lock_out_the_school(world, settings):
    limit = settings.REOL_LOGIN_MAX_FAILURES
    for _ in range(limit * 4):  # hammering one account
        attempt("elev-a1", "1111")
    for n in range(limit * 10):  # and trying names that belong to nobody
        attempt(f"nobody-{n}", "1234")
    # Everyone else at the same address still signs in.
    assert signed_in(attempt("admin-a", PASSWORD))
    assert signed_in(attempt("A0002", "1111"))
    assert signed_in(attempt("bib-a", PASSWORD))
    # Only names that belong to nobody are throttled for that address ...
    assert paused(attempt("yet-another-nobody", "1234"))
    # ... and not from other addresses.
    assert not paused(attempt("yet-another-nobody", "1234", address="192.0.2.9"))
    # The account's owner, from her own address, is not held up by the guessing (issue 12).
    assert signed_in(attempt("A0001", "4321", address="192.0.2.9"))


def test_a_name_that_belongs_to_nobody_is_paused_the_same_way(world, settings):
    """The pause must not tell a guesser which usernames or cards exist."""
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        attempt("no-such-person", "x", address="192.0.2.1")
        attempt("elev-a2", "x", address="192.0.2.2")
    unknown = attempt("NO-SUCH-PERSON", "x", address="192.0.2.1")
    known = attempt("elev-a2", "x", address="192.0.2.2")
    assert paused(unknown) and paused(known)
    assert re.sub(r"\d", "", error_text(unknown)) == re.sub(r"\d", "", error_text(known))


def test_an_address_trying_everyone_is_stopped(world, settings):
    settings.REOL_LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    for name in ("elev-a1", "elev-a2", "bib-a"):
        attempt(name, "guess")
        attempt(name, "guess")
    assert paused(attempt("admin-a", PASSWORD))
    assert signed_in(attempt("admin-a", PASSWORD, address="192.0.2.3"))


def test_the_pause_ends_after_the_window(world, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        attempt("bib-a", "wrong")
    assert paused(attempt("bib-a", PASSWORD))
    window = dt.timedelta(seconds=settings.REOL_LOGIN_LOCKOUT_SECONDS)
    LoginFailure.objects.update(at=timezone.now() - window - dt.timedelta(seconds=1))
    assert signed_in(attempt("bib-a", PASSWORD))
    assert not LoginFailure.objects.filter(user=world.librarian_a).exists()


def test_reol_unlock_lets_the_person_in_again(world, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        attempt("A0001", "0000")
    assert paused(attempt("A0001", "4321"))
    call_command("unlock", "ELEV-A1")
    assert signed_in(attempt("A0001", "4321"))
    event = AuditEvent.objects.get(action="person.unlock")
    assert (event.via, event.object_id) == ("cli", str(world.student_a1.pk))
    with pytest.raises(CommandError, match="No person has the username or card"):
        call_command("unlock", "nobody-at-all")


def test_librarian_unlocks_a_student_on_the_person_page(world, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        attempt("A0001", "0000")
    other_school = Client()
    other_school.force_login(world.librarian_b)
    unlock = reverse("person-unlock", args=[world.student_a1.pk])
    assert other_school.post(unlock).status_code == 404
    assert paused(attempt("A0001", "4321"))

    librarian = Client()
    librarian.force_login(world.librarian_a)
    page = librarian.get(reverse("person", args=[world.student_a1.pk])).content.decode()
    assert "Sign-in is paused" in page and unlock in page
    assert librarian.post(unlock).status_code == 302
    assert signed_in(attempt("A0001", "4321"))
    page = librarian.get(reverse("person", args=[world.student_a1.pk])).content.decode()
    assert "Sign-in is paused" not in page


# --- Issue 12: a throttle nobody can turn into a lock-out -------------------------------------

STUDENT_DESK = "10.20.30.77"
TEACHER_DESK = "10.20.30.12"


def test_a_student_guessing_a_teachers_password_does_not_lock_the_teacher_out(world, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES * 2):
        attempt("laerer-a", "gæt-et-kodeord", address=STUDENT_DESK)
    assert paused(attempt("laerer-a", PASSWORD, address=STUDENT_DESK))  # the guesser waits
    assert signed_in(attempt("laerer-a", PASSWORD, address=TEACHER_DESK))


def test_a_known_browser_signs_in_behind_the_same_address_as_the_guesser(world, settings):
    teacher = Client()
    assert signed_in(attempt("laerer-a", PASSWORD, client=teacher))  # leaves reol_device
    teacher.post(reverse("logout"))
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES * 2):
        attempt("laerer-a", "gæt-et-kodeord")  # a student, same school NAT address
    assert paused(attempt("laerer-a", PASSWORD))
    assert signed_in(attempt("laerer-a", PASSWORD, client=teacher))


def test_the_delay_grows_with_each_failure(world, settings):
    settings.REOL_LOGIN_DELAY_SECONDS = 60
    limit = settings.REOL_LOGIN_MAX_FAILURES
    for _ in range(limit):
        attempt("bib-a", "wrong")
    assert "1 minute" in error_text(attempt("bib-a", PASSWORD))
    # The waiting is over (moved back in time), one more wrong guess: now two minutes.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=61))
    attempt("bib-a", "wrong")
    assert "2 minutes" in error_text(attempt("bib-a", PASSWORD))


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(world, settings):
    for n in range(settings.REOL_LOGIN_MAX_FAILURES):
        Client().post(
            reverse("login"),
            {"username": "bib-a", "password": "wrong"},
            REMOTE_ADDR=STUDENT_DESK,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {STUDENT_DESK}


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_counts(world, settings):
    settings.REOL_TRUSTED_PROXIES = ["10.0.0.1", "172.16.0.0/12"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        Client().post(
            reverse("login"),
            {"username": "laerer-a", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.50, 172.16.4.4",  # forged, client, LB
            **proxy,
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}
    response = Client().post(
        reverse("login"),
        {"username": "laerer-a", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.51",  # a colleague behind the same proxy
        **proxy,
    )
    assert signed_in(response)
    event = AuditEvent.objects.filter(action="signin.success").latest("id")
    assert event.ip_address == "192.0.2.51"


def test_the_per_address_limit_spares_a_known_browser(world, settings):
    settings.REOL_LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    librarian = Client()
    assert signed_in(attempt("bib-a", PASSWORD, client=librarian))
    librarian.post(reverse("logout"))
    for name in ("elev-a1", "elev-a2", "laerer-a"):
        attempt(name, "guess")
        attempt(name, "guess")
    assert paused(attempt("admin-a", PASSWORD))
    assert signed_in(attempt("bib-a", PASSWORD, client=librarian))


def test_failed_and_delayed_sign_ins_are_audited(world, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES + 1):
        attempt("laerer-a", "wrong")
    events = AuditEvent.objects.filter(object_id=str(world.teacher_a.pk), school=world.school_a)
    actions = list(events.values_list("action", flat=True))
    assert actions.count("signin.failure") == settings.REOL_LOGIN_MAX_FAILURES
    assert "signin.delayed" in actions
    assert events.filter(action="signin.failure").first().actor_name == "laerer-a"
