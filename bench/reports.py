"""Every report and dashboard beside a bare SQL aggregate of the same question, same run.

    .venv/bin/python bench/reports.py [--scale 0.05] [--repeat 7]
    .venv/bin/python -m tests.pgcluster -- .venv/bin/python bench/reports.py [--scale 0.05]

Generates (with bulk inserts, not the services: history cannot be lent "now") a municipality
like the issue's at ``--scale`` of 20 schools, 10,000 students, 300,000 records, 400,000 copies
and 3,000,000 loans over five school years (schools are kept at ≥ 4). Returned loans are
anonymised as circulation leaves them (no borrower, ``LoanStatistic`` keeps grade and group);
5 % of the copies are on loan. Then, for one school's current school year, it times each
report through ``framework.result`` (what the page, export and API call: the selector plus
suppression) and a bare SQL aggregate of the same question, and prints p50/p95 and the ratio.
Targets (the issue's): dashboards ≤ 300 ms, reports ≤ 1 s at p95, no report > 3× its SQL.
Without ``REOL_DATABASE_URL`` it uses a fresh SQLite file in a temporary folder.

Generating full scale takes ~10 minutes, so ``--keep DIR`` keeps the SQLite file in DIR, and
``--reuse`` times the municipality already in the database (the kept file, or a PostgreSQL
database you started yourself and point ``REOL_DATABASE_URL`` at) instead of generating one;
``--only KEY,KEY`` times only the named reports (``dashboards`` for the two dashboards);
``--year 2025/26,now`` times a whole past school year, then the current one (which has only the
months since August).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"schools": 20, "students": 10_000, "records": 300_000, "copies": 400_000}
FULL_LOANS = 3_000_000
BATCH = 5_000


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    made: list[Any] = []
    for i in range(0, len(rows), BATCH):
        made += model.objects.bulk_create(rows[i : i + BATCH], batch_size=BATCH)
    return made


def generate(scale: float, seed: int = 7) -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from reol.catalog.models import Item, ItemStatus, MaterialType, Record
    from reol.circulation.models import Loan, LoanState, LoanStatistic
    from reol.core import calendar, services
    from reol.core.models import User
    from reol.core.permissions import SYSTEM
    from reol.patrons.models import Group, GroupMember, Patron
    from reol.reports.models import ReadingResult

    rng = random.Random(seed)
    call_command("migrate", verbosity=0, interactive=False)
    n = {k: max(int(v * scale), 1) for k, v in FULL.items()}
    n["schools"] = max(n["schools"], 4)
    loans_n = int(FULL_LOANS * scale)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    schools = [
        services.create_school(SYSTEM, municipality=municipality, code=f"s{i}", name=f"Skole {i}")
        for i in range(n["schools"])
    ]
    year = calendar.current_school_year(schools[0])
    sections = [("sk", "839.8")] * 5 + [
        (f"{d}{e}.1", f"{d}{e}0") for d in range(10) for e in (0, 5)
    ]
    languages = ["dan"] * 6 + ["nob", "eng", "eng", "ara"]
    materials = [MaterialType.BOOK] * 8 + [MaterialType.AUDIOBOOK, MaterialType.EBOOK]
    records = _bulk(
        Record,
        [
            Record(
                municipality=municipality,
                marc={"leader": "00000nam a2200000 a 4500", "fields": []},
                title=f"Titel {i}",
                sort_title=f"titel {i}",
                material_type=rng.choice(materials),
                dk5=(s := rng.choice(sections))[0],
                ddc=s[1],
                year=rng.randint(1975, 2026),
                languages=[rng.choice(languages)],
                reading_level=rng.choice([None, *range(5, 56, 5)]),
                age_min=rng.choice([None, 3, 6, 9, 12, 14]),
            )
            for i in range(n["records"])
        ],
    )
    items = _bulk(
        Item,
        [
            Item(
                record=rng.choice(records),
                school=schools[i % len(schools)],
                barcode=f"B{i:08d}",
                status=ItemStatus.AVAILABLE,
            )
            for i in range(n["copies"])
        ],
    )
    users = _bulk(User, [User(username=f"elev{i}") for i in range(n["students"])])
    groups = _bulk(
        Group,
        [
            Group(school=s, school_year=year, name=f"{g}{c}", grade=g)
            for s in schools
            for g in range(10)
            for c in "AB"
        ],
    )
    by_school: dict[int, list[Group]] = {}
    for g in groups:
        by_school.setdefault(g.school_id, []).append(g)
    patrons = _bulk(
        Patron,
        [
            # every grade at every school (``i % 10`` gave all of a school's students one grade)
            Patron(
                user=u,
                school=schools[i % len(schools)],
                category="student",
                grade=i // len(schools) % 10,
            )
            for i, u in enumerate(users)
        ],
    )
    _bulk(
        GroupMember,
        [
            GroupMember(
                group=rng.choice([g for g in by_school[p.school_id] if g.grade == p.grade]),
                patron=p,
            )
            for p in patrons
        ],
    )
    items_of: dict[int, list[Item]] = {}
    for it in items:
        items_of.setdefault(it.school_id, []).append(it)
    patrons_of: dict[int, list[Patron]] = {}
    for p in patrons:
        patrons_of.setdefault(p.school_id, []).append(p)
    today = timezone.localdate()
    first = today - dt.timedelta(days=5 * 365)
    open_items: set[int] = set()
    loans, stats = [], []
    for i in range(loans_n):
        school = schools[i % len(schools)]
        item = rng.choice(items_of[school.pk])
        patron = rng.choice(patrons_of[school.pk])
        day = first + dt.timedelta(days=rng.randrange(5 * 365))
        at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(rng.randint(8, 15), rng.randint(0, 59)))
        )
        is_open = day > today - dt.timedelta(days=30) and item.pk not in open_items
        if is_open:
            open_items.add(item.pk)
        # 3 % are class-set loans (a group's), so the class-set report has something to count
        group = rng.choice(by_school[school.pk]) if rng.random() < 0.03 else None
        loans.append(
            Loan(
                school=school,
                group=group,
                item=item,
                patron=patron.user if is_open else None,
                patron_category="student",
                state=LoanState.ACTIVE if is_open else LoanState.RETURNED,
                loan_date=day,
                checked_out_at=at,
                due_date=day + dt.timedelta(days=28),
                returned_at=None if is_open else at + dt.timedelta(days=rng.randint(1, 40)),
            )
        )
        stats.append(None if is_open else (patron.grade, f"{patron.grade}A"))
    made = _bulk(Loan, loans)
    _bulk(
        LoanStatistic,
        [
            LoanStatistic(
                loan=loan, school_id=loan.school_id, grade=s[0], group_name=s[1], school_year=year
            )
            for loan, s in zip(made, stats, strict=True)
            if s is not None
        ],
    )
    Item.objects.filter(pk__in=open_items).update(status=ItemStatus.ON_LOAN)
    _bulk(
        ReadingResult,
        [
            ReadingResult(
                school_id=g.school_id,
                school_year=year,
                group_name=g.name,
                grade=g.grade,
                test="Læseprøve",
                taken_on=today,
                tested=20,
                mean=rng.randint(20, 60),
            )
            for g in groups
        ],
    )
    return {"schools": schools, "n": n, "loans": loans_n}


def existing() -> dict[str, Any] | None:
    """The municipality an earlier run generated and kept, in the shape ``generate`` returns."""
    from django.core.management import call_command

    from reol.catalog.models import Item, Record
    from reol.circulation.models import Loan
    from reol.core.models import Municipality, School
    from reol.patrons.models import Patron

    call_command("migrate", verbosity=0, interactive=False)
    municipality = Municipality.objects.filter(code="bench").first()
    if municipality is None:
        return None
    schools = list(School.objects.filter(municipality=municipality).order_by("code"))
    schools.sort(key=lambda s: int(s.code[1:]))
    n = {
        "schools": len(schools),
        "students": Patron.objects.filter(school__in=schools).count(),
        "records": Record.objects.filter(municipality=municipality).count(),
        "copies": Item.objects.filter(school__in=schools).count(),
    }
    return {"schools": schools, "n": n, "loans": Loan.objects.count()}


def timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def baseline_sql(key: str, vendor: str) -> str:
    month = (
        "strftime('%%Y-%%m', loan_date)" if vendor == "sqlite" else "date_trunc('month', loan_date)"
    )
    hour = (
        "strftime('%%H', checked_out_at)"
        if vendor == "sqlite"
        else "extract(hour from checked_out_at)"
    )
    weekday = (
        "strftime('%%w', loan_date)" if vendor == "sqlite" else "extract(isodow from loan_date)"
    )
    where = "l.school_id = %s AND l.loan_date BETWEEN %s AND %s AND l.patron_category = 'student'"
    people = (
        "count(*), count(DISTINCT l.patron_id) "
        "+ sum(CASE WHEN l.patron_id IS NULL THEN 1 ELSE 0 END)"
    )
    loans = f"FROM circulation_loan l WHERE {where}"
    language = "r.languages->>0" if vendor != "sqlite" else "json_extract(r.languages, '$[0]')"
    joined = (
        "FROM circulation_loan l LEFT JOIN patrons_loanstatistic s ON s.loan_id = l.id "
        "JOIN catalog_item i ON i.id = l.item_id "
        f"JOIN catalog_record r ON r.id = i.record_id WHERE {where}"
    )
    copies = (
        "FROM catalog_item i JOIN catalog_record r ON r.id = i.record_id "
        "WHERE i.school_id = %s AND i.status NOT IN ('withdrawn', 'lost')"
    )
    return {
        "loans-by-month": f"SELECT {month}, {people} {loans} GROUP BY 1",
        "loans-by-weekday": f"SELECT {weekday}, {people} {loans} GROUP BY 1",
        "loans-by-hour": f"SELECT {hour}, {people} {loans} GROUP BY 1",
        "busiest-hours": f"SELECT {hour}, {people} {loans} GROUP BY 1 ORDER BY 2 DESC",
        "loans-by-grade": f"SELECT s.grade, {people} {joined} GROUP BY 1",
        "loans-per-student": f"SELECT s.grade, {people} {joined} GROUP BY 1",
        "overdue": f"SELECT s.grade, {people} {joined} GROUP BY 1",
        "loans-by-group": f"SELECT s.group_name, {people} {joined} GROUP BY 1",
        "loans-by-material": f"SELECT r.material_type, {people} {joined} GROUP BY 1",
        "loans-by-section": f"SELECT substr(r.dk5, 1, 2), {people} {joined} GROUP BY 1",
        "loans-by-language": f"SELECT {language}, {people} {joined} GROUP BY 1",
        "top-titles": f"SELECT s.grade, r.id, {people} {joined} GROUP BY 1, 2 ORDER BY 3 DESC",
        "collection-size": f"SELECT substr(r.dk5, 1, 2), count(*) {copies} GROUP BY 1",
        "collection-age": f"SELECT substr(r.dk5, 1, 2), r.year, count(*) {copies} GROUP BY 1, 2",
        "dead-stock": "SELECT substr(r.dk5, 1, 2), count(*) FROM catalog_item i "
        "JOIN catalog_record r ON r.id = i.record_id WHERE i.school_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM circulation_loan l WHERE l.item_id = i.id AND l.loan_date >= %s) "
        "GROUP BY 1",
    }.get(key, f"SELECT count(*), {people} {loans}")


def several_sql(key: str, vendor: str) -> list[tuple[str, str]]:
    """The bare SQL of the reports that ask more than one question (each with its parameters:
    "school" or "dates"), for collection-and-use, learning and spending."""
    first = "r.languages->>0" if vendor != "sqlite" else "json_extract(r.languages, '$[0]')"
    copies = (
        "FROM catalog_item i JOIN catalog_record r ON r.id = i.record_id "
        "WHERE i.school_id = %s AND i.status NOT IN ('withdrawn', 'lost')"
    )
    lent = (
        "FROM circulation_loan l JOIN catalog_item i ON i.id = l.item_id "
        "JOIN catalog_record r ON r.id = i.record_id "
        "WHERE l.school_id = %s AND l.loan_date BETWEEN %s AND %s"
    )
    students = (
        "SELECT count(*) FROM patrons_patron WHERE school_id = %s AND category = 'student'",
        "school",
    )

    def balance(by: str) -> list[tuple[str, str]]:
        return [
            (f"SELECT {by}, count(*), count(DISTINCT r.id) {copies} GROUP BY 1", "school"),
            (f"SELECT {by}, count(*) {lent} GROUP BY 1", "dates"),
            students,
        ]

    return {
        "turnover": balance("substr(r.dk5, 1, 2)"),
        "balance-language": balance(first),
        "balance-reading-level": balance("r.reading_level"),
        "balance-age": balance("r.age_min"),
        "loans-by-patron-category": [
            (
                "SELECT coalesce(p.category, l.patron_category), count(*), "
                "count(DISTINCT l.patron_id) "
                "+ sum(CASE WHEN l.patron_id IS NULL THEN 1 ELSE 0 END) "
                "FROM circulation_loan l LEFT JOIN patrons_patron p ON p.user_id = l.patron_id "
                "AND p.school_id = l.school_id "
                "WHERE l.school_id = %s AND l.loan_date BETWEEN %s AND %s GROUP BY 1",
                "dates",
            )
        ],
        "class-set-use": [
            (
                # the report's question: sets are a title lent to a class on a day
                "SELECT l.group_id, i.record_id, l.loan_date, count(*) FROM circulation_loan l "
                "JOIN catalog_item i ON i.id = l.item_id "
                "WHERE l.school_id = %s AND l.loan_date BETWEEN %s AND %s "
                "AND l.group_id IS NOT NULL GROUP BY 1, 2, 3",
                "dates",
            )
        ],
        "reading-results": [
            (
                "SELECT group_name, test, tested, mean FROM reports_readingresult "
                "WHERE school_id = %s AND taken_on BETWEEN %s AND %s",
                "dates",
            ),
            (
                "SELECT s.group_name, count(*) FROM circulation_loan l "
                "JOIN patrons_loanstatistic s ON s.loan_id = l.id WHERE l.school_id = %s "
                "AND l.loan_date BETWEEN %s AND %s AND l.patron_category = 'student' GROUP BY 1",
                "dates",
            ),
        ],
        # The generator makes no devices: this times the two questions on empty tables (the
        # generic loans count was no baseline for it: 3.6× of 1.3 ms).
        "repairs-by-model": [
            (
                "SELECT r.title, count(*) FROM technology_workorder w "
                "JOIN technology_device d ON d.item_id = w.device_id "
                "JOIN catalog_item i ON i.id = d.item_id "
                "JOIN catalog_record r ON r.id = i.record_id "
                "WHERE w.school_id = %s AND w.created_at BETWEEN %s AND %s GROUP BY 1",
                "dates",
            ),
            (
                "SELECT r.title, sum(c.amount) FROM technology_workordercost c "
                "JOIN technology_workorder w ON w.id = c.work_order_id "
                "JOIN technology_device d ON d.item_id = w.device_id "
                "JOIN catalog_item i ON i.id = d.item_id "
                "JOIN catalog_record r ON r.id = i.record_id "
                "WHERE w.school_id = %s AND w.created_at BETWEEN %s AND %s GROUP BY 1",
                "dates",
            ),
        ],
        "weeding-and-spending": [
            (f"SELECT substr(r.dk5, 1, 2), r.year, count(*) {copies} GROUP BY 1, 2", "school"),
            (
                "SELECT substr(r.dk5, 1, 2), count(*) FROM catalog_item i "
                "JOIN catalog_record r ON r.id = i.record_id WHERE i.school_id = %s "
                "AND i.status = 'withdrawn' GROUP BY 1",
                "school",
            ),
        ],
    }.get(key, [])


def params(key: str, school: Any, starts: dt.date, ends: dt.date) -> list[Any]:
    if key in ("collection-size", "collection-age"):
        return [school.pk]
    if key == "dead-stock":
        return [school.pk, ends - dt.timedelta(days=3 * 365)]
    return [school.pk, starts, ends]


def measure(
    world: dict[str, Any], repeat: int, only: set[str] | None = None, year: str = ""
) -> None:
    from django.db import connection

    from reol.core import calendar
    from reol.core.plans import planned_for_their_values
    from reol.reports import dashboards, framework
    from reol.reports.framework import Filters

    school = world["schools"][0]
    year = year or calendar.current_school_year(school)
    starts, ends = calendar.school_year_bounds(school, year)
    filters = Filters(schools=(school,), starts=starts, ends=ends, school_year=year)
    vendor = connection.vendor
    print(f"\n{vendor}: {world['n']} loans={world['loans']}; one school, {year}")
    print(f"{'report':28} {'p50 ms':>8} {'p95 ms':>8} {'SQL p95':>8} {'ratio':>6}")

    def sql(key: str) -> Any:
        several = several_sql(key, vendor)

        def run() -> None:
            # Planned for its values as the reports' statements are (core.plans): the ratio is
            # Reol's own cost, not PostgreSQL's plan cache (the bare SQL would be prepared
            # after five runs and skip its planning).
            with planned_for_their_values(), connection.cursor() as cursor:
                if not several:
                    cursor.execute(baseline_sql(key, vendor), params(key, school, starts, ends))
                    cursor.fetchall()
                for text, kind in several:
                    asked = [school.pk] if kind == "school" else [school.pk, starts, ends]
                    cursor.execute(text, asked)
                    cursor.fetchall()

        return run

    for report in framework.reports():
        if only and report.key not in only:
            continue
        wide = report is dashboards.SCHOOLS
        asked = (
            Filters(schools=tuple(world["schools"]), starts=starts, ends=ends) if wide else filters
        )
        ours = timed(lambda r=report, f=asked: framework.result(r, f), repeat)
        base = timed(sql(report.key) if not wide else _schools_sql(starts, ends), repeat)
        ratio = pct(ours, 0.95) / max(pct(base, 0.95), 0.001)
        print(
            f"{report.key:28} {pct(ours, 0.5):8.1f} {pct(ours, 0.95):8.1f} "
            f"{pct(base, 0.95):8.1f} {ratio:6.1f}"
        )
    if only and "dashboards" not in only:
        return
    for name, fn in (
        ("dashboard: librarian today", lambda: dashboards.librarian_today(school)),
        ("dashboard: year at a glance", lambda: dashboards.year_at_a_glance(school)),
    ):
        ours = timed(fn, repeat)
        print(f"{name:28} {pct(ours, 0.5):8.1f} {pct(ours, 0.95):8.1f}")


def _schools_sql(starts: dt.date, ends: dt.date) -> Any:
    from django.db import connection

    from reol.core.plans import planned_for_their_values

    # The report's three questions per school: its students, its copies, its students' loans
    # and borrowers (the loans alone were this baseline until 7 December 2026).
    questions = [
        (
            "SELECT school_id, count(*) FROM patrons_patron "
            "WHERE category = 'student' AND active GROUP BY school_id",
            [],
        ),
        (
            "SELECT school_id, count(*) FROM catalog_item "
            "WHERE status NOT IN ('withdrawn', 'lost') GROUP BY school_id",
            [],
        ),
        (
            "SELECT school_id, count(*), count(DISTINCT patron_id) FROM circulation_loan "
            "WHERE loan_date BETWEEN %s AND %s AND patron_category = 'student' GROUP BY school_id",
            [starts, ends],
        ),
    ]

    def run() -> None:
        with planned_for_their_values(), connection.cursor() as cursor:
            for sql, asked in questions:
                cursor.execute(sql, asked)
                cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="SQLite: keep the database file in DIR")
    parser.add_argument("--reuse", action="store_true", help="time the data already generated")
    parser.add_argument("--only", default="", help="comma-separated report keys, 'dashboards'")
    parser.add_argument(
        "--year",
        default="",
        help="the school years to time, comma-separated, e.g. 2025/26,now (default: now)",
    )
    args = parser.parse_args()
    if not os.environ.get("REOL_DATABASE_URL"):
        folder = args.keep or tempfile.mkdtemp(prefix="reol-bench-reports-")
        Path(folder).mkdir(parents=True, exist_ok=True)
        os.environ["REOL_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django

    django.setup()
    started = time.perf_counter()
    world = existing() if args.reuse else None
    if world is None:
        world = generate(args.scale)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        print("reused the municipality already in the database", flush=True)
    only = {k.strip() for k in args.only.split(",") if k.strip()} or None
    for year in (args.year or "now").split(","):
        measure(world, args.repeat, only, "" if year.strip() == "now" else year.strip())


if __name__ == "__main__":
    main()
