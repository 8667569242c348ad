# ruff: noqa: F811  (the SAML tests' fixtures, imported)
"""SAML single logout against pysaml2's own IdP (``saml_idp``), HTTP-Redirect, signed both
ways: Reol's sign-out sends the IdP a LogoutRequest it verifies with Reol's published key, and
takes the IdP's signed answer; the IdP's own LogoutRequest ends that person's Reol sessions
(this provider's only) and is answered with a LogoutResponse the IdP verifies. Unsigned,
tampered, replayed and unasked-for messages are refused and audited, ending nothing."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from saml2.samlp import STATUS_SUCCESS

from reol.accounts.models import ProviderSession
from reol.core.models import AuditEvent

from .test_saml import _post, _request, idp, provider  # noqa: F401

pytestmark = pytest.mark.django_db


def _sp(provider) -> str:
    return "http://testserver" + reverse("accounts-saml-metadata", args=[provider.slug])


def _signed_in(idp, provider) -> Client:
    browser = Client()
    response = _post(browser, idp.answer(_request(browser, provider), "laerer-a"))
    assert response.status_code == 302 and "_auth_user_id" in browser.session
    return browser


def _local(url: str) -> str:
    parts = urlparse(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}"


def _refused(reason: str) -> bool:
    events = AuditEvent.objects.filter(action="signin.provider_logout_refused")
    return any(e.details["reason"] == reason for e in events)


def test_reols_sign_out_signs_out_at_the_idp_too(world, idp, provider):
    browser = _signed_in(idp, provider)
    session = ProviderSession.objects.get(user=world.teacher_a)
    assert session.sid  # the assertion's SessionIndex, for the logout
    out = browser.post(reverse("logout"))
    # A page sends the browser on: the CSP's form-action 'self' would stop a redirect.
    onward = out.context["onward"]
    assert out.status_code == 200 and onward.startswith(idp.base + "/slo?")
    assert f'content="0;url={escape(onward)}"' in out.content.decode()
    assert "_auth_user_id" not in browser.session  # signed out here already
    message, back = idp.answer_logout(onward, _sp(provider))  # Reol's signature holds
    assert message.name_id.text == "pid-laerer-a"
    assert [i.text for i in message.session_index] == [session.sid]
    done = browser.get(_local(back))
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert AuditEvent.objects.filter(action="signin.provider_logout").count() == 1
    again = browser.get(_local(back))  # the IdP's answer is taken once
    assert again.status_code == 403 and _refused("state_mismatch")


def test_a_password_sign_out_does_not_go_to_the_idp(world, client, idp, provider):
    client.force_login(world.teacher_a)
    out = client.post(reverse("logout"))
    assert out.status_code == 302 and not out["Location"].startswith(idp.base)


def test_the_idps_logout_ends_that_persons_sessions_and_is_answered(world, idp, provider):
    first, second = _signed_in(idp, provider), _signed_in(idp, provider)
    other = Client()
    other.force_login(world.student_b1)  # another school's person: untouched
    url = idp.logout_request(_sp(provider), "laerer-a")
    answer = first.get(_local(url))
    assert answer.status_code == 302 and answer["Location"].startswith(idp.base + "/slo?")
    assert idp.logout_status(answer["Location"], _sp(provider)) == STATUS_SUCCESS
    for browser in (first, second):
        assert "_auth_user_id" not in browser.session
        assert browser.get(reverse("opac-me")).status_code == 302
    assert other.get(reverse("opac-me")).status_code == 200
    assert not ProviderSession.objects.filter(user=world.teacher_a).exists()
    event = AuditEvent.objects.get(action="signin.provider_logout")
    assert event.details["sessions"] == 2 and event.details["channel"] == "idp"
    assert Client().get(_local(url)).status_code == 403 and _refused("replayed")


def test_an_unsigned_or_tampered_logout_request_ends_nothing(world, idp, provider):
    browser = _signed_in(idp, provider)
    unsigned = idp.logout_request(_sp(provider), "laerer-a", sign=False)
    assert browser.get(_local(unsigned)).status_code == 403 and _refused("unsigned")
    signed = _local(idp.logout_request(_sp(provider), "laerer-a"))
    forged = signed.replace("SigAlg=", "RelayState=relay-2&SigAlg=").replace(
        "RelayState=relay-1&", ""
    )
    assert browser.get(forged).status_code == 403 and _refused("bad_signature")
    assert "_auth_user_id" in browser.session
    assert ProviderSession.objects.filter(user=world.teacher_a).exists()
