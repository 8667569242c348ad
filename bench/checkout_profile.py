"""CPU ms of an API checkout and check-in, in-process, and where it goes (cProfile).

    .venv/bin/python bench/checkout_profile.py [--ops 300] [--profile checkout|checkin|trivial]
                                               [--sql] [--top 40] [--rounds 1] [--student]
    .venv/bin/python -m tests.pgcluster -- .venv/bin/python bench/checkout_profile.py --postgres

A fresh SQLite database in a temporary REOL_VAR_DIR, or with ``--postgres`` the cluster's (the
same world as ``bench/circulation.py``: a school, a librarian with an API token, a teacher with N
copies), then through
``django.test.Client`` (every middleware, the bearer token, ninja, the service) N requests of
each kind, timing each one's CPU (``time.process_time``): the trivial endpoint
(``GET /bench/pk/<id>``, token + one primary-key read), ``POST /api/v1/circulation/checkout`` and
``/checkin``, then the service's ``checkout``/``checkin`` called directly. CPU ms is the figure
to compare between two trees on a shared machine (run the old tree and the new one in turn).

``--profile KIND`` runs cProfile over that kind's requests and prints the functions by their own
and cumulative time; ``--sql`` prints the statements of one checkout and one check-in.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(var_dir: str, postgres: bool) -> None:
    os.environ["REOL_VAR_DIR"] = var_dir
    if not postgres:
        os.environ.pop("REOL_DATABASE_URL", None)
    elif "REOL_DATABASE_URL" not in os.environ:
        sys.exit("--postgres runs inside a cluster: python -m tests.pgcluster -- python ...")
    os.environ["REOL_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.circulation"  # Reol's URLs with /bench/pk/<id> in front


Samples = tuple[list[float], list[float]]  # CPU ms, wall ms


def _timed(call: Callable[[], Any], n: int, profile: cProfile.Profile | None) -> Samples:
    cpu_ms, wall_ms = [], []
    for _ in range(n):
        cpu, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        call()
        if profile is not None:
            profile.disable()
        cpu_ms.append((time.process_time() - cpu) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
    return cpu_ms, wall_ms


def _line(name: str, samples: Samples) -> str:
    cpu, wall = samples
    return (
        f"{name:<28} mean {statistics.fmean(cpu):6.2f} ms CPU   "
        f"median {statistics.median(cpu):6.2f}   wall median {statistics.median(wall):6.2f}"
        f"   n {len(cpu)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--profile", choices=["checkout", "checkin", "trivial", "service"])
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="write the profile here too (for pstats or snakeviz)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--student", action="store_true", help="lend to a student (the return forgets them)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="the database of REOL_DATABASE_URL (run inside python -m tests.pgcluster --); the "
        "wall time less the CPU time is then mostly waiting for the server",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reol-ckprof-") as var_dir:
        _setup(var_dir, args.postgres)
        import reol

        print(f"tree: {Path(reol.__file__).parent.parent}")
        run(args)


def _student_world(world: dict[str, Any], copies: int) -> tuple[str, list[str], list[int]]:
    """A student with a patron row in a class, the student rules' limit lifted, and ``copies``
    titles of one copy each (a student borrows one copy of a title)."""
    from reol.catalog import services as catalog
    from reol.catalog.tests.helpers import book
    from reol.circulation.actions import rules
    from reol.core.permissions import SYSTEM
    from reol.patrons import services as patrons

    school, municipality = world["school"], world["municipality"]
    student = patrons.create_patron(
        SYSTEM, school, category="student", username="elev", first_name="Elev", grade=5
    )
    group = patrons.create_group(SYSTEM, school, name="5.A", school_year="2026/27", grade=5)
    patrons.add_member(SYSTEM, group, student, role="student")
    for rule in school.loan_rules.filter(patron_category="student"):
        rules.save_rule(SYSTEM, school, rule, max_loans=10_000)
    barcodes, ids = [], []
    for n in range(copies):
        record = catalog.create_record(SYSTEM, municipality, book(f"Elevbog {n}", control=f"e{n}"))
        [copy] = catalog.add_items(SYSTEM, record, school, count=1)
        barcodes.append(copy.barcode)
        ids.append(copy.pk)
    return student.user.username, barcodes, ids


def run(args: argparse.Namespace) -> None:
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.circulation import _world
    from reol.circulation.actions import loans
    from reol.core.permissions import forget_cached_roles

    ops, warm = args.ops, 20
    needed = max(ops, warm) + 1  # each round lends its copies and takes them back
    world = _world(1, 1 if args.student else needed)
    copies, ids = world["items"][0], world["ids"][0]
    teacher, school, librarian = world["teachers"][0], world["school"], world["librarian"]
    if args.student:  # a student in a class, one copy each of many titles
        teacher, copies, ids = _student_world(world, needed)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world['token']}")
    used = itertools.cycle(range(len(copies) - 1))  # the last one is for --sql

    def post(path: str, body: dict[str, Any], status: int) -> None:
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == status, (response.status_code, response.content)

    def api_round(n: int, profile: dict[str, cProfile.Profile]) -> dict[str, Samples]:
        batch = [next(used) for _ in range(n)]
        out = iter(batch)
        back = iter(batch)
        reads = iter(batch)
        return {
            "trivial (token + PK read)": _timed(
                lambda: client.get(f"/bench/pk/{ids[next(reads)]}"), n, profile.get("trivial")
            ),
            "API checkout": _timed(
                lambda: post(
                    "/api/v1/circulation/checkout",
                    {"patron": teacher, "item": copies[next(out)]},
                    201,
                ),
                n,
                profile.get("checkout"),
            ),
            "API check-in": _timed(
                lambda: post("/api/v1/circulation/checkin", {"item": copies[next(back)]}, 200),
                n,
                profile.get("checkin"),
            ),
        }

    def service_round(n: int, profile: cProfile.Profile | None) -> dict[str, Samples]:
        batch = [copies[next(used)] for _ in range(n)]
        out, back = iter(batch), iter(batch)

        def lend() -> None:
            forget_cached_roles(librarian)  # as a new request: the actor's roles read again
            loans.checkout(librarian, school, teacher, next(out))

        def take_back() -> None:
            forget_cached_roles(librarian)
            loans.checkin(librarian, school, next(back))

        return {
            "service checkout": _timed(lend, n, profile),
            "service check-in": _timed(take_back, n, profile),
        }

    api_round(warm, {})  # imports, caches, SQLite's prepared statements
    service_round(4, None)
    if args.sql:
        for path, body, status in (
            ("/api/v1/circulation/checkout", {"patron": teacher, "item": copies[-1]}, 201),
            ("/api/v1/circulation/checkin", {"item": copies[-1]}, 200),
        ):
            with CaptureQueriesContext(connection) as queries:
                post(path, body, status)
            print(f"\n{path}: {len(queries.captured_queries)} statements")
            for query in queries.captured_queries:
                print("  ", query["sql"][:300])
        print()
    profiles: dict[str, cProfile.Profile] = {}
    if args.profile:
        profiles[args.profile] = cProfile.Profile()
    for _ in range(args.rounds):
        results = api_round(ops, profiles)
        results.update(service_round(ops, profiles.get("service")))
        for name, samples in results.items():
            print(_line(name, samples))
    if args.profile:
        stats = pstats.Stats(profiles[args.profile])
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
