"""MARC import speed, beside pymarc's raw parse rate of the same file in the same run.

    .venv/bin/python bench/marc_import.py [--records N] [--skip-postgres] [--profile]

Writes N synthetic records (bench/dataset.py), measures how fast pymarc alone parses the file
(and Reol's own streaming reader), then imports the file with the real ``import_marc`` into a
fresh SQLite database and a fresh PostgreSQL one (a throwaway cluster from tests.pgcluster),
each in its own process with its own migrated database. Each import process parses the file
with pymarc just before and just after importing, and the ratio is taken against the mean of
the two, so a busy neighbour on a shared machine moves both numbers together; the same ratio
per CPU second of the process is printed too (steadier still, but for PostgreSQL it leaves out
the server's work). --reimport imports the file a second time (every record updated).

Targets (issue): import at >= 25 % of pymarc's raw parse rate; 1,000,000 records in under
10 minutes on SQLite (>= 1,667 records/s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.25
TARGET_1M_SECONDS = 600


def pymarc_rate(path: Path) -> tuple[int, float, float]:
    """(records, records/s, records per CPU second) of pymarc.MARCReader reading the file."""
    import pymarc

    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    with path.open("rb") as stream:
        for record in pymarc.MARCReader(stream, to_unicode=True, force_utf8=True):
            if record is not None:
                count += 1
    return count, count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def reader_rate(path: Path) -> tuple[int, float]:
    """(records, records/s) of Reol's own streaming reader (reol.catalog.marc.read_records)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()  # the reader's messages are translated
    from reol.catalog import marc

    started = time.perf_counter()
    count = 0
    with path.open("rb") as stream:
        for result in marc.read_records(stream):
            if result.record is not None:
                count += 1
    return count, count / (time.perf_counter() - started)


# --- The import, in a process of its own (one Django set-up per database) ---------------------


def worker(path: Path, profile: Path | None, reimport: bool) -> None:
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reol.catalog.importer import import_marc
    from reol.catalog.models import Item, Record, SearchOutbox
    from reol.catalog.sample import LOCATION_CODES
    from reol.core import services
    from reol.core.permissions import SYSTEM

    call_command("migrate", verbosity=0, interactive=False)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="Bench")
    for code, name in LOCATION_CODES.items():
        services.create_location(SYSTEM, school, code=code, name=name)

    _count, before, before_cpu = pymarc_rate(path)  # the same file, the same process
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as stream:
        report = import_marc(SYSTEM, school, stream)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    _count, after, after_cpu = pymarc_rate(path)  # and just after
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "pymarc_rate": (before + after) / 2,
        "pymarc_before_after": [before, after],
        "pymarc_cpu_rate": (before_cpu + after_cpu) / 2,
        "read": report.read,
        "created": report.created,
        "rejected": report.rejected,
        "copies": report.copies_created,
        "warnings": len(report.warnings),
        "errors": [str(e) for e in report.errors[:5]],
        "records_in_db": Record.objects.count(),
        "items_in_db": Item.objects.count(),
        "outbox_rows": SearchOutbox.objects.count(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if reimport:  # the same file again: every record matched and updated, no copy added
        started = time.perf_counter()
        with path.open("rb") as stream:
            again = import_marc(SYSTEM, school, stream)
        result["reimport_seconds"] = time.perf_counter() - started
        result["reimport_updated"] = again.updated
        result["reimport_copies"] = again.copies_created
        result["records_after_reimport"] = Record.objects.count()
    print("RESULT " + json.dumps(result), flush=True)


def run_worker(
    path: Path, var_dir: Path, postgres: bool, profile: Path | None, reimport: bool
) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "REOL_DATABASE_URL"}
    env.update(REOL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="reol.settings", REOL_DEBUG="")
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path)]
    if profile:
        command += ["--profile-out", str(profile)]
    if reimport:
        command += ["--reimport"]
    if postgres:
        command = [sys.executable, "-m", "tests.pgcluster", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"the {'PostgreSQL' if postgres else 'SQLite'} import failed")
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def show_profile(path: Path, limit: int = 30) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


# --- The report --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="records to import")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--profile", action="store_true", help="cProfile each import, print it")
    parser.add_argument("--reimport", action="store_true", help="import the file again, timed")
    parser.add_argument("--tmp", type=Path, help="folder for the file and databases")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.profile_out, args.reimport)
        return 0

    from dataset import write  # bench/dataset.py, next to this file

    with tempfile.TemporaryDirectory(prefix="reol-bench-", dir=args.tmp) as tmp:
        work = Path(tmp)
        path = work / "catalogue.mrc"
        n = args.records
        seconds = write(path, n)
        size = path.stat().st_size / 1e6
        print(f"{n:,} synthetic records, {size:,.1f} MB, written in {seconds:.1f} s")
        count, raw, _cpu = pymarc_rate(path)
        assert count == n, f"pymarc read {count} of {n} records"
        _count, ours = reader_rate(path)
        print(f"pymarc raw parse:             {raw:10,.0f} records/s")
        print(f"reol marc.read_records parse: {ours:10,.0f} records/s ({ours / raw:.0%} of pymarc)")
        print()
        results = []
        targets = [("SQLite", False)] * (not args.skip_sqlite) + [("PostgreSQL", True)] * (
            not args.skip_postgres
        )
        for name, postgres in targets:
            profile = work / f"{name}.prof" if args.profile else None
            result = run_worker(path, work / name, postgres, profile, args.reimport)
            results.append((name, result))
            report(name, n, result)
            if profile:
                show_profile(profile)
        ok = True
        for name, result in results:
            rate = result["read"] / result["seconds"]
            ok &= rate / result["pymarc_rate"] >= TARGET_RATIO
            if name == "SQLite":
                ok &= 1_000_000 / rate < TARGET_1M_SECONDS
        print("targets met" if ok else "TARGETS NOT MET")
    return 0


def report(name: str, n: int, result: dict[str, Any]) -> None:
    seconds, read = result["seconds"], result["read"]
    rate = read / seconds
    ratio = rate / result["pymarc_rate"]
    million = 1_000_000 / rate
    print(f"{name} ({result['vendor']}): {read:,} records in {seconds:.1f} s")
    print(f"  import:        {rate:10,.0f} records/s, {result['copies'] / seconds:,.0f} copies/s")
    before, after = result["pymarc_before_after"]
    print(
        f"  pymarc parse:  {result['pymarc_rate']:10,.0f} records/s (same process: "
        f"{before:,.0f} just before, {after:,.0f} just after)"
    )
    print(f"  ratio:         {ratio:10.1%}   (target >= {TARGET_RATIO:.0%})")
    cpu_rate = read / result["cpu_seconds"]
    print(
        f"  per CPU second: import {cpu_rate:,.0f}, pymarc {result['pymarc_cpu_rate']:,.0f}: "
        f"ratio {cpu_rate / result['pymarc_cpu_rate']:.1%} (this process only"
        f"{'' if result['vendor'] == 'sqlite' else '; the server works besides'}; steadier on a "
        "busy machine)"
    )
    target = TARGET_1M_SECONDS // 60
    print(f"  1,000,000 records: {million / 60:.1f} min projected (target < {target} min)")
    print(
        f"  created {result['created']:,}, rejected {result['rejected']}, "
        f"copies {result['copies']:,}, "
        f"warnings {result['warnings']}; in the database: {result['records_in_db']:,} records, "
        f"{result['items_in_db']:,} copies, {result['outbox_rows']:,} search-outbox rows; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    if "reimport_seconds" in result:
        again = result["reimport_seconds"]
        print(
            f"  re-import:     {read / again:10,.0f} records/s ({again:.1f} s): updated "
            f"{result['reimport_updated']:,}, copies added {result['reimport_copies']}, "
            f"records in the database {result['records_after_reimport']:,}"
        )
    for error in result["errors"]:
        print(f"  REJECTED {error}")
    if result["created"] != n or result["records_in_db"] != n:
        print(f"  !! expected {n:,} records")
    print()


if __name__ == "__main__":
    sys.exit(main())
