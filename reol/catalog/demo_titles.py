"""A few real titles in the demo, so that what a new user types first finds what they expect.

The sampled catalogue (``sample.py``) is made-up titles by made-up people: "harry poter" found a
book by somebody called Harry. These are the books children ask for, in Danish, Norwegian and
English, as MARC21 imported through the real importer with copies at every demo school. Matched
on 001+003, so loading twice adds nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pymarc import Field, Indicators, Record, Subfield

from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM

from .importer import import_marc
from .models import Record as CatalogRecord

SOURCE = "REOL-DEMO"


@dataclass(frozen=True)
class Title:
    control: str
    lang: str  # MARC language code
    title: str
    author: str
    publisher: str
    place: str
    year: int
    summary: str
    subjects: list[str]
    shelf_mark: str
    ages: tuple[int, int] = (9, 12)
    isbn: str = ""
    translator: str = ""
    series: str = ""
    copies: dict[str, int] = field(default_factory=dict)  # school code → copies (else 1)


TITLES = [
    Title(
        "hp1-da",
        "dan",
        "Harry Potter og De Vises Sten",
        "Rowling, J. K.",
        "Gyldendal",
        "København",
        1998,
        "Harry bor hos sin onkel og tante og ved ikke, at han er troldmand. På sin 11-års "
        "fødselsdag får han et brev fra Hogwarts Skole for Heksekunster og Troldmandskab.",
        ["Troldmænd", "Magi", "Kostskoler", "Venskab"],
        "sk Rowling",
        translator="Lützen, Hanna",
        series="Harry Potter ; 1",
        copies={"nordskolen": 2, "soeskolen": 1},
    ),
    Title(
        "hp2-da",
        "dan",
        "Harry Potter og Hemmelighedernes Kammer",
        "Rowling, J. K.",
        "Gyldendal",
        "København",
        1999,
        "Harrys andet år på Hogwarts: elever bliver forstenede, og en gammel hemmelighed i "
        "skolens kælder vågner.",
        ["Troldmænd", "Magi", "Kostskoler"],
        "sk Rowling",
        translator="Lützen, Hanna",
        series="Harry Potter ; 2",
    ),
    Title(
        "hp1-nb",
        "nob",
        "Harry Potter og de vises stein",
        "Rowling, J. K.",
        "Tiden",
        "Oslo",
        1999,
        "Harry bor hos onkelen og tanten sin og vet ikke at han er en trollmann, før han fyller "
        "elleve og får brev fra Galtvort høyere skole for hekseri og trolldom.",
        ["Trollmenn", "Magi", "Internatskoler", "Vennskap"],
        "sk Rowling",
        translator="Høverstad, Torstein Bugge",
        series="Harry Potter ; 1",
        copies={"nordskolen": 1},
    ),
    Title(
        "hp1-en",
        "eng",
        "Harry Potter and the Philosopher's Stone",
        "Rowling, J. K.",
        "Bloomsbury",
        "London",
        1997,
        "Harry lives with his aunt and uncle and has no idea he is a wizard, until a letter "
        "arrives on his eleventh birthday from Hogwarts School of Witchcraft and Wizardry.",
        ["Wizards", "Magic", "Boarding schools", "Friendship"],
        "sk Rowling",
        isbn="0747532699",
        series="Harry Potter ; 1",
        copies={"nordskolen": 1},
    ),
    Title(
        "dino-da",
        "dan",
        "Dinosaurer for børn",
        "Holm, Sanne",
        "Carlsen",
        "København",
        2021,
        "Hvordan levede dinosaurerne, hvad spiste de, og hvorfor uddøde de? Med tegninger af "
        "de største, de mindste og de farligste.",
        ["Dinosaurer", "Forhistoriske dyr"],
        "56.9 Holm",
        ages=(6, 10),
    ),
]


def _marc(title: Title, school: School, serial: int) -> Record:
    record = Record(to_unicode=True, force_utf8=True, leader="00000nam a2200000 i 4500")
    audience = "j" if title.ages[1] <= 14 else " "
    fiction = "0" if title.shelf_mark[:1].isdigit() else "1"
    record.add_field(Field(tag="001", data=f"reol-demo-{title.control}"))
    record.add_field(Field(tag="003", data=SOURCE))
    country = {"dan": "dk ", "nob": "no ", "eng": "enk"}.get(title.lang, "xx ")
    # 00-05 entered, 06-14 date type and year, 15-17 country, 18-21 illustrations, 22 audience,
    # 23 form, 24-27 contents, 28-32 codes, 33 literary form, 34 biography, 35-37 language, ...
    f008 = f"250101s{title.year}    {country}a   {audience}      000 {fiction} {title.lang} d"
    assert len(f008) == 40, f008
    record.add_field(Field(tag="008", data=f008))

    def add(tag: str, ind: str, *pairs: str) -> None:
        subfields = [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
        record.add_field(Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields))

    if title.isbn:
        add("020", "  ", "a", title.isbn)
    add("100", "1 ", "a", title.author, "4", "aut")
    add("245", "10", "a", title.title)
    add("264", " 1", "a", title.place, "b", title.publisher, "c", str(title.year))
    if title.series:
        add("490", "1 ", "a", title.series)
    add("520", "  ", "a", title.summary)
    add("521", "  ", "a", f"{title.ages[0]}-{title.ages[1]} år")
    add("652", "  ", "m", title.shelf_mark.split()[0])  # DK5: "sk" fiction, "56.9" ...
    for subject in title.subjects:
        add("650", " 7", "a", subject, "2", "reol")
    if title.translator:
        add("700", "1 ", "a", title.translator, "4", "trl")
    shelf = "faglit" if fiction == "0" else "skoenlit"
    for n in range(title.copies.get(school.code, 1)):
        barcode = f"{school.code[:4].upper()}D{serial + n:05d}"
        add("952", "  ", "c", shelf, "o", title.shelf_mark, "p", barcode, "y", "BK")
    return record


def load_demo_titles(municipality: Municipality) -> int:
    """The titles, with their copies, at each school of the municipality that has none yet."""
    created = 0
    for school in School.objects.filter(municipality=municipality).order_by("code"):
        have = set(
            CatalogRecord.objects.filter(
                municipality=municipality, items__school=school, marc__isnull=False
            )
            .filter(title__in=[t.title for t in TITLES])
            .values_list("title", flat=True)
        )
        data = io.BytesIO()
        serial = 1
        for title in TITLES:
            if title.title in have:
                continue
            data.write(_marc(title, school, serial).as_marc21())
            serial += 10
        if data.tell():
            data.seek(0)
            created += import_marc(SYSTEM, school, data).created
    return created
