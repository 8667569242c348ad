"""The demo's picture doors: five doors on each demo school's front page (idempotent)."""

from __future__ import annotations

from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from .doors import DoorSpec, create_door
from .models import PictureDoor

DOORS = (
    DoorSpec("Heste", "Hester", "Horses", words="hest", symbol="🐴"),
    DoorSpec("Dinosaurer", "Dinosaurer", "Dinosaurs", words="dinosaurer", symbol="🦕"),
    DoorSpec("Drager", "Drager", "Dragons", words="dragen", symbol="🐉", age_band="6-8"),
    DoorSpec("Spøgelser", "Spøkelser", "Ghosts", words="spøgelset", symbol="👻", age_band="9-12"),
    DoorSpec("Let at læse", "Lett å lese", "Easy to read", easy=True, symbol="📖"),
)


def load_demo_doors(municipality: Municipality) -> None:
    for school in municipality.schools.all():
        if PictureDoor.objects.filter(school=school).exists():
            continue
        for spec in DOORS:
            create_door(SYSTEM, school, spec)
