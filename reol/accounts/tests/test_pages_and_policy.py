"""The administrator's side: providers per school (and no further), the "staff must use the
provider" rule on the password form, the sign-in page's buttons, the activity and test pages,
and the provider's back-channel logout."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from conftest import PASSWORD
from reol.accounts import services
from reol.accounts.models import IdentityProvider, ProviderSession
from reol.core.models import AuditEvent

from .helpers import make_provider, sign_in
from .provider import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeProvider() as provider:
        yield provider


def _password_sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_the_sign_in_page_offers_each_switched_on_provider(client, world, fake):
    make_provider(fake.issuer, world.school_a)
    make_provider(fake.issuer, world.school_a, slug="off", name="Slukket", enabled=False)
    page = client.get(reverse("login"), {"next": "/opac/"}).content.decode()
    assert "Skolelogin" in page and "Slukket" not in page
    assert reverse("accounts-sso-start", args=["skolelogin"]) + "?next=%2Fopac%2F" in page


def test_staff_who_must_use_the_provider_cannot_use_a_password(client, world, fake):
    with pytest.raises(ValidationError):  # not before a provider serves the school
        services.set_policy(world.admin_a, world.school_a, staff_must_use_provider=True)
    make_provider(fake.issuer, world.school_a)
    services.set_policy(world.admin_a, world.school_a, staff_must_use_provider=True)

    response = _password_sign_in(client, "laerer-a")
    assert response.status_code == 400 and "_auth_user_id" not in client.session
    assert "asks its staff and teachers to sign in with the school" in response.content.decode()
    event = AuditEvent.objects.get(action="signin.failure", school=world.school_a)
    assert event.details["reason"] == "provider_required"
    # Students keep their password (and card + PIN); another school's staff too.
    assert _password_sign_in(client, "elev-a1").status_code == 302
    client.logout()
    assert _password_sign_in(client, "bib-b").status_code == 302


def test_only_an_administrator_of_the_school_manages_its_providers(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a)
    client.force_login(world.librarian_a)
    assert client.get(reverse("accounts-providers")).status_code == 403
    client.force_login(world.librarian_b)  # another school's provider is not even there
    assert client.get(reverse("accounts-provider", args=[provider.pk])).status_code == 404
    client.force_login(world.admin_a)
    assert "Skolelogin" in client.get(reverse("accounts-providers")).content.decode()
    assert client.get(reverse("accounts-provider", args=[provider.pk])).status_code == 200


def test_another_schools_administrator_cannot_see_the_provider(client, world, fake):
    from reol.core import services as core
    from reol.core.permissions import SYSTEM

    admin_b = core.create_person(
        SYSTEM, world.school_b, username="admin-b", role="administrator", first_name="B"
    )
    provider = make_provider(fake.issuer, world.school_a)
    client.force_login(admin_b)
    assert "Skolelogin" not in client.get(reverse("accounts-providers")).content.decode()
    assert client.get(reverse("accounts-provider", args=[provider.pk])).status_code == 404
    edit = reverse("accounts-provider-edit", args=[provider.pk])
    assert client.post(edit, {"name": "Stolen"}).status_code == 404
    assert IdentityProvider.objects.get().name == "Skolelogin"


def test_an_administrator_adds_a_provider_from_a_preset(client, world):
    client.force_login(world.admin_a)
    response = client.post(
        reverse("accounts-provider-new"),
        {
            "preset": "feide",
            "name": "Feide",
            "slug": "feide",
            "client_id": "abc",
            "client_secret": "xyz",
            "match_field": "username",
        },
    )
    assert response.status_code == 302, response.content.decode()
    provider = IdentityProvider.objects.get(slug="feide")
    assert provider.issuer == "https://auth.dataporten.no" and provider.school == world.school_a
    assert provider.match_claim == "https://n.feide.no/claims/eduPersonPrincipalName"
    assert "userid-feide" in provider.scopes and not provider.enabled
    event = AuditEvent.objects.get(action="signin.provider_add")
    assert "client_secret" not in event.details["fields"] and "xyz" not in str(event.details)
    assert provider.client_secret == "xyz"
    with connection.cursor() as cursor:  # sealed at rest (core/sealed.py), not in clear
        cursor.execute("SELECT client_secret FROM accounts_identityprovider")
        assert cursor.fetchone()[0].startswith("sealed:")


def test_the_provider_page_shows_sign_ins_refusals_and_tests_the_setup(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a)
    sign_in(client, provider, fake)
    client.logout()
    sign_in(client, provider, fake, lambda n: fake.claims(n, aud="other"))
    client.force_login(world.admin_a)
    page = client.get(reverse("accounts-provider", args=[provider.pk])).content.decode()
    assert "Elev-A1 Test" in page and "bad_token" in page and "audience" in page
    test = client.post(reverse("accounts-provider-test", args=[provider.pk]))
    body = test.content.decode()
    assert "Metadata found; the issuer matches." in body and "1 signing keys" in body
    assert "failed:" not in body


def test_a_test_sign_in_shows_the_claims_and_signs_nobody_in(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a, enabled=False)
    client.force_login(world.admin_a)
    response = client.post(reverse("accounts-provider-test", args=[provider.pk]), {"sign_in": 1})
    from urllib.parse import parse_qs, urlparse

    params = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    fake.queued.append(fake.claims(params["nonce"]))
    fake.challenges["c"] = params["code_challenge"]
    url = reverse("accounts-sso-callback", args=[provider.slug])
    body = client.get(url, {"code": "c", "state": params["state"]}).content.decode()
    assert "It would sign in Elev-A1 Test; nobody was signed in." in body
    assert int(client.session["_auth_user_id"]) == world.admin_a.pk
    assert AuditEvent.objects.filter(action="signin.provider_tested").exists()
    assert not AuditEvent.objects.filter(action="signin.success").exists()


def test_the_providers_back_channel_logout_ends_the_session(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a)
    sign_in(client, provider, fake, lambda n: fake.claims(n, sid="sid-1"))
    assert client.get(reverse("opac-me")).status_code == 200
    now = int(time.time())
    token = {
        "iss": fake.issuer,
        "aud": "reol-client",
        "iat": now,
        "jti": "j1",
        "sid": "sid-1",
        "sub": "subject-1",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    url = reverse("accounts-sso-backchannel-logout", args=[provider.slug])
    from django.test import Client

    server = Client()
    forged = FakeProvider().sign(token)  # another key: refused, nothing ends
    assert server.post(url, {"logout_token": forged}).status_code == 400
    assert client.get(reverse("opac-me")).status_code == 200
    assert server.post(url, {"logout_token": fake.sign(token)}).status_code == 200
    assert client.get(reverse("opac-me")).status_code == 302  # to the sign-in page
    assert not ProviderSession.objects.exists()
    assert server.post(url, {"logout_token": fake.sign(token)}).status_code == 400  # used once
