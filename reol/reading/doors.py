"""Picture doors: the saved searches a librarian puts on the catalogue's front page.

Writes (each audited, in one transaction) and the reads the front page needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reol.catalog.search.types import AGE_BUCKETS
from reol.core import audit, calendar
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import covers
from .models import PictureDoor

SYMBOLS = ("🐴", "🦕", "😂", "⚽", "📖", "🚀", "🐱", "👻", "🏰", "🔬", "🌍", "🎨", "🐉", "🕵", "❤")
EASY_BUCKETS = ("0-9", "10-14", "15-19", "20-24")  # LIX under 25: easy to read


class DoorError(ValueError):
    pass


@dataclass(frozen=True)
class DoorSpec:
    label_da: str = ""
    label_nb: str = ""
    label_en: str = ""
    words: str = ""
    subject: str = ""
    age_band: str = ""
    easy: bool = False
    symbol: str = ""


def _check(spec: DoorSpec) -> None:
    if not (spec.label_da or spec.label_nb or spec.label_en):
        raise DoorError(_("Give the door a label in at least one language."))
    if not (spec.words or spec.subject or spec.easy):
        raise DoorError(_("Give the door search words, a subject or “only easy to read”."))
    if spec.age_band and spec.age_band not in AGE_BUCKETS:
        raise DoorError(_("Choose the ages from the list."))
    if spec.symbol and spec.symbol not in SYMBOLS:
        raise DoorError(_("Choose the symbol from the list."))


def create_door(
    actor: Actor, school: School, spec: DoorSpec, picture: bytes | None = None
) -> PictureDoor:
    require(actor, Perm.CATALOG_EDIT, school)
    _check(spec)
    resized = covers.resize(picture) if picture else None
    with transaction.atomic():
        last = PictureDoor.objects.filter(school=school).aggregate(m=Max("position"))["m"]
        door = PictureDoor.objects.create(
            school=school,
            **spec.__dict__,
            colour=covers.colour_for(spec.label_en or spec.label_da or spec.label_nb),
            image=resized.data if resized else b"",
            digest=resized.digest if resized else "",
            position=(last or 0) + 1,
        )
        audit.record(actor, "door.create", door, school=school)
    return door


def delete_door(actor: Actor, door: PictureDoor) -> None:
    require(actor, Perm.CATALOG_EDIT, door.school)
    with transaction.atomic():
        audit.record(actor, "door.delete", door, school=door.school)
        door.delete()


def move_door(actor: Actor, door: PictureDoor, step: int) -> None:
    """Move a door one place earlier (step -1) or later (+1) on the front page."""
    require(actor, Perm.CATALOG_EDIT, door.school)
    with transaction.atomic():
        doors = list(PictureDoor.objects.select_for_update().filter(school=door.school))
        index = next(i for i, d in enumerate(doors) if d.pk == door.pk)
        other = index + step
        if 0 <= other < len(doors):
            doors[index], doors[other] = doors[other], doors[index]
            for position, each in enumerate(doors, start=1):
                if each.position != position:
                    each.position = position
                    each.save(update_fields=["position"])
            audit.record(actor, "door.move", door, school=door.school)


@dataclass(frozen=True)
class DoorView:
    door: PictureDoor
    label: str
    url: str
    picture_url: str

    @property
    def colour_class(self) -> str:
        """The door's colour as a class (the style sheet's ``door-c0`` …; no inline styles)."""
        colour = self.door.colour
        return f"door-c{covers.PALETTE.index(colour) if colour in covers.PALETTE else 0}"


def label_of(door: PictureDoor) -> str:
    language = (get_language() or "da")[:2]
    wanted = {"da": door.label_da, "nb": door.label_nb, "en": door.label_en}.get(language, "")
    return wanted or door.label_en or door.label_da or door.label_nb


def search_url(door: PictureDoor) -> str:
    pairs: list[tuple[str, str]] = []
    if door.words:
        pairs.append(("q", door.words))
    if door.subject:
        pairs.append(("subject", door.subject))
    if door.age_band:
        pairs.append(("age", door.age_band))
    if door.easy:
        pairs += [("reading_level", b) for b in EASY_BUCKETS]
    return f"{reverse('opac-search')}?{urlencode(pairs)}"


def doors_for(school: School | None, grade: int | None) -> list[DoorView]:
    """The front page's doors at ``school``; for a student, those for their age."""
    if school is None:
        return []
    found = []
    for door in PictureDoor.objects.filter(school=school).defer("image"):
        if grade is not None and door.age_band:
            lo, hi = AGE_BUCKETS[door.age_band]
            if not lo <= calendar.typical_age(grade) <= hi:
                continue
        picture = (
            reverse("reading-door-picture", args=[door.pk, door.digest]) if door.digest else ""
        )
        found.append(DoorView(door, label_of(door), search_url(door), picture))
    return found
