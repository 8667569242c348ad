"""A teacher asks the library to buy materials for a topic of the class's annual plan: the
request is a suggestion that carries the topic, shown on the topic page and on the library's
suggestion list; a teacher of another class, or of another school, cannot ask for this one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from reol.acquisitions.actions import suggestions
from reol.acquisitions.models import Suggestion
from reol.catalog.tests.helpers import signed_in
from reol.core import services as core
from reol.core.permissions import SYSTEM
from reol.planning import services
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db


def test_a_teacher_requests_materials_from_the_topic_page(plans):
    entry = vikings(plans)
    teacher = plans.world.teacher_a
    client = signed_in(teacher)
    here = f"/staff/planning/topics/{entry.pk}/"

    answer = client.post(
        f"{here}request/",
        {"request-title": "Vikingernes skibe", "request-author": "Ole Olsen", "request-why": "5.B"},
    )

    assert answer.status_code == 302 and answer["Location"] == f"{here}#requests"
    asked = Suggestion.objects.get()
    assert (asked.plan_entry_id, asked.topic, asked.suggester, asked.school) == (
        entry.pk,
        "Vikingerne (5.B)",
        teacher,
        plans.school,
    )
    page = client.get(here).content.decode()
    assert "Vikingernes skibe" in page and "received" in page
    # the library sees what it is for, with a link to the topic
    library = signed_in(plans.world.librarian_a).get("/staff/acquisitions/suggestions/")
    text = library.content.decode()
    assert "Vikingerne (5.B)" in text and here in text
    # and the state the library gives it shows on the plan
    suggestions.decline(plans.world.librarian_a, asked, "Findes allerede som e-bog")
    assert "Findes allerede som e-bog" in client.get(here).content.decode()


def test_only_the_classs_teachers_and_the_centre_staff_may_ask(plans):
    entry = vikings(plans)
    with pytest.raises(PermissionDenied):
        services.request_materials(plans.teacher_5a, entry, title="Ikke min klasse")
    answer = signed_in(plans.teacher_5a).post(
        f"/staff/planning/topics/{entry.pk}/request/", {"request-title": "Ikke min klasse"}
    )
    assert answer.status_code == 403
    services.request_materials(plans.world.librarian_a, entry, title="Til 5.B")
    assert list(Suggestion.objects.values_list("title", flat=True)) == ["Til 5.B"]


def test_a_teacher_of_another_school_cannot_reach_the_topic(plans):
    entry = vikings(plans)
    other = core.create_person(
        SYSTEM,
        plans.world.school_b,
        username="laerer-b",
        first_name="Bo",
        role="teacher",
        password="Correct-Horse-42",
    )
    answer = signed_in(other).post(
        f"/staff/planning/topics/{entry.pk}/request/", {"request-title": "Fra Sydskolen"}
    )
    assert answer.status_code == 404
    assert not Suggestion.objects.exists()
    # nor does school B's librarian see school A's requests among its suggestions
    services.request_materials(plans.world.teacher_a, entry, title="Kun Nordskolen")
    page = signed_in(plans.world.librarian_b).get("/staff/acquisitions/suggestions/")
    assert "Kun Nordskolen" not in page.content.decode()
