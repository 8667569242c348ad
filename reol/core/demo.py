"""The demo municipality that `make run` loads: two schools, their staff, teachers and students.

Loading is idempotent: whatever exists (matched on codes and usernames) is left as it is, so
running it again neither duplicates the demo nor touches what someone changed or added since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import calendar, services
from .models import Location, Municipality, Role, School, SchoolYear, User
from .permissions import SYSTEM

DEMO_PASSWORD = "reol-demo-2026"  # noqa: S105 - printed for the demo; never used elsewhere
DEMO_PIN = "1234"

FIRST_NAMES = [
    "Emma",
    "Noah",
    "Ida",
    "William",
    "Freja",
    "Oscar",
    "Alma",
    "Lucas",
    "Ella",
    "Carl",
    "Nora",
    "Aksel",
    "Sofie",
    "Emil",
    "Agnes",
    "Magnus",
    "Olivia",
    "Jakob",
    "Astrid",
    "Søren",
    "Maja",
    "Frederik",
    "Karla",
    "Mads",
    "Liv",
    "Viktor",
    "Clara",
    "Anton",
    "Ingrid",
    "Bjørn",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Olsen",
    "Berg",
    "Haugen",
    "Johansen",
    "Dahl",
    "Ødegaard",
    "Æbelø",
]


@dataclass(frozen=True)
class DemoSchool:
    code: str
    name: str
    prefix: str  # for usernames and card numbers
    grades: tuple[int, ...]
    librarian: tuple[str, str]  # first and last name, different at each school


SCHOOLS = (
    DemoSchool("nordskolen", "Nordskolen", "nord", (3, 5, 7), ("Lene", "Bog")),
    DemoSchool("soeskolen", "Søskolen", "soe", (4, 6, 8), ("Jonas", "Læsø")),
)
LOCATIONS: list[tuple[str, str, str, str | None]] = [
    ("bibliotek", "Skolebiblioteket", Location.Kind.ROOM, None),
    ("billedbog", "Billedbøger", Location.Kind.SHELF, "bibliotek"),
    ("skoenlit", "Skønlitteratur", Location.Kind.SHELF, "bibliotek"),
    ("faglit", "Faglitteratur", Location.Kind.SHELF, "bibliotek"),
    ("film", "Film og spil", Location.Kind.SHELF, "bibliotek"),
    ("klassesaet", "Klassesæt", Location.Kind.STORE, None),
    ("vaerksted", "Medieværkstedet", Location.Kind.ROOM, None),
]
STUDENTS_PER_CLASS = 12


@dataclass
class Login:
    who: str
    username: str
    secret: str


def _hours() -> list[tuple[int, dt.time, dt.time]]:
    return [(d, dt.time(8, 0), dt.time(15, 30)) for d in range(4)] + [
        (4, dt.time(8, 0), dt.time(13, 0))
    ]


def _closed_periods(year: int) -> list[tuple[str, str, dt.date, dt.date]]:
    return [
        ("Efterårsferie", "holiday", dt.date(year, 10, 12), dt.date(year, 10, 16)),
        ("Juleferie", "holiday", dt.date(year, 12, 21), dt.date(year + 1, 1, 1)),
        ("Vinterferie", "holiday", dt.date(year + 1, 2, 15), dt.date(year + 1, 2, 19)),
        ("Påskeferie", "holiday", dt.date(year + 1, 3, 22), dt.date(year + 1, 3, 29)),
        ("Sommerferie", "summer", dt.date(year + 1, 6, 26), dt.date(year + 1, 8, 10)),
    ]


def _person(school: School, username: str, role: str, **fields: str | None) -> None:
    if not User.objects.filter(username=username).exists():
        services.create_person(SYSTEM, school, username=username, role=role, **fields)  # type: ignore[arg-type]


def _school_year(school: School, start_year: int) -> None:
    name = calendar.year_name_starting(start_year)
    if SchoolYear.objects.filter(school=school, name=name).exists():
        return
    first_day, last_day = dt.date(start_year, 8, 11), dt.date(start_year + 1, 6, 25)
    services.add_school_year(
        SYSTEM,
        school,
        name=name,
        starts=first_day,
        ends=last_day,
        terms=[
            ("Efterår", first_day, dt.date(start_year, 12, 20)),
            ("Forår", dt.date(start_year + 1, 1, 4), last_day),
        ],
    )
    for period, kind, starts, ends in _closed_periods(start_year):
        services.add_closed_period(SYSTEM, school, name=period, kind=kind, starts=starts, ends=ends)


def _demo_school(municipality: Municipality, spec: DemoSchool) -> School:
    """The demo school, created with its locations and opening hours the first time."""
    school = School.objects.filter(code=spec.code).first()
    if school is not None:
        return school
    school = services.create_school(
        SYSTEM, municipality=municipality, code=spec.code, name=spec.name
    )
    parents: dict[str, Location] = {}
    for code, name, kind, parent in LOCATIONS:
        parents[code] = services.create_location(
            SYSTEM, school, code=code, name=name, kind=kind, parent=parents.get(parent or "")
        )
    services.set_opening_hours(SYSTEM, school, _hours())
    return school


def _staff(school: School, spec: DemoSchool) -> None:
    """The school's administrator, librarian and volunteer."""
    p = spec.prefix
    _person(
        school,
        f"admin-{p}",
        Role.ADMINISTRATOR,
        first_name="Hanne",
        last_name="Skov",
        password=DEMO_PASSWORD,
    )
    _person(
        school,
        f"bibliotekar-{p}",
        Role.LIBRARIAN,
        first_name=spec.librarian[0],
        last_name=spec.librarian[1],
        password=DEMO_PASSWORD,
        email=f"bibliotek@{p}.example",
    )
    _person(
        school,
        f"frivillig-{p}",
        Role.VOLUNTEER,
        first_name="Per",
        last_name="Hjælper",
        password=DEMO_PASSWORD,
    )


def _classes(school: School, spec: DemoSchool) -> None:
    """A teacher and ``STUDENTS_PER_CLASS`` students (card + PIN) for each grade."""
    p = spec.prefix
    for n, grade in enumerate(spec.grades, start=1):
        _person(
            school,
            f"laerer-{p}-{n}",
            Role.TEACHER,
            first_name=FIRST_NAMES[-n],
            last_name=LAST_NAMES[n],
            password=DEMO_PASSWORD,
        )
        for s in range(1, STUDENTS_PER_CLASS + 1):
            i = grade * 100 + s
            _person(
                school,
                f"elev-{p}-{i}",
                Role.STUDENT,
                first_name=FIRST_NAMES[(i + len(p)) % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(i * 7) % len(LAST_NAMES)],
                card_barcode=f"{p.upper()}{i:05d}",
                pin=DEMO_PIN,
            )


@transaction.atomic
def _load_school(municipality: Municipality, spec: DemoSchool, today: dt.date) -> list[Login]:
    school = _demo_school(municipality, spec)
    this_year = calendar.start_year(calendar.year_name_of(today))
    for start_year in (this_year, this_year + 1):  # this school year and the next
        _school_year(school, start_year)
    _staff(school, spec)
    _classes(school, spec)
    p = spec.prefix
    first_student = f"{p.upper()}{spec.grades[0] * 100 + 1:05d}"
    school_name = {"school": spec.name}
    return [
        Login(_("%(school)s: librarian") % school_name, f"bibliotekar-{p}", DEMO_PASSWORD),
        Login(_("%(school)s: administrator") % school_name, f"admin-{p}", DEMO_PASSWORD),
        Login(_("%(school)s: teacher") % school_name, f"laerer-{p}-1", DEMO_PASSWORD),
        Login(_("%(school)s: student (card + PIN)") % school_name, first_student, DEMO_PIN),
    ]


def load_demo(today: dt.date | None = None) -> list[Login]:
    """Load (or complete) the demo and return the logins to print."""
    today = today or timezone.localdate()
    with transaction.atomic():
        municipality = Municipality.objects.filter(code="solbjerg").first()
        if municipality is None:
            municipality = services.create_municipality(
                SYSTEM, code="solbjerg", name="Solbjerg Kommune"
            )
        if not User.objects.filter(username="konsulent").exists():
            consultant = User(username="konsulent", first_name="Karen", last_name="Konsulent")
            consultant.set_password(DEMO_PASSWORD)
            consultant.save()
            services.appoint_consultant(SYSTEM, consultant, municipality)
    logins = [Login(_("Municipal consultant"), "konsulent", DEMO_PASSWORD)]
    for spec in SCHOOLS:
        logins += _load_school(municipality, spec, today)
    for extend in _EXTENSIONS:
        added = extend(municipality)
        if isinstance(added, list):  # an app's own demo logins (e.g. a network coordinator)
            logins += [login for login in added if isinstance(login, Login)]
    return logins


# Apps above core add their part of the demo (the catalogue, loans …) without core knowing them.
_EXTENSIONS: list[Callable[[Municipality], object]] = []


def extend_demo(loader: Callable[[Municipality], object]) -> None:
    """Register ``loader(municipality)``: run after the schools and people, and idempotent."""
    if loader not in _EXTENSIONS:
        _EXTENSIONS.append(loader)


def demo_url(env: Mapping[str, str]) -> str:
    """Where the server will listen: $HOST and $PORT when set (as `make run` passes them)."""
    host = env.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere: this machine works too
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{env.get('PORT') or '8000'}/"
