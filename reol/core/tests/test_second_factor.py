"""Two-step sign-in (ASVS 4.3.1): the second step after a right password, replay and
throttle, recovery codes, administrators who must enrol before anything else, and a reset
only by an administrator of every school the person belongs to."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.core import accounts, mfa, services
from reol.core.models import AuditEvent, RecoveryCode, TotpDevice, User
from reol.core.permissions import SYSTEM
from reol.core.security_views import ENROL_SECRET

pytestmark = pytest.mark.django_db


def code_for(secret: str, ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + ahead)


def enrolled(person) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    secret = mfa.new_secret()
    codes = mfa.enrol(person, secret, code_for(secret))
    return secret, codes


def password_step(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert response.url == reverse("sign-in-second-step")
    return client


def test_after_the_password_the_session_is_not_signed_in_until_the_code(world):
    secret, _codes = enrolled(world.teacher_a)
    client = password_step("laerer-a")
    # Half-way: no page, no API by session.
    assert client.get(reverse("me")).status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    wrong = client.post(reverse("sign-in-second-step"), {"code": "000000"})
    assert wrong.status_code == 400 and "This code is not right" in wrong.content.decode()
    right = client.post(reverse("sign-in-second-step"), {"code": code_for(secret, 1)})
    assert right.status_code == 302
    assert client.get(reverse("me")).status_code == 200
    events = AuditEvent.objects.filter(object_id=str(world.teacher_a.pk), school=world.school_a)
    failed = events.get(action="signin.second_factor_failure")
    assert failed.details["second_factor"] == "wrong"
    assert events.get(action="signin.success").details == {"second_factor": "totp"}


def test_a_used_code_is_refused_within_its_window(world):
    secret, _codes = enrolled(world.teacher_a)
    code = code_for(secret, 1)
    first = password_step("laerer-a")
    assert first.post(reverse("sign-in-second-step"), {"code": code}).status_code == 302
    again = password_step("laerer-a")
    replay = again.post(reverse("sign-in-second-step"), {"code": code})
    assert replay.status_code == 400 and "used already" in replay.content.decode()
    assert again.get(reverse("me")).status_code == 302
    assert AuditEvent.objects.filter(
        action="signin.second_factor_failure", details__second_factor="replayed"
    ).exists()
    # The code enrolment used is spent too.
    assert mfa.verify(world.teacher_a, code_for(secret, -1)) in ("replayed", "")


def test_wrong_codes_are_throttled_like_passwords(world, settings):
    settings.REOL_LOGIN_MAX_FAILURES = 3
    secret, _codes = enrolled(world.teacher_a)
    client = password_step("laerer-a")
    for _n in range(3):
        client.post(reverse("sign-in-second-step"), {"code": "123456"})
    paused = client.post(reverse("sign-in-second-step"), {"code": code_for(secret, 1)})
    assert paused.status_code == 400 and "Too many failed attempts" in paused.content.decode()
    assert client.get(reverse("me")).status_code == 302
    assert AuditEvent.objects.filter(action="signin.delayed", school=world.school_a).exists()


def test_a_recovery_code_works_once_and_new_ones_void_the_old(world):
    _secret, codes = enrolled(world.teacher_a)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored as keyed digests only.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(
        code in digest or code.replace("-", "") in digest for code in codes for digest in stored
    )
    client = password_step("laerer-a")
    assert (
        client.post(reverse("sign-in-second-step"), {"code": codes[0].upper()}).status_code == 302
    )
    again = password_step("laerer-a")
    assert again.post(reverse("sign-in-second-step"), {"code": codes[0]}).status_code == 400
    new = mfa.renew_recovery_codes(world.teacher_a)
    assert mfa.verify(world.teacher_a, codes[1]) == ""
    assert mfa.verify(world.teacher_a, new[1]) == "recovery"


@pytest.mark.mfa_required
def test_an_administrator_must_enrol_before_anything_else(
    world, django_capture_on_commit_callbacks
):
    world.admin_a.email = "admin@nord.example"
    world.admin_a.save(update_fields=["email"])
    client = Client()
    response = client.post(reverse("login"), {"username": "admin-a", "password": PASSWORD})
    assert response.status_code == 302
    for path in (reverse("staff-dashboard"), reverse("people"), reverse("me")):
        refused = client.get(path)
        assert refused.status_code == 302 and refused.url == reverse("mfa-setup"), path
    assert client.get("/api/v1/me").status_code == 403
    page = client.get(reverse("mfa-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    secret = client.session[ENROL_SECRET]
    # The QR code is inline SVG, and the secret is there as text for those who cannot scan.
    assert '<svg role="img"' in html and mfa.grouped(secret) in html
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("mfa-setup"), {"action": "enrol", "code": code_for(secret)})
    assert done.status_code == 302
    shown = client.get(reverse("mfa-setup")).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", shown)
    assert len(codes) == 10
    assert not re.findall(r"<code>[a-z0-9]{4}-", client.get(reverse("mfa-setup")).content.decode())
    assert client.get(reverse("staff-dashboard")).status_code == 200
    assert any(m.subject == "Two-step sign-in is on" for m in mail.outbox)
    # An administrator cannot turn it off.
    off = client.post(reverse("mfa-setup"), {"action": "off", "password": PASSWORD})
    assert off.status_code == 403 and TotpDevice.objects.filter(user=world.admin_a).exists()


@pytest.mark.mfa_required
def test_a_session_from_before_is_held_at_enrolment_too(world):
    client = Client()
    client.force_login(world.admin_a)
    assert client.get(reverse("staff-dashboard")).url == reverse("mfa-setup")


def test_anyone_may_opt_in_and_out(world):
    client = Client()
    client.force_login(world.teacher_a)
    client.get(reverse("mfa-setup"))
    secret = client.session[ENROL_SECRET]
    client.post(reverse("mfa-setup"), {"action": "enrol", "code": code_for(secret)})
    assert mfa.enrolled(world.teacher_a)
    assert (
        client.post(reverse("mfa-setup"), {"action": "off", "password": "nope"}).status_code == 400
    )
    assert mfa.enrolled(world.teacher_a)
    client.post(reverse("mfa-setup"), {"action": "off", "password": PASSWORD})
    assert not mfa.enrolled(world.teacher_a)


def test_only_an_administrator_of_every_school_of_the_person_may_reset(
    world, django_capture_on_commit_callbacks
):
    person = world.teacher_a
    person.email = "laerer@nord.example"
    person.save(update_fields=["email"])
    services.grant_role(SYSTEM, person, world.school_b, "teacher")  # teaches at both schools
    secret, _codes = enrolled(person)
    theirs = password_step("laerer-a")
    theirs.post(reverse("sign-in-second-step"), {"code": code_for(secret, 1)})
    assert theirs.get(reverse("me")).status_code == 200
    url = reverse("person-mfa-reset", args=[person.pk])
    librarian = Client()
    librarian.force_login(world.librarian_a)  # may set the teacher's password, not this
    assert librarian.post(url).status_code == 403
    admin_a = Client()
    admin_a.force_login(world.admin_a)  # administrator at A only; the teacher is at B too
    assert admin_a.post(url).status_code == 403
    assert mfa.enrolled(person)
    refused = AuditEvent.objects.filter(action="person.identity_refused", details__field="mfa")
    assert {e.school_id for e in refused} == {world.school_a.pk, world.school_b.pk}
    services.grant_role(SYSTEM, world.admin_a, world.school_b, "administrator")
    page = admin_a.get(reverse("person", args=[person.pk])).content.decode()
    assert url in page
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_a.post(url).status_code == 302
    assert not mfa.enrolled(person) and not RecoveryCode.objects.filter(user=person).exists()
    assert theirs.get(reverse("me")).status_code == 302  # signed out everywhere
    reset = AuditEvent.objects.filter(action="mfa.reset", object_id=str(person.pk))
    assert {e.school_id for e in reset} == {world.school_a.pk, world.school_b.pk}
    told = [m for m in mail.outbox if m.subject == "Your two-step sign-in was reset"]
    assert len(told) == 1 and told[0].to == ["laerer@nord.example"]


def test_the_installation_resets_a_superusers_two_step_sign_in(world):
    root = User.objects.create_superuser("root", password=PASSWORD)
    enrolled(root)
    with pytest.raises(PermissionDenied):
        accounts.reset_second_factor(world.admin_a, root)
    call_command("reset-two-step", "ROOT")
    assert not mfa.enrolled(root)
    assert AuditEvent.objects.filter(action="mfa.reset", actor_name="system").exists()
