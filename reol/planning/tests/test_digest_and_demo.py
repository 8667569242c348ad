"""The weekly digest (once per school and week, in each person's language) and the demo."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from reol.planning import digest, services
from reol.planning.models import DigestSent
from reol.planning.tests.conftest import YEAR
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db

WEEK_41 = dt.date(2027, 10, 11)


@pytest.fixture
def staff(plans):  # type: ignore[no-untyped-def]
    w = plans.world
    for person, language in ((w.librarian_a, "da"), (w.admin_a, "en")):
        person.email = f"{person.username}@nord.example"
        person.preferred_language = language
        person.save()
    return plans


def test_the_digest_lists_heavy_use_and_bookings_once_per_week(staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plans = staff
    entry = vikings(plans, actor=plans.world.librarian_a, heavy_use=True)
    services.book_room(
        plans.world.teacher_a,
        entry,
        plans.workshop,
        day=dt.date(2027, 10, 12),
        start_time=dt.time(12, 30),
        end_time=dt.time(15, 0),
    )
    out = StringIO()
    call_command("send-digest", "--week", "2027-10-11", stdout=out)
    assert "nord: week of 2027-10-11 sent to 2" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin-a@nord.example", "bib-a@nord.example"]
    danish = next(m for m in mail.outbox if m.to == ["bib-a@nord.example"])
    english = next(m for m in mail.outbox if m.to == ["admin-a@nord.example"])
    assert "5.B: Vikingerne" in danish.body and "12:30–15:00" in danish.body
    assert "Medieværkstedet" in danish.body
    # Each in their own language: Danish and English weekday names.
    assert "tir 12. okt. 12:30" in danish.body and "Tue 12 Oct 12:30" in english.body
    # The teacher is not learning-centre staff and gets no digest.
    assert plans.world.teacher_a.email not in [m.to[0] for m in mail.outbox]
    call_command("send-digest", "--week", "2027-10-11", stdout=out)
    assert len(mail.outbox) == 2 and "sent already" in out.getvalue()
    assert DigestSent.objects.get(school=plans.school).week == WEEK_41


def test_the_digest_defaults_to_next_week_and_any_weekday_means_its_week(staff):
    assert digest.coming_monday(dt.date(2027, 10, 8)) == WEEK_41  # Friday
    assert digest.coming_monday(dt.date(2027, 10, 4)) == WEEK_41  # Monday: the next one
    result = digest.send_digest(staff.school, dt.date(2027, 10, 13))
    assert result.week == WEEK_41 and result.sent == 2
    assert "none" in mail.outbox[0].body or "ingen" in mail.outbox[0].body


def test_the_demo_plans_every_class_with_a_clash_and_runs_again_harmlessly(plans):
    from reol.planning import demo, selectors
    from reol.planning.models import PlanEntry

    today = dt.date(2027, 9, 1)  # a Wednesday of 2027/28
    made = demo.load_demo_plans(plans.world.municipality, today)
    assert made >= 6
    assert demo.load_demo_plans(plans.world.municipality, today) == 0
    vikings = PlanEntry.objects.filter(school=plans.school, title="Vikingerne")
    assert {e.group.name for e in vikings} == {"5.A", "5.B", "7.A"}
    assert {e.group.name for e in vikings if e.heavy_use} == {"5.A", "5.B"}
    # They start the week after next and run three weeks.
    assert {(e.starts, e.ends) for e in vikings} == {(dt.date(2027, 9, 13), dt.date(2027, 10, 1))}
    cal = selectors.coordination(plans.school, today, dt.date(2027, 10, 31), school_year=YEAR)
    assert any(c.kind == "material" for r in cal.rows for c in r.clashes)
    # The school without classes in the year gets nothing, and no error.
    assert (
        not PlanEntry.objects.filter(school=plans.world.school_b)
        .exclude(group=plans.group_b_other_school)
        .exists()
    )
