"""The demo's county network: the demo municipality and a county library, a coordinator
(printed by ``make run``), a published competence survey and a course with three sessions.

Idempotent: nothing is made when the network exists.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from reol.core.demo import DEMO_PASSWORD, Login
from reol.core.models import Municipality, User
from reol.core.permissions import SYSTEM

from .models import Network, NetworkLibrary
from .services import courses, mapping, networks

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
        Login("Network coordinator", "koordinator", DEMO_PASSWORD),
        Login("County library: leader", "amtsbibliotek-leder", DEMO_PASSWORD),
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
    return logins
