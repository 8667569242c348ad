"""OpenID Connect sign-in against a local provider whose tokens the tests make: the good one
signs the student in and lands on "My loans"; each bad one is refused with a clear message
and an audit entry naming its reason, and signs nobody in."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from joserfc.jwk import RSAKey

from reol.accounts import services
from reol.accounts.models import ExternalIdentity, UsedNonce
from reol.accounts.oidc import Refusal
from reol.core.models import AuditEvent, Membership

from .helpers import make_provider, sign_in
from .provider import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeProvider() as provider:
        yield provider


@pytest.fixture
def provider(world, fake):
    return make_provider(fake.issuer, world.school_a)


def _signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def _refusals(reason: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="signin.provider_refused", details__reason=reason))


def test_a_student_signs_in_and_lands_on_my_loans(client, world, fake, provider):
    response = sign_in(client, provider, fake)
    assert response.status_code == 302
    assert response["Location"] == reverse("opac-me")
    assert _signed_in_as(client) == world.student_a1.pk
    event = AuditEvent.objects.get(action="signin.success", actor=world.student_a1)
    assert event.details["provider"] == "skolelogin" and event.school == world.school_a
    # The provider's subject is remembered: the next sign-in finds her by it.
    assert ExternalIdentity.objects.get(provider=provider, subject="subject-1").user == (
        world.student_a1
    )
    assert client.get(reverse("opac-me")).status_code == 200


def test_the_authorisation_request_carries_pkce_state_and_nonce(client, world, fake, provider):
    from .helpers import begin

    params = begin(client, provider, fake)
    assert params["response_type"] == "code" and params["client_id"] == "reol-client"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 24 and len(params["nonce"]) >= 24


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired", "bad_token"),
        ("wrong_audience", "bad_token"),
        ("wrong_issuer", "bad_token"),
        ("wrong_signature", "bad_token"),
        ("unsigned", "bad_token"),
        ("other_nonce", "nonce_mismatch"),
        ("unknown_person", "unknown_person"),
        ("person_of_another_school", "unknown_person"),
    ],
)
def test_a_bad_token_is_refused_audited_and_signs_nobody_in(
    client, world, fake, provider, case, reason
):
    now = int(time.time())
    forger = RSAKey.generate_key(2048, parameters={"kid": "key-1"})  # the provider's kid, not key

    def token(nonce: str):
        claims = {
            "expired": lambda: fake.claims(nonce, exp=now - 3600, iat=now - 7200),
            "wrong_audience": lambda: fake.claims(nonce, aud="another-client"),
            "wrong_issuer": lambda: fake.claims(nonce, iss="https://evil.example"),
            "wrong_signature": lambda: fake.sign(fake.claims(nonce), key=forger),
            "unsigned": lambda: _unsigned(fake.claims(nonce)),
            "other_nonce": lambda: fake.claims("not-the-nonce"),
            "unknown_person": lambda: fake.claims(nonce, preferred_username="nobody"),
            "person_of_another_school": lambda: fake.claims(nonce, preferred_username="elev-b1"),
        }[case]
        return claims()

    response = sign_in(client, provider, fake, token)
    assert response.status_code == 403
    assert _signed_in_as(client) is None
    assert "Back to sign-in" in response.content.decode()
    [event] = _refusals(reason)
    assert event.school == world.school_a and event.details["provider"] == "skolelogin"
    assert not AuditEvent.objects.filter(action="signin.success").exists()
    assert not ExternalIdentity.objects.exists()


def _unsigned(claims) -> str:
    import base64
    import json

    def part(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


def test_a_replayed_token_is_refused_by_its_used_nonce(client, world, fake, provider):
    captured = {}

    def keep(nonce):
        captured["token"] = fake.sign(fake.claims(nonce))
        return captured["token"]

    assert sign_in(client, provider, fake, keep).status_code == 302
    client.logout()
    # The same token handed back in a new flow: its nonce is not this flow's …
    assert sign_in(client, provider, fake, lambda _nonce: captured["token"]).status_code == 403
    assert _refusals("nonce_mismatch")
    # … and had it been, the nonce was used already (a unique row says so).
    claims = fake.claims(UsedNonce.objects.get().nonce)
    with pytest.raises(Refusal) as refused:
        services.complete_sign_in(provider, claims)
    assert refused.value.reason == "nonce_replayed"
    assert _signed_in_as(client) is None


def test_a_callback_without_its_state_is_refused(client, world, fake, provider):
    url = reverse("accounts-sso-callback", args=[provider.slug])
    response = client.get(url, {"code": "x", "state": "made-up"})
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert _refusals("state_mismatch")


def test_the_providers_new_key_is_fetched_once_when_it_rotates(client, world, fake, provider):
    assert sign_in(client, provider, fake).status_code == 302
    fetches = fake.jwks_fetches
    client.logout()
    fake.rotate()
    assert sign_in(client, provider, fake).status_code == 302  # signed with the new key
    assert fake.jwks_fetches == fetches + 1
    assert _signed_in_as(client) == world.student_a1.pk
    client.logout()
    # A key id nobody published fetches the set once, not at every try.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "made-up"})
    for _ in range(2):
        forged = sign_in(client, provider, fake, lambda n: fake.sign(fake.claims(n), stranger))
        assert forged.status_code == 403
    assert fake.jwks_fetches == fetches + 2


def test_refusals_slow_down_the_address_like_wrong_passwords(client, world, fake, provider):
    for _ in range(5):
        sign_in(client, provider, fake, lambda n: fake.claims(n, aud="another-client"))
    response = client.get(reverse("accounts-sso-start", args=[provider.slug]))
    assert response.status_code == 403
    assert "Too many failed attempts" in response.content.decode()


def test_just_in_time_creation_only_where_the_provider_allows_it(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a, create_role="student")
    nameless = sign_in(client, provider, fake, lambda n: fake.claims(n, preferred_username="ny"))
    assert nameless.status_code == 403 and _refusals("cannot_create")
    named = {"preferred_username": "ny", "given_name": "Ny", "family_name": "Elev"}
    response = sign_in(client, provider, fake, lambda n: fake.claims(n, **named))
    assert response.status_code == 302
    member = Membership.objects.get(user__username="ny")
    assert (member.school, member.role) == (world.school_a, "student")
    assert not member.user.has_usable_password()


def test_a_municipalitys_provider_never_creates_anyone(world, fake):
    with pytest.raises(ValidationError):
        make_provider(fake.issuer, None, create_role="student", municipality=world.municipality)


def test_matching_on_the_roster_id_and_the_national_id_hash(client, world, fake):
    from reol.accounts.matching import national_id_hash
    from reol.accounts.models import PersonKey
    from reol.core.permissions import SYSTEM
    from reol.patrons.services import create_patron

    for user, school in ((world.student_a2, world.school_a), (world.student_b1, world.school_b)):
        create_patron(SYSTEM, school, category="student", user=user, source_id="roster-17")
    provider = make_provider(
        fake.issuer, world.school_a, match_claim="student_id", match_field="source_id"
    )
    sign_in(client, provider, fake, lambda n: fake.claims(n, student_id="roster-17"))
    assert _signed_in_as(client) == world.student_a2.pk
    client.logout()

    PersonKey.objects.create(user=world.teacher_a, national_id_hash=national_id_hash("0101801234"))
    feide = make_provider(
        fake.issuer,
        world.school_a,
        slug="feide",
        match_claim="https://n.feide.no/claims/userid_sec|nin:",
        match_field="national_id",
    )
    userid_sec = ["feide:laerer@skole.no", "nin:010180-1234"]
    claims = {"sub": "subject-2", "https://n.feide.no/claims/userid_sec": userid_sec}
    sign_in(client, feide, fake, lambda n: fake.claims(n, **claims))
    assert _signed_in_as(client) == world.teacher_a.pk
    assert "0101801234" not in PersonKey.objects.get().national_id_hash


def test_a_provider_switched_off_mid_sign_in_signs_nobody_in(client, world, fake, provider):
    from reol.accounts.models import IdentityProvider

    def switch_off_then_answer(nonce):
        IdentityProvider.objects.filter(pk=provider.pk).update(enabled=False)
        return fake.claims(nonce)

    assert sign_in(client, provider, fake, switch_off_then_answer).status_code == 403
    assert _signed_in_as(client) is None and _refusals("provider_off")
