"""The demo's media workshop: a camera kit and two how-to guides (in Danish, Norwegian and
English) at each demo school, once (a school that has kits is left as it is)."""

from __future__ import annotations

from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from . import services
from .models import Guide, Kit

_CAMERA = {
    "da": ("Sådan filmer du med kamerakittet", "Sæt kameraet på stativet. Tænd mikrofonen."),
    "nb": ("Slik filmer du med kamerasettet", "Sett kameraet på stativet. Slå på mikrofonen."),
    "en": ("How to film with the camera kit", "Put the camera on the tripod. Turn on the mic."),
}
_PLATFORM = {
    "da": ("Aflever en opgave på læringsplatformen", "Åbn forløbet, vælg Aflever, vedhæft filen."),
    "nb": ("Lever en oppgave på læringsplattformen", "Åpne forløpet, velg Lever, legg ved filen."),
    "en": ("Hand in a task on the learning platform", "Open the course, choose Hand in, attach."),
}


def load_demo_workshop(municipality: Municipality) -> None:
    for school in municipality.schools.all():
        if Kit.objects.filter(school=school).exists():
            continue
        kit = services.create_kit(
            SYSTEM,
            school,
            name="Kamerakit",
            units=3,
            contents="Kamera\nStativ\nMikrofon\nHukommelseskort",
        )
        services.save_guide(SYSTEM, school, kind=Guide.Kind.EQUIPMENT, kit=kit, texts=_CAMERA)
        services.save_guide(SYSTEM, school, kind=Guide.Kind.PLATFORM, texts=_PLATFORM)
