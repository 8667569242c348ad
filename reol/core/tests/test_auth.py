"""Sign-in by password and by card + PIN, the rate limit, hashing, CSRF, headers, tokens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.core import services
from reol.core.models import User
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, secret: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": secret})


def test_staff_sign_in_with_password(world, client):
    response = sign_in(client, "bib-a", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").url == reverse("staff-dashboard")


def test_student_sign_in_with_card_and_pin(world, client):
    response = sign_in(client, "A0001", "4321")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.student_a1.pk


def test_wrong_pin_is_refused_with_a_clear_message(world, client):
    response = sign_in(client, "A0001", "0000")
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_paused_after_repeated_failures(world, client, settings):
    for _ in range(settings.REOL_LOGIN_MAX_FAILURES):
        assert sign_in(client, "bib-a", "wrong").status_code == 400
    response = sign_in(client, "bib-a", PASSWORD)
    assert response.status_code == 400
    assert "Too many failed attempts" in response.content.decode()
    # Another account is not locked by someone guessing at bib-a.
    assert sign_in(Client(), "admin-a", PASSWORD).status_code == 302


def test_next_url_cannot_leave_the_site(world, client):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "bib-a", "password": PASSWORD},
    )
    assert response.url == "/"


def test_sign_in_sets_preferred_language(world, client):
    services.set_preferred_language(SYSTEM, world.librarian_a, "nb")
    response = sign_in(client, "bib-a", PASSWORD)
    assert response.cookies["django_language"].value == "nb"


@pytest.mark.real_hashing
def test_passwords_and_pins_are_hashed_with_argon2(db):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    school = services.create_school(
        SYSTEM,
        municipality=services.create_municipality(SYSTEM, code="m", name="M"),
        code="s",
        name="S",
    )
    user = services.create_person(
        SYSTEM, school, username="u", role="student", first_name="U", password=PASSWORD, pin="1234"
    )
    assert identify_hasher(user.password).algorithm == "argon2"
    assert identify_hasher(user.pin_hash).algorithm == "argon2"


def test_csrf_is_enforced_on_pages(world):
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "bib-a", PASSWORD).status_code == 403


def test_security_headers(world, client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_pages_need_sign_in(db, client):
    for name in ("staff-dashboard", "people", "me", "audit-log"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_api_token_acts_as_its_owner_and_can_be_revoked(world, client):
    token, secret = services.create_api_token(SYSTEM, world.librarian_a, name="kiosk")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/me", **headers).json()["username"] == "bib-a"
    services.revoke_api_token(SYSTEM, token)
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_api_refuses_missing_and_forged_tokens(world, client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer reol_forged").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer x" * 1000).status_code == 401


def test_api_tokens_are_stored_as_digests(world):
    token, secret = services.create_api_token(SYSTEM, world.librarian_a)
    assert secret not in (token.digest, token.prefix)
    assert len(token.digest) == 64


def test_api_session_writes_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.librarian_a)
    response = client.post(
        "/api/v1/people",
        {"school": "nord", "username": "x", "role": "student"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_password_reset_sends_a_mail(world, client, mailoutbox):
    world.librarian_a.email = "lene@nord.example"
    world.librarian_a.save()
    response = client.post(reverse("password_reset"), {"email": "lene@nord.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body
