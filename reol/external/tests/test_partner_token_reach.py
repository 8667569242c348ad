"""A partner library of the whole municipality, and its token.

The attack: school A asks the county library (a partner of every school of the municipality,
over ISO 18626) for a book. School B's librarian opens *Catalogues* and presses *New token*
for that partner: the partner's own token stopped working (A's messages were refused), and B's
librarian held one that speaks *as the partner* to every school: she marked A's request
"Unfilled" (or lent, with a due date of her choosing) and filed requests at A. Now that token
is issued only by someone who manages interlibrary loans at every school of the municipality
(or the installation); a school's own partner stays its librarians'.
"""

from __future__ import annotations

import re

import pytest

from reol.core.permissions import SYSTEM
from reol.external import exchange, ill
from reol.external.models import ExternalTarget
from reol.external.services import save_target

from .conftest import VOLCANO_ISBN

pytestmark = pytest.mark.django_db
OLD_TOKEN = "the-county-librarys-own-token"
ENDPOINT = "/external/iso18626/"
UNFILLED = """<?xml version="1.0" encoding="UTF-8"?>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626" ill5:version="1.2"
  xmlns:ill5="http://illtransactions.org/2013/iso18626">
<supplyingAgencyMessage><header>
<supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>DK-751000</agencyIdValue></supplyingAgencyId>
<requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>nord</agencyIdValue></requestingAgencyId>
<timestamp>2026-12-07T10:00:00Z</timestamp>
<requestingAgencyRequestId>nord-{pk}</requestingAgencyRequestId>
</header>
<messageInfo><reasonForMessage>StatusChange</reasonForMessage></messageInfo>
<statusInfo><status>Unfilled</status><lastChange>2026-12-07T10:00:00Z</lastChange></statusInfo>
</supplyingAgencyMessage></ISO18626Message>"""


@pytest.fixture
def county(world):  # type: ignore[no-untyped-def]
    """The county library, a partner of every school of the municipality; A asked it."""
    target = save_target(
        SYSTEM, world.school_a, whole_municipality=True, name="Amtsbiblioteket",
        kind="public", base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-751000",
    )  # fmt: skip
    assert target.school_id is None
    target.partner_token_hash = exchange.digest(OLD_TOKEN)
    target.save()
    asked = ill.request_loan(
        world.teacher_a, world.school_a, target=target, title="Vulkaner i Island",
        author="Lava, Lise", isbn=VOLCANO_ISBN, year=2021, note="",
    )  # fmt: skip
    asked = ill.approve(world.librarian_a, asked)
    ill.mark_sent(world.librarian_a, asked)
    return target, asked


def test_another_school_cannot_take_the_municipal_partners_token(client, world, county):
    target, asked = county
    asked.refresh_from_db()
    before = asked.state
    client.force_login(world.librarian_b)
    answer = client.post(f"/staff/external/catalogues/{target.pk}/token/", follow=True)
    text = answer.content.decode()
    issued = re.search(r'<code id="partner-token">([^<]+)</code>', text)
    target.refresh_from_db()
    assert target.partner_token_hash == exchange.digest(OLD_TOKEN)  # the partner's still works
    assert issued is None and "every school of the municipality" in text
    # What B's librarian would do with it: speak as the partner about A's request.
    client.logout()
    client.post(
        ENDPOINT, data=UNFILLED.format(pk=asked.pk).encode(), content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {issued[1] if issued else ''}",
    )  # fmt: skip
    asked.refresh_from_db()
    assert asked.state == before


def test_a_schools_own_partner_and_the_installation_still_get_a_token(client, world, county):
    target, _asked = county
    own = save_target(
        SYSTEM, world.school_b, name="Nabobiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-999",
    )  # fmt: skip
    client.force_login(world.librarian_b)
    page = client.post(f"/staff/external/catalogues/{own.pk}/token/")
    assert page.status_code == 200
    own.refresh_from_db()
    assert own.partner_token_hash and own.partner_token_hash != ""
    token = exchange.issue_partner_token(SYSTEM, world.school_a, target)
    assert ExternalTarget.objects.get(pk=target.pk).partner_token_hash == exchange.digest(token)
