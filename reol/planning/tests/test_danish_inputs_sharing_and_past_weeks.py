"""Fixes from the new-user trial: ISO values in date inputs whatever the language, the share
list names teachers only, a project in weeks already over gets a warning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import GroupMember, Patron
from reol.planning import forms
from reol.planning.models import PlanEntry
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 5)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (lambda: forms.EntryForm(initial={"starts": DAY}), "starts"),
        (lambda: forms.EntryForm(initial={"ends": DAY}), "ends"),
        (lambda: forms.RoomForm(initial={"day": DAY}), "day"),
        (lambda: forms.CollaborationForm(initial={"starts": DAY}), "starts"),
        (lambda: forms.CollaborationForm(initial={"ends": DAY}), "ends"),
    ],
)
def test_date_inputs_hold_iso_dates_in_danish(form, field):
    with translation.override("da"):
        html = str(form()[field])
    assert 'type="date"' in html and 'value="2026-10-05"' in html


def test_time_inputs_hold_hours_and_minutes_in_danish():
    with translation.override("da"):
        html = str(forms.RoomForm(initial={"start_time": dt.time(9, 30)})["start_time"])
    assert 'value="09:30"' in html


def test_the_collaboration_page_in_danish_keeps_its_dates(plans):
    client = Client()
    client.force_login(plans.world.librarian_a)
    r = client.post(
        "/staff/planning/collaborations/",
        {
            "kind": "course",
            "title": "Kildekritik",
            "starts": "2027-10-05",
            "ends": "2027-10-08",
            "group": plans.class_a.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert 'lang="da"' in page and 'value="2027-10-05"' in page and 'value="2027-10-08"' in page


def test_the_share_list_names_teachers_only(plans):
    entry = vikings(plans)
    client = Client()
    client.force_login(plans.world.teacher_a)
    url = f"/staff/planning/topics/{entry.pk}/"
    client.post(url, {"action": "add", "record": plans.novel.pk, "quantity": "2"})
    page = client.get(url).content.decode()
    share = page.split('name="teacher"', 1)[1].split("</select>", 1)[0]
    assert "Ida Lærer" in share and "Laerer-A Test" in share
    assert "Bib-A" not in share and "Admin-A" not in share


def test_a_project_in_weeks_already_over_gets_a_warning(plans):
    past = patrons.create_group(SYSTEM, plans.school, name="5.C", school_year="2025/26", grade=5)
    teacher = Patron.objects.get(user=plans.world.teacher_a, school=plans.school)
    patrons.add_member(SYSTEM, past, teacher, role=GroupMember.Role.TEACHER)
    client = Client()
    client.force_login(plans.world.teacher_a)
    url = f"/staff/planning/plans/{past.pk}/"
    r = client.post(url, {"kind": "project", "title": "Vikingerne", "weeks": "41-43"}, follow=True)
    assert PlanEntry.objects.filter(group=past).exists()
    assert "Weeks 41–43 of 2025/26 are already over." in r.content.decode()
    r = client.post(
        f"/staff/planning/plans/{plans.class_b.pk}/",
        {"kind": "project", "title": "Vikingerne", "weeks": "41-43"},
        follow=True,
    )
    assert "already over" not in r.content.decode()


def test_the_public_catalogue_message_reads_in_the_catalogue():
    from pathlib import Path

    app = Path(__file__).parents[1]
    views = "".join(p.read_text(encoding="utf-8") for p in sorted(app.glob("views*.py")))
    assert "The list is in the public catalogue." in views
    assert "on the public catalogue" not in views
