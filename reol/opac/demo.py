"""The demo's reading lists: one for each demo school and one for the whole municipality, so a
new user's home page shows what curated lists look like. Made through the services, as a
librarian would; idempotent (a school or municipality with any list is left as it is)."""

from __future__ import annotations

from reol.catalog.lists import services
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Record
from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM

# (school code or None for the municipality, title, audience, description, title words, notes)
LISTS: list[tuple[str | None, str, str, str, str, dict[str, str]]] = [
    (
        "nordskolen",
        "Magi og troldmænd",
        "4.–6. klasse",
        "Bøger om magi, hekse og troldmænd, til dem der har læst Harry Potter og vil have mere.",
        "harry potter",
        {"Harry Potter og De Vises Sten": "Start her!"},
    ),
    (
        "soeskolen",
        "Heste",
        "2.–4. klasse",
        "Fortællinger og fakta om heste, ponyer og ridning.",
        "hest",
        {},
    ),
    (
        None,
        "Dinosaurer",
        "Fra 6 år",
        "Alt om dinosaurerne: hvordan de levede, og hvorfor de uddøde.",
        "dinosaur",
        {},
    ),
]
PER_LIST = 8


def load_demo_reading_lists(municipality: Municipality) -> int:
    made = 0
    for code, title, audience, description, words, notes in LISTS:
        school = School.objects.filter(municipality=municipality, code=code).first()
        if code and school is None:
            continue
        if ReadingList.objects.filter(municipality=municipality, school=school).exists():
            continue
        reading_list = services.create_reading_list(
            SYSTEM,
            municipality,
            school=school,
            title=title,
            audience=audience,
            description=description,
        )
        records = Record.objects.filter(
            municipality=municipality, merged_into__isnull=True, title__icontains=words
        ).order_by("title", "id")[:PER_LIST]
        for record in sorted(records, key=lambda r: r.title not in notes):  # "start here" first
            services.add_entry(SYSTEM, reading_list, record, note=notes.get(record.title, ""))
        made += 1
    return made
