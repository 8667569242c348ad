"""Reconsideration: a parent-facing request (here a teacher's) with what was read; the review
follows the school's policy on availability; the decision needs reasons; each step audited;
another school's librarian cannot touch it, and its pages keep to their school."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from reol.acquisitions.actions import reconsideration, selection
from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.models import Reconsideration
from reol.catalog import services as catalog
from reol.catalog.tests.helpers import book, signed_in
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def test_request_review_decide(world):
    record = catalog.create_record(SYSTEM, world.municipality, book("Omstridt", control="o1"))
    selection.save_policy(world.librarian_a, world.school_a, text="Kriterier", tags=[])
    from reol.acquisitions.models import SelectionPolicy

    SelectionPolicy.objects.filter(school=world.school_a).update(keep_available_during_review=False)
    asked = reconsideration.request(
        world.teacher_a,
        world.school_a,
        record,
        reason="For voldsom",
        read_whole=True,
        what_read="Hele bogen",
    )
    assert asked.available_during_review is False
    with pytest.raises(AcquisitionError):
        reconsideration.decide(world.librarian_a, asked, "retain", reasons="x")  # not reviewed
    with pytest.raises(PermissionDenied):
        reconsideration.review(world.librarian_b, asked, committee="B")
    reconsideration.review(world.librarian_a, asked, committee="Bibliotekar, lærer, leder")
    with pytest.raises(AcquisitionError):
        reconsideration.decide(world.librarian_a, asked, "retain", reasons=" ")
    reconsideration.decide(world.librarian_a, asked, "move", reasons="Bedre til 8.-9. klasse")
    asked.refresh_from_db()
    assert (asked.state, asked.decision) == ("decided", "move")
    codes = set(
        AuditEvent.objects.filter(
            object_id=str(asked.pk), action__startswith="reconsideration"
        ).values_list("action", flat=True)
    )
    assert codes == {"reconsideration.request", "reconsideration.review", "reconsideration.decide"}
    assert (
        signed_in(world.librarian_b)
        .get("/staff/acquisitions/reconsideration/")
        .content.decode()
        .count("Omstridt")
        == 0
    )
    page = signed_in(world.librarian_a).get("/staff/acquisitions/reconsideration/").content.decode()
    assert "Omstridt" in page and "Bedre til 8.-9. klasse" in page
    mine = signed_in(world.teacher_a).get(f"/library/reconsider/{record.pk}/").content.decode()
    assert "Bedre til 8.-9. klasse" in mine


def test_the_request_form_records_it(world):
    record = catalog.create_record(SYSTEM, world.municipality, book("Omstridt", control="o2"))
    client = signed_in(world.student_a1)
    client.post(
        f"/library/reconsider/{record.pk}/", {"reason": "Uhyggelig", "what_read": "s. 1-20"}
    )
    assert Reconsideration.objects.get().reason == "Uhyggelig"
