"""SAML 2.0 against pysaml2's own identity provider: a teacher signs in; a tampered, replayed
or unsolicited answer, and an unknown person, are refused with an audit entry each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.accounts import services
from reol.accounts.models import IdentityProvider
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .saml_idp import SamlIdP, tamper

pytestmark = pytest.mark.django_db
PEOPLE = {"laerer-a": {"given": "Lærer"}, "ukendt": {"given": "Ukendt"}}


@pytest.fixture
def idp(tmp_path):
    with SamlIdP(tmp_path, PEOPLE) as running:
        yield running


@pytest.fixture
def provider(world, idp, client):
    provider = services.save_provider(
        SYSTEM,
        IdentityProvider(),
        school=world.school_a,
        kind="saml",
        name="Distriktet",
        slug="distriktet",
        saml_metadata=idp.metadata(),
        match_claim="uid",
        match_field="username",
        enabled=True,
    )
    metadata = client.get(reverse("accounts-saml-metadata", args=[provider.slug]))
    assert metadata.status_code == 200 and b"AssertionConsumerService" in metadata.content
    idp.trust(metadata.content.decode())
    return provider


def _request(client, provider) -> str:
    response = client.get(reverse("accounts-sso-start", args=[provider.slug]))
    assert response.status_code == 302
    return response["Location"]


def _post(client, answer: dict[str, str]):
    acs = answer["acs"].replace("http://testserver", "")
    return client.post(acs, {"SAMLResponse": answer["SAMLResponse"]})


def _refusal() -> str:
    return AuditEvent.objects.get(action="signin.provider_refused").details["reason"]


def test_a_teacher_signs_in_through_the_districts_idp(client, world, idp, provider):
    assert provider.issuer == idp.base + "/metadata"
    response = _post(client, idp.answer(_request(client, provider), "laerer-a"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == world.teacher_a.pk
    event = AuditEvent.objects.get(action="signin.success", actor=world.teacher_a)
    assert event.details["provider"] == "distriktet"


def test_a_tampered_answer_is_refused(client, world, idp, provider):
    answer = idp.answer(_request(client, provider), "laerer-a")
    answer["SAMLResponse"] = tamper(answer["SAMLResponse"], "laerer-a", "admin-a")
    assert _post(client, answer).status_code == 403
    assert "_auth_user_id" not in client.session and _refusal() == "bad_token"


def test_an_answer_is_used_once(client, world, idp, provider):
    answer = idp.answer(_request(client, provider), "laerer-a")
    assert _post(client, answer).status_code == 302
    client.logout()
    assert _post(client, answer).status_code == 403
    assert "_auth_user_id" not in client.session and _refusal() == "bad_token"


def test_an_answer_nobody_asked_for_is_refused(client, world, idp, provider):
    answer = idp.answer(_request(client, provider), "laerer-a")
    from reol.accounts.models import SamlRequest

    SamlRequest.objects.all().delete()  # as if another installation had asked
    assert _post(client, answer).status_code == 403 and _refusal() == "bad_token"


def test_an_unknown_person_is_refused(client, world, idp, provider):
    response = _post(client, idp.answer(_request(client, provider), "ukendt"))
    assert response.status_code == 403 and "not known to the library" in response.content.decode()
    assert _refusal() == "unknown_person"
