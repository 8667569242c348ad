"""Issue 12, chain 1 replayed through the pages in Chromium: a librarian of Nordskolen tries
to take over Berit, who teaches at Nordskolen and is administrator at Sydskolen."""

from __future__ import annotations

import pytest
from django.core import mail

from conftest import PASSWORD
from reol.core import services as core_services
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import services as patron_services
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MALLORY = "mallory@evil.example"


def test_chain_1_through_the_pages_is_refused_and_audited(world, page):
    berit = core_services.create_person(
        SYSTEM,
        world.school_b,
        username="admin-b",
        role="administrator",
        password=PASSWORD,
        first_name="Berit",
        last_name="Boss",
        email="berit@syd.example",
        card_barcode="T0042",
    )
    core_services.grant_role(SYSTEM, berit, world.school_a, "teacher")
    patron = patron_services.create_patron(SYSTEM, world.school_a, category="teacher", user=berit)

    # 1. The librarian's patron page offers no e-mail field, and the API the page's session
    #    may call refuses the address.
    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/patrons/{patron.pk}/edit/")
    assert page.get_by_label("Card barcode").is_visible()
    assert page.locator("input[name=email]").count() == 0
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.patch(
        "/api/v1/patrons/T0042?school=nord",
        data={"email": MALLORY},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert refused.status == 403
    page.goto("/accounts/logout/")
    page.locator("#main").get_by_role("button", name="Sign out").click()

    # 2. A reset to the attacker's address sends nothing (the page says the same as always).
    page.goto("/accounts/password-reset/")
    page.get_by_label("Email").fill(MALLORY)
    page.get_by_role("button").last.click()
    page.wait_for_load_state()
    assert not [m for m in mail.outbox if MALLORY in m.to]

    # 3. Berit signs in with her own password and sees the attempt in Sydskolen's audit log.
    sign_in(page, "admin-b", PASSWORD)
    page.goto("/staff/")
    switcher = page.locator("select[name=school]")
    if switcher.count():
        switcher.select_option(str(world.school_b.pk))
        page.locator("form:has(select[name=school]) button").click()
        page.wait_for_load_state()
    page.goto("/staff/audit/?action=person.identity")
    row = page.get_by_role("row", name="bib-a")
    assert row.count() >= 1
    assert "Change of e-mail, username or password refused" in row.first.inner_text()
    berit.refresh_from_db()
    assert berit.email == "berit@syd.example"
    assert AuditEvent.objects.filter(
        action="person.identity_refused", school=world.school_b, actor=world.librarian_a
    ).exists()
