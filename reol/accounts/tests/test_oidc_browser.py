"""In Chromium, through a real OpenID Connect provider (django-oauth-toolkit, in its own
process with its own database and key): a student signs in with her school account and lands
on "My loans" without a Reol password; signing out of Reol signs her out at the provider too;
someone the library does not know is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reol.core.models import AuditEvent

from . import idp
from .helpers import make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(world, live_server, tmp_path):
    redirect = live_server.url + "/accounts/sso/skolelogin/callback/"
    people = [
        {"username": "elev-a1", "first_name": "Elev", "email": "elev-a1@skole.example"},
        {"username": "fremmed", "first_name": "Fremmed"},
    ]
    signed_out = live_server.url + "/accounts/login/"
    with idp.running(tmp_path, redirect, people, post_logout_uri=signed_out) as running:
        yield make_provider(
            running.issuer,
            world.school_a,
            client_id=idp.CLIENT_ID,
            client_secret=idp.CLIENT_SECRET,
            scopes="openid profile email",
        )


def _through_the_provider(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Skolelogin").click()
    page.get_by_label("School username").fill(username)
    page.get_by_label("School password").fill(idp.PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_a_student_signs_in_with_her_school_account_and_lands_on_my_loans(world, page, provider):
    assert world.student_a1.has_usable_password()  # she has one; she does not type it
    _through_the_provider(page, "elev-a1")
    expect(page).to_have_title("My loans · Reol")
    expect(page.get_by_role("heading", name="Hello, Elev-A1")).to_be_visible()
    assert AuditEvent.objects.filter(
        action="signin.success", actor=world.student_a1, details__provider="skolelogin"
    ).exists()


def test_signing_out_of_reol_signs_out_at_the_provider_so_the_next_pupil_is_asked(
    world, page, provider
):
    """A shared Chromebook: without the provider's logout, the next pupil's click on the
    school account would sign straight in as the one before."""
    _through_the_provider(page, "elev-a1")
    expect(page).to_have_title("My loans · Reol")
    page.goto("/accounts/logout/")
    page.locator("#main").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")  # through the provider's end-session endpoint
    event = AuditEvent.objects.get(action="signin.provider_logout")
    assert event.details == {"provider": "skolelogin", "sessions": 1, "channel": "rp"}

    page.get_by_role("link", name="Skolelogin").click()
    expect(page.get_by_label("School username")).to_be_visible()  # asked, not signed in
    page.goto("/opac/me/")
    assert "/accounts/login/" in page.url


def test_someone_the_library_does_not_know_is_refused(world, page, provider):
    _through_the_provider(page, "fremmed")
    expect(page.get_by_role("alert")).to_have_text(
        "Your account is not known to the library here. Ask the library to add you."
    )
    page.goto("/opac/me/")
    assert "/accounts/login/" in page.url  # nobody is signed in
    event = AuditEvent.objects.get(action="signin.provider_refused")
    assert event.details["reason"] == "unknown_person" and event.details["subject_verified"]
