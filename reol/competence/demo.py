"""The demo's county network: the demo municipality and a county library, a coordinator
(printed by ``make run``), a published competence survey and a course with three sessions.

Idempotent: nothing is made when the network exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core.demo import DEMO_PASSWORD, Login
from reol.core.models import Municipality, School, User
from reol.core.permissions import SYSTEM

from .models import Network, NetworkLibrary
from .services import courses, mapping, networks, pd, schedule

CODE = "amt-nord"


def _user(username: str, first: str, last: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, first_name=first, last_name=last, email=f"{username}@example.org"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load_demo_network(municipality: Municipality) -> list[Login]:
    logins = [
        Login(_("Network coordinator"), "koordinator", DEMO_PASSWORD),
        Login(_("County library: leader"), "amtsbibliotek-leder", DEMO_PASSWORD),
    ]
    if Network.objects.filter(code=CODE).exists():
        return logins
    with transaction.atomic():
        network = networks.create_network(SYSTEM, code=CODE, name="Amtets biblioteksnetværk")
        coordinator = _user("koordinator", "Kirsten", "Koordinator")
        networks.appoint_coordinator(SYSTEM, network, coordinator)
        networks.add_municipality(SYSTEM, network, municipality)
        county = networks.add_library(
            SYSTEM, network, name="Amtsbiblioteket", kind=NetworkLibrary.Kind.COUNTY
        )
        leader = _user("amtsbibliotek-leder", "Lene", "Leder")
        networks.add_library_staff(SYSTEM, county, leader, is_leader=True, title="Leder")
        survey = mapping.create_survey(SYSTEM, network, title="Kompetencekortlægning 2027")
        mapping.set_survey_status(SYSTEM, survey, "open")
        area = network.areas.get(code="information-literacy")
        course = courses.create_course(
            SYSTEM, network, title="Informationskompetence i praksis", area=area, capacity=12
        )
        first = timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=14), dt.time(9))
        )
        for n, (title, place, link) in enumerate(
            [
                ("Opstart: søgestrategier", "Amtsbiblioteket, mødesal 1", ""),
                ("Kildekritik online", "", "https://meet.example.org/kildekritik"),
                ("Afslutning og erfaringer", "Amtsbiblioteket, mødesal 1", ""),
            ]
        ):
            starts = first + dt.timedelta(weeks=3 * n)
            courses.add_session(
                SYSTEM,
                course,
                title=title,
                starts=starts,
                ends=starts + dt.timedelta(hours=3),
                place=place,
                online_url=link,
            )
        _school_pd(municipality)
    return logins


def _school_pd(municipality: Municipality) -> None:
    """A workshop with named participants and this week's library shifts at the first school."""
    school = School.objects.filter(municipality=municipality).order_by("pk").first()
    if school is None:
        return
    staff = list(
        User.objects.filter(
            memberships__school=school, memberships__role__in=["librarian", "teacher"]
        ).order_by("memberships__role", "username")[:3]
    )
    if not staff:
        return
    today = timezone.localdate()
    pd.record_workshop(
        SYSTEM,
        school,
        title="Læseforståelse på tværs af fag",
        held_on=today - dt.timedelta(days=7),
        committee="Dansk-fagudvalget",
        subject="Dansk",
        hours=Decimal("2.0"),
        participants=staff,
        decisions="Booktalks i 5. klasse før efterårsferien.",
    )
    monday = today - dt.timedelta(days=today.weekday())
    for day in range(5):
        for n, person in enumerate(staff[:2]):
            starts = dt.time(8 + 3 * n)
            schedule.plan_shift(
                SYSTEM,
                school,
                person=person,
                day=monday + dt.timedelta(days=day),
                starts=starts,
                ends=dt.time(starts.hour + 3),
                task="Skranken",
            )
