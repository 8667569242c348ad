"""In Chromium: a teacher signs in through a district's SAML identity provider (pysaml2's own
IdP, with its key and certificate) and lands on the staff dashboard without a Reol password."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from reol.accounts import services
from reol.accounts.models import IdentityProvider
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .saml_idp import IDP_PASSWORD, SamlIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_signs_in_through_saml(world, page, live_server, tmp_path):
    with SamlIdP(tmp_path, {"laerer-a": {"given": "Lærer"}}) as idp:
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
        url = f"{live_server.url}/accounts/saml/{provider.slug}/metadata/"
        idp.trust(requests.get(url, timeout=10).text)

        page.goto("/accounts/login/")
        page.get_by_role("link", name="Distriktet").click()
        page.get_by_label("District username").fill("laerer-a")
        page.get_by_label("District password").fill(IDP_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/staff/**")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert AuditEvent.objects.filter(
        action="signin.success", actor=world.teacher_a, details__provider="distriktet"
    ).exists()
