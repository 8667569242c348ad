"""Roster import speed: a OneRoster bundle of 100,000 students in 4,000 classes, beside Python's
csv module reading the same files in the same run.

    .venv/bin/python bench/roster_import.py [--students 100000] [--classes 4000]
                                            [--skip-postgres] [--skip-sqlite] [--profile]

Writes a OneRoster 1.1 bundle (a folder: manifest, orgs, academicSessions, users, classes,
enrollments; one teacher per class), then imports it with the real ``load`` +
``import_roster`` into a fresh SQLite database and a fresh PostgreSQL one (a throwaway cluster
from tests.pgcluster), each in a process of its own with its own migrated database. Each
process reads the bundle's files with ``csv.reader`` just before and just after the import, and
the import's rows/s is printed beside the mean of the two. Then it imports the same bundle again
(every patron matched and unchanged: the idempotent second run) and times that too.

Target (issue): the whole import of 100,000 students and 4,000 groups under 60 s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60
FILES = ("manifest", "orgs", "academicSessions", "users", "classes", "enrollments")
FIRST = ["Anna", "Bo", "Emma", "Frederik", "Ida", "Karl", "Freja", "Noah", "Åse", "Søren", "Ærle"]
LAST = ["Hansen", "Jensen", "Nielsen", "Ørsted", "Østergård", "Kierkegård", "Larsen", "Berg"]


def write_bundle(folder: Path, students: int, classes: int, seed: int = 7) -> int:
    """The bundle's files; returns the number of data rows written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = 0

    def table(name: str, header: list[str], body: list[list[str]]) -> None:
        nonlocal rows
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(body)
        rows += len(body)

    table(
        "manifest",
        ["propertyName", "value"],
        [["oneroster.version", "1.1"]] + [[f"file.{n}", "bulk"] for n in FILES if n != "manifest"],
    )
    table(
        "orgs",
        ["sourcedId", "status", "name", "type", "identifier", "parentSourcedId"],
        [
            ["dist", "active", "Bench Kommune", "district", "", ""],
            ["school", "active", "Bench School", "school", "B1", "dist"],
        ],
    )
    table(
        "academicSessions",
        [
            "sourcedId",
            "status",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        [
            ["sy", "active", "2026/27", "schoolYear", "2026-08-10", "2027-06-25", "", "2027"],
            ["t1", "active", "Autumn", "term", "2026-08-10", "2026-12-20", "sy", "2027"],
            ["t2", "active", "Spring", "term", "2027-01-04", "2027-06-25", "sy", "2027"],
        ],
    )
    class_rows = []
    for c in range(classes):
        grade = c % 10
        class_rows.append(
            [
                f"class-{c}",
                "active",
                f"{grade}.{c // 10}",
                f"{grade:02d}",
                f"C{c}",
                "homeroom",
                "school",
                "t1,t2",
            ]
        )
    table(
        "classes",
        [
            "sourcedId",
            "status",
            "title",
            "grades",
            "classCode",
            "classType",
            "schoolSourcedId",
            "termSourcedIds",
        ],
        class_rows,
    )
    users = []
    enrollments = []
    for s in range(students):
        c = s % classes
        users.append(
            [
                f"stu-{s}",
                "active",
                "true",
                "school",
                "student",
                f"elev{s}",
                rng.choice(FIRST),
                rng.choice(LAST),
                f"S{s:06d}",
                "",
                f"{c % 10:02d}",
                "",
            ]
        )
        enrollments.append([f"enr-s{s}", f"class-{c}", "school", f"stu-{s}", "student"])
    for c in range(classes):
        users.append(
            [
                f"tea-{c}",
                "active",
                "true",
                "school",
                "teacher",
                f"laerer{c}",
                rng.choice(FIRST),
                rng.choice(LAST),
                f"T{c:05d}",
                f"laerer{c}@skole.dk",
                "",
                "",
            ]
        )
        enrollments.append([f"enr-t{c}", f"class-{c}", "school", f"tea-{c}", "teacher"])
    table(
        "users",
        [
            "sourcedId",
            "status",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
            "identifier",
            "email",
            "grades",
            "agentSourcedIds",
        ],
        users,
    )
    table(
        "enrollments",
        ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
        enrollments,
    )
    return rows


def csv_rate(folder: Path) -> tuple[int, float]:
    """(rows, rows/s) of csv.reader reading every file of the bundle (decoding included)."""
    started = time.perf_counter()
    rows = 0
    for name in FILES:
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as stream:
            for _row in csv.reader(stream):
                rows += 1
    return rows, rows / (time.perf_counter() - started)


# --- The import, in a process of its own -------------------------------------------------------


def worker(folder: Path, profile: Path | None) -> None:
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reol.core import services
    from reol.core.models import Membership, User
    from reol.core.permissions import SYSTEM
    from reol.patrons.models import Group, GroupMember, Patron
    from reol.rosters.importer import import_roster
    from reol.rosters.sources import Choices, load

    call_command("migrate", verbosity=0, interactive=False)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="b1", name="Bench")

    def timed_import() -> tuple[Any, float, float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        roster = load(folder, school, Choices(card_from="identifier"))
        read = time.perf_counter() - started
        report = import_roster(SYSTEM, school, roster, dry_run=False)
        return report, time.perf_counter() - started, time.process_time() - cpu, read

    rows_before, before = csv_rate(folder)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    report, seconds, cpu_seconds, read_seconds = timed_import()
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    _rows, after = csv_rate(folder)
    again, again_seconds, _cpu, _read = timed_import()
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "rows": rows_before,
        "seconds": seconds,
        "read_seconds": read_seconds,
        "cpu_seconds": cpu_seconds,
        "csv_rate": (before + after) / 2,
        "csv_before_after": [before, after],
        "saved": report.saved,
        "counts": report.counts,
        "errors": [str(e) for e in report.errors[:5]],
        "again_seconds": again_seconds,
        "again_counts": again.counts,
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "patrons": Patron.objects.count(),
        "groups": Group.objects.count(),
        "members": GroupMember.objects.count(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("RESULT " + json.dumps(result), flush=True)


def run_worker(folder: Path, var_dir: Path, postgres: bool, profile: Path | None) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "REOL_DATABASE_URL"}
    env.update(REOL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="reol.settings", REOL_DEBUG="")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder)]
    if profile:
        command += ["--profile-out", str(profile)]
    if postgres:
        command = [sys.executable, "-m", "tests.pgcluster", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"the {'PostgreSQL' if postgres else 'SQLite'} import failed")
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=4_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile each import, print it")
    parser.add_argument("--tmp", type=Path, help="folder for the bundle and databases")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.profile_out)
        return 0
    with tempfile.TemporaryDirectory(prefix="reol-roster-bench-", dir=args.tmp) as tmp:
        work = Path(tmp)
        folder = work / "oneroster"
        started = time.perf_counter()
        rows = write_bundle(folder, args.students, args.classes)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(
            f"OneRoster bundle: {args.students:,} students, {args.classes:,} classes and "
            f"teachers, {rows:,} rows, {size:.1f} MB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        _rows, rate = csv_rate(folder)
        print(f"csv.reader over the bundle: {rate:12,.0f} rows/s")
        targets = [("SQLite", False)] * (not args.skip_sqlite) + [("PostgreSQL", True)] * (
            not args.skip_postgres
        )
        for name, postgres in targets:
            profile = work / f"{name}.prof" if args.profile else None
            r = run_worker(folder, work / name, postgres, profile)
            rate = r["rows"] / r["seconds"]
            ok = "met" if r["seconds"] < TARGET_SECONDS else "NOT met"
            print()
            print(f"{name} ({r['vendor']}): saved={r['saved']} {r['errors'] or ''}")
            print(
                f"  import:            {r['seconds']:7.1f} s  {rate:10,.0f} rows/s  "
                f"(reading the bundle {r['read_seconds']:.1f} s; CPU {r['cpu_seconds']:.1f} s)"
            )
            print(
                f"  csv.reader, same process: {r['csv_rate']:10,.0f} rows/s "
                f"(before/after {r['csv_before_after'][0]:,.0f}/{r['csv_before_after'][1]:,.0f}); "
                f"import at {rate / r['csv_rate']:.1%} of it"
            )
            print(
                f"  again (idempotent): {r['again_seconds']:6.1f} s  "
                f"{r['rows'] / r['again_seconds']:10,.0f} rows/s; "
                f"unchanged {r['again_counts'].get('patrons_unchanged')}, created "
                f"{r['again_counts'].get('patrons_created')}, updated "
                f"{r['again_counts'].get('patrons_updated')}"
            )
            print(
                f"  database: {r['users']:,} people, {r['memberships']:,} roles, "
                f"{r['patrons']:,} patrons, {r['groups']:,} groups, {r['members']:,} members; "
                f"peak memory {r['peak_rss_mb']:.0f} MB"
            )
            print(f"  target < {TARGET_SECONDS} s for the whole import: {ok}")
            if profile:
                import pstats

                pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
