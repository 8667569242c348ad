"""The demo's external collections (idempotent): each demo school searches the municipality's
own SRU server as if it were the public library (``make run``'s address), and has one licensed
film whose licence ends within a month, so the dashboard's warning shows; the schools borrow
from each other (a sibling-school target each), and the municipality lists two databases."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.models import Record
from reol.core.demo import demo_url
from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM

from . import databases, licences, services
from .models import ExternalTarget, InfoDatabase, Licence

FILM = "Vulkanernes hemmeligheder"


def load_demo_external(municipality: Municipality) -> None:
    today = timezone.localdate()
    film = Record.objects.filter(municipality=municipality, title=FILM).first()
    if film is None:
        film = catalog.create_record(SYSTEM, municipality, catalog.new_marc(title=FILM, year=2023))
    for school in municipality.schools.all():
        public = f"{demo_url(os.environ)}sru/{municipality.code}/"
        if not ExternalTarget.objects.filter(school=school).exists():
            services.save_target(
                SYSTEM,
                school,
                name="Folkebiblioteket (demo)",
                kind="public",
                base_url=public,
                request_method="form",
                timeout_ms=2000,
            )
        _follow_the_server(school, f"/sru/{municipality.code}/", public)
        if not Licence.objects.filter(school=school, record=film).exists():
            licences.save_licence(
                SYSTEM,
                film,
                school,
                provider="Filmcentralen",
                url="https://filmcentralen.example/vulkaner",
                starts=today - dt.timedelta(days=300),
                ends=today + dt.timedelta(days=20),
                audience="signed_in",
                cost=Decimal("450.00"),
            )
    _siblings(municipality)
    _databases(municipality)


def _siblings(municipality: Municipality) -> None:
    schools = list(municipality.schools.order_by("pk"))
    for school, lender in zip(schools, schools[1:] + schools[:1], strict=True):
        if (
            lender == school
            or ExternalTarget.objects.filter(school=school, request_method="school").exists()
        ):
            continue
        services.save_target(
            SYSTEM, school, name=lender.name, kind="school",
            base_url=f"{demo_url(os.environ)}sru/{municipality.code}/{lender.code}/",
            request_method="school",
            lending_school=lender, students_see=False, timeout_ms=2000,
        )  # fmt: skip
    for school, lender in zip(schools, schools[1:] + schools[:1], strict=True):
        path = f"/sru/{municipality.code}/{lender.code}/"
        _follow_the_server(school, path, f"{demo_url(os.environ)}{path[1:]}")


def _follow_the_server(school: School, path: str, url: str) -> None:
    """A demo target loaded by ``make run`` on another port points at this one's server: the
    demo's targets are this installation's own SRU server (``make run PORT=8101``)."""
    for target in ExternalTarget.objects.filter(school=school, base_url__endswith=path):
        if target.base_url != url and target.base_url.startswith("http://127.0.0.1:"):
            services.save_target(SYSTEM, school, target, base_url=url)


def _databases(municipality: Municipality) -> None:
    school = municipality.schools.order_by("pk").first()
    if school is None or InfoDatabase.objects.filter(municipality=municipality).exists():
        return
    for name, url, grades, subjects, access in (
        ("Leksikon (demo)", "https://leksikon.example/", (0, 10), "Dansk, Natur/teknologi",
         "Åbent for alle"),
        ("Nyhedsarkivet (demo)", "https://nyheder.example/", (7, 10), "Samfundsfag, Historie",
         "Log ind med dit skolelogin"),
    ):  # fmt: skip
        databases.save_database(
            SYSTEM, school, name=name, url=url, grade_from=grades[0], grade_to=grades[1],
            subjects=subjects, access=access, whole_municipality=True,
        )  # fmt: skip
