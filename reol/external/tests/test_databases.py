"""Information and news databases: kept by the librarian, shown to students and teachers by
grade band and subject with the licence's access in plain words; one school's list is not
another's, except what the municipality subscribes to for all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.tests.helpers import signed_in
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.external import databases, licences
from reol.external.models import InfoDatabase

pytestmark = pytest.mark.django_db
PAGE = "/external/databases/"


@pytest.fixture
def listed(world):  # type: ignore[no-untyped-def]
    record = catalog.create_record(SYSTEM, world.municipality, catalog.new_marc(title="Faktalink"))
    today = timezone.localdate()
    licence = licences.save_licence(
        world.librarian_a, record, world.school_a, provider="Faktalink A/S",
        url="https://faktalink.example/", starts=today - dt.timedelta(days=1),
        ends=today + dt.timedelta(days=200), audience="signed_in", seats=30,
        cost=Decimal("1200.00"), show_in_class=True, excerpts=True,
    )  # fmt: skip
    save = databases.save_database
    facts = save(
        world.librarian_a, world.school_a, name="Faktalink", url="https://faktalink.example/",
        description="Artikler om samfund og historie", access="Log ind med UNI-Login",
        licence=licence, grade_from=4, grade_to=10, subjects="Historie,  Samfundsfag ,",
    )  # fmt: skip
    everyone = save(
        world.librarian_a, world.school_a, name="Den Store Danske", url="https://lex.example/",
        grade_from=0, grade_to=10, subjects="Dansk", whole_municipality=True,
    )  # fmt: skip
    staff = save(
        world.librarian_a, world.school_a, name="Infomedia", url="https://infomedia.example/",
        grade_from=7, grade_to=10, subjects="Samfundsfag", students_see=False,
    )  # fmt: skip
    return facts, everyone, staff


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return [d.name for d in response.context["databases"]]


def test_students_see_theirs_by_band_and_subject(world, listed):  # type: ignore[no-untyped-def]
    facts, _everyone, _staff = listed
    assert facts.subjects == "Historie, Samfundsfag"
    student = signed_in(world.student_a1)
    assert _names(student.get(PAGE)) == ["Den Store Danske", "Faktalink"]
    assert _names(student.get(PAGE, {"band": "0-3"})) == ["Den Store Danske"]
    assert _names(student.get(PAGE, {"band": "7-10", "subject": "historie"})) == ["Faktalink"]
    page = student.get(PAGE, {"subject": "Historie"}).content.decode()
    assert f"/external/licences/{facts.licence_id}/open/" in page  # through the licence
    assert "Log ind med UNI-Login" in page and "30 at a time" in page
    assert "You may make excerpts." not in page  # the teacher's words are for teachers

    teacher = signed_in(world.teacher_a).get(PAGE, {"band": "7-10"})
    assert _names(teacher) == ["Den Store Danske", "Faktalink", "Infomedia"]
    assert "You may make excerpts." in teacher.content.decode()


def test_another_school_sees_only_the_municipalitys_and_cannot_edit(world, listed):  # type: ignore[no-untyped-def]
    facts, everyone, _staff = listed
    assert _names(signed_in(world.student_b1).get(PAGE)) == ["Den Store Danske"]
    with pytest.raises(ValidationError):
        databases.save_database(world.librarian_b, world.school_b, facts, name="Mine nu")
    with pytest.raises(ValidationError):
        databases.remove_database(world.librarian_b, world.school_b, facts)
    with pytest.raises(PermissionDenied):
        databases.save_database(world.librarian_b, world.school_a, facts, name="Mine nu")
    with pytest.raises(ValidationError, match="another school"):  # a licence of Nordskolen
        databases.save_database(
            world.librarian_b, world.school_b, name="X", url="https://x.example/",
            licence=facts.licence,
        )  # fmt: skip
    other = signed_in(world.librarian_b)
    assert other.post(f"/staff/external/databases/{facts.pk}/remove/").status_code == 404
    facts.refresh_from_db()
    assert facts.name == "Faktalink"

    mine = signed_in(world.librarian_a)
    assert mine.post(f"/staff/external/databases/{everyone.pk}/remove/").status_code == 302
    assert not InfoDatabase.objects.filter(pk=everyone.pk).exists()
    assert AuditEvent.objects.filter(action="external.database_remove").count() == 1


def test_the_librarian_adds_one_on_the_page(world):  # type: ignore[no-untyped-def]
    page = signed_in(world.librarian_a)
    answer = page.post(
        "/staff/external/databases/",
        {"name": "Skoletube", "url": "https://skoletube.example/", "grade_from": 5,
         "grade_to": 3, "students_see": "on"},
    )  # fmt: skip
    assert not InfoDatabase.objects.exists()  # grades the wrong way round
    assert answer.status_code == 200
    page.post(
        "/staff/external/databases/",
        {"name": "Skoletube", "url": "https://skoletube.example/", "grade_from": 3,
         "grade_to": 9, "subjects": "Dansk", "students_see": "on"},
    )  # fmt: skip
    (saved,) = InfoDatabase.objects.all()
    assert (saved.school, saved.grade_from, saved.grade_to) == (world.school_a, 3, 9)
    assert "Skoletube" in page.get("/staff/external/databases/").content.decode()
