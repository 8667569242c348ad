"""Licensed films and e-resources: who may open them, only while the licence runs; the OPAC
shows the link only then; use is counted per month; the librarian is warned a month ahead,
once, and the dashboard counts what ends soon."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.tests.helpers import signed_in
from reol.core import calendar
from reol.core.models import AuditEvent
from reol.core.navigation import figures
from reol.core.permissions import SYSTEM
from reol.external import licences
from reol.external.models import Licence, LicenceUse
from reol.patrons import services as patrons

pytestmark = pytest.mark.django_db


@pytest.fixture
def film(world):  # type: ignore[no-untyped-def]
    return catalog.create_record(
        SYSTEM, world.municipality, catalog.new_marc(title="Vulkanernes hemmeligheder")
    )


def _licence(world, film, **values) -> Licence:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    values.setdefault("provider", "Filmcentralen")
    values.setdefault("url", "https://film.example/vulkaner")
    values.setdefault("starts", today - dt.timedelta(days=30))
    values.setdefault("ends", today + dt.timedelta(days=100))
    values.setdefault("audience", "signed_in")
    values.setdefault("cost", Decimal("450.00"))
    return licences.save_licence(world.librarian_a, film, world.school_a, **values)


def test_signed_in_people_of_the_school_only_while_it_runs(world, film):
    licence = _licence(world, film)
    today = timezone.localdate()
    assert licences.usable(licence, world.student_a1, None)
    assert not licences.usable(licence, world.student_b1, None)  # another school
    assert not licences.usable(licence, None, None)  # nobody signed in
    assert not licences.usable(licence, world.student_a1, None, today + dt.timedelta(days=101))
    assert not licences.usable(licence, world.student_a1, None, today - dt.timedelta(days=31))


def test_one_class_only(world, film):
    year = calendar.current_school_year(world.school_a)
    group = patrons.create_group(SYSTEM, world.school_a, name="7.b", school_year=year)
    patron = patrons.create_patron(
        SYSTEM, world.school_a, category="student", user=world.student_a1
    )
    patrons.add_member(SYSTEM, group, patron)
    licence = _licence(world, film, audience="group", group=group)
    assert licences.usable(licence, world.student_a1, None)
    assert not licences.usable(licence, world.student_a2, None)


def test_the_school_network_only(world, film):
    licence = _licence(world, film, audience="network", networks="10.20.0.0/16 2001:db8::/32")
    assert licences.usable(licence, None, "10.20.3.4")
    assert licences.usable(licence, None, "2001:db8::1")
    assert not licences.usable(licence, world.student_a1, "192.0.2.1")
    with pytest.raises(ValidationError):
        _licence(world, film, audience="network", networks="skolen")
    with pytest.raises(ValidationError):
        _licence(world, film, audience="group")  # no class named


def test_the_period_and_cost_are_checked(world, film):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        _licence(world, film, starts=today, ends=today - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        licences.save_licence(world.librarian_b, film, world.school_a, provider="X")


def test_opening_counts_per_month_and_refuses_others(world, film):
    licence = _licence(world, film)
    assert licences.open_licence(licence, world.student_a1, None) == licence.url
    licences.open_licence(licence, world.student_a2, None)
    with pytest.raises(PermissionDenied):
        licences.open_licence(licence, world.student_b1, None)
    (use,) = LicenceUse.objects.all()
    assert use.count == 2 and use.month == timezone.localdate().replace(day=1)
    # Through the page: a redirect to the provider, or 403.
    answer = signed_in(world.student_a1).get(f"/external/licences/{licence.pk}/open/")
    assert answer.status_code == 302 and answer["Location"] == licence.url
    assert Client().get(f"/external/licences/{licence.pk}/open/").status_code == 403


def test_the_opac_shows_the_link_only_to_those_allowed_while_valid(world, film):
    licence = _licence(world, film)
    page = f"/opac/records/{film.pk}/"
    open_url = f"/external/licences/{licence.pk}/open/"
    assert open_url in signed_in(world.student_a1).get(page).content.decode()
    assert open_url not in signed_in(world.student_b1).get(page).content.decode()
    Licence.objects.filter(pk=licence.pk).update(ends=timezone.localdate() - dt.timedelta(days=1))
    assert open_url not in signed_in(world.student_a1).get(page).content.decode()


def test_the_librarian_is_warned_a_month_ahead_once(
    world, film, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    world.school_a.email = "bibliotek@nord.example"
    world.school_a.save()
    soon = _licence(world, film, ends=today + dt.timedelta(days=20))
    _licence(world, film, ends=today + dt.timedelta(days=60))  # later: not yet
    figure = next(f for f in figures() if f.key == "external.licences_ending")
    assert figure.count(world.school_a) == 1
    assert figure.count(world.school_b) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert licences.warn_expiring() == 1
        assert licences.warn_expiring() == 0  # once per end date
    (warning,) = mail.outbox
    assert warning.to == ["bibliotek@nord.example"]
    assert "Vulkanernes hemmeligheder" in warning.subject
    assert (
        AuditEvent.objects.filter(action="licence.expiry_warned", school=world.school_a).count()
        == 1
    )
    soon.refresh_from_db()
    assert soon.warned_on == today


def test_the_warning_job_runs_on_the_task_queue(world, film, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    _licence(world, film, ends=timezone.localdate() + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("warn-licences")
    assert Licence.objects.get().warned_on == timezone.localdate()


def test_licences_page_lists_only_the_schools_own(world, film):
    _licence(world, film)
    mine = signed_in(world.librarian_a).get("/staff/external/licences/")
    assert "Filmcentralen" in mine.content.decode()
    theirs = signed_in(world.librarian_b).get("/staff/external/licences/")
    assert theirs.status_code == 200 and "Filmcentralen" not in theirs.content.decode()


def test_concurrent_seats_are_enforced_and_free_again_later(world, film):
    from reol.external.models import LicenceSeat

    licence = _licence(world, film, seats=2)
    one, two, three = (licences.seat_holder(key) for key in ("s1", "s2", "s3"))
    licences.open_licence(licence, world.student_a1, None, one)
    licences.open_licence(licence, world.student_a2, None, two)
    with pytest.raises(licences.SeatsTaken, match="All 2 seats of the licence are in use"):
        licences.open_licence(licence, world.teacher_a, None, three)
    licences.open_licence(licence, world.student_a1, None, one)  # the same session keeps its seat
    assert licences.seats_in_use(licence) == 2
    assert LicenceUse.objects.get().count == 3  # the refused opening is not a use
    assert "student" not in " ".join(LicenceSeat.objects.values_list("holder", flat=True))

    LicenceSeat.objects.filter(holder=two).update(until=timezone.now() - dt.timedelta(seconds=1))
    licences.open_licence(licence, world.teacher_a, None, three)  # a seat freed in time
    assert licences.seats_in_use(licence) == 2
    unlimited = _licence(world, film, seats=None)
    for key in ("a", "b", "c"):
        licences.open_licence(unlimited, world.student_a1, None, licences.seat_holder(key))
    assert licences.seats_in_use(unlimited) == 0


def test_a_full_licence_says_so_on_the_page(world, film):
    licence = _licence(world, film, seats=1)
    url = f"/external/licences/{licence.pk}/open/"
    first = signed_in(world.student_a1)
    assert first.get(url).status_code == 302
    assert first.get(url).status_code == 302  # still the same browser, the same seat
    full = signed_in(world.student_a2).get(url)
    assert full.status_code == 409
    assert "it is in use now" in full.content.decode()
