"""The demo's external collections (idempotent): each demo school searches the municipality's
own SRU server as if it were the public library (``make run``'s address), and has one licensed
film whose licence ends within a month, so the dashboard's warning shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.models import Record
from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from . import licences, services
from .models import ExternalTarget, Licence

FILM = "Vulkanernes hemmeligheder"


def load_demo_external(municipality: Municipality) -> None:
    today = timezone.localdate()
    film = Record.objects.filter(municipality=municipality, title=FILM).first()
    if film is None:
        film = catalog.create_record(SYSTEM, municipality, catalog.new_marc(title=FILM, year=2023))
    for school in municipality.schools.all():
        if not ExternalTarget.objects.filter(school=school).exists():
            services.save_target(
                SYSTEM,
                school,
                name="Folkebiblioteket (demo)",
                kind="public",
                base_url=f"http://127.0.0.1:8000/sru/{municipality.code}/",
                request_method="form",
                timeout_ms=2000,
            )
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
