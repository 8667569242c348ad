"""A librarian of school A asking the patrons API for school B's card (the issue 12 chain's
first request) gets the same 404 as for an unknown card, and the attempt is in the audit log
of both schools (ASVS 7.2.2); an unknown card is not logged."""

from __future__ import annotations

import pytest

from reol.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_another_schools_card_through_the_api_is_audited(client, patrons, token_for):
    w = patrons.world
    headers = token_for(w.librarian_a)
    assert client.get("/api/v1/patrons/NO-SUCH-CARD", **headers).status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()
    assert client.get("/api/v1/patrons/B0001", **headers).status_code == 404
    patched = client.patch(
        "/api/v1/patrons/B0001",
        {"email": "evil@example.org"},
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == 404
    events = AuditEvent.objects.filter(action="access.denied", actor=w.librarian_a)
    assert {(e.details["method"], e.school_id) for e in events} == {
        ("GET", w.school_a.pk),
        ("GET", w.school_b.pk),
        ("PATCH", w.school_a.pk),
        ("PATCH", w.school_b.pk),
    }
    assert {e.via for e in events} == {"api"}
    assert {e.details["target_school"] for e in events} == {"syd"}
    assert {e.object_id for e in events} == {str(patrons.b1.pk)}
