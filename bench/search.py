"""Search latency through the HTTP API, beside the bare Tantivy query, in the same run.

    .venv/bin/python bench/search.py [--records N] [--skip-postgres] [--repeat R]

Imports N synthetic records (bench/dataset.py → the real ``import_marc``) into a fresh SQLite
database and a fresh PostgreSQL one (a throwaway cluster from tests.pgcluster), each in its own
process, rebuilds the search index (build time, index size), then times each query R times:

* api   — ``GET /api/v1/search`` (or ``/autocomplete``) through Django's test client: URL routing,
          ninja's parameter parsing, our query building, Tantivy, the JSON response;
* engine — ``reol.catalog.search.search()`` in-process: our parser and query building + Tantivy;
* bare  — the same compiled Tantivy query run directly (top 20 and stored documents, plus the
          facet aggregation when the API computes facets): Tantivy alone.

Targets (issue): API p95 ≤ 15 ms without facets, ≤ 30 ms with facets, autocomplete ≤ 10 ms,
the API at most 3× the bare query; a full reindex of 1,000,000 records in under 5 minutes.
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

# (name, query parameters, with facets?) — words common in the synthetic catalogue.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("common term", {"q": "dinosaurer"}),
    ("very common term", {"q": "historie"}),
    ("two terms", {"q": "heste venskab"}),
    ("phrase", {"q": '"kaptein sabeltann"'}),
    ("prefix", {"q": "spøgelse*"}),
    ("typo", {"q": "dinosauer"}),
    (
        "3 facet filters",
        {"q": "fodbold", "material_type": "book", "language": "dan", "age": "9-12"},
    ),
]
AUTOCOMPLETE = ("autocomplete", {"q": "dinos"})


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (
        ordered[len(ordered) // 2] * 1000,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    )


def _time(fn: Any, repeat: int) -> tuple[float, float]:
    for _ in range(5):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def worker(path: Path, repeat: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from reol.catalog import search
    from reol.catalog.importer import import_marc
    from reol.catalog.sample import LOCATION_CODES
    from reol.core import services
    from reol.core.permissions import SYSTEM

    call_command("migrate", verbosity=0, interactive=False)
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="Bench")
    for code, name in LOCATION_CODES.items():
        services.create_location(SYSTEM, school, code=code, name=name)
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = import_marc(SYSTEM, school, stream)
    import_seconds = time.perf_counter() - started

    started = time.perf_counter()
    documents = search.reindex()
    build_seconds = time.perf_counter() - started
    index_dir = search.engine().path
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())

    client = Client()
    engine = search.engine()
    rows = []
    for name, params in [*CASES, AUTOCOMPLETE]:
        is_auto = name == "autocomplete"
        url = "/api/v1/autocomplete" if is_auto else "/api/v1/search"
        query = search.SearchQuery(
            text=params["q"],
            municipality_id=municipality.pk,
            filters={
                k: [v] for k, v in params.items() if k in ("material_type", "language", "age")
            },
            facets=not is_auto,
            size=8 if is_auto else 20,
            prefix_last=is_auto,
        )

        def api(url: str = url, params: dict[str, Any] = params) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, response.content

        def run_engine(query: search.SearchQuery = query) -> search.SearchResult:
            return search.search(query)

        total = 0 if is_auto else run_engine().total
        compiled = engine.last_query
        assert compiled is not None

        def bare(compiled: Any = compiled, is_auto: bool = is_auto) -> None:
            searcher = engine.searcher()
            found = searcher.search(compiled, limit=8 if is_auto else 20)
            for _score, addr in found.hits:
                searcher.doc(addr)
            if not is_auto:
                engine._facets(searcher, compiled)

        rows.append(
            {
                "name": name,
                "total": total,
                "api": _time(api, repeat),
                "engine": _time(run_engine, repeat),
                "bare": _time(bare, repeat),
            }
        )
    result = {
        "vendor": connection.vendor,
        "records": report.created,
        "import_seconds": import_seconds,
        "documents": documents,
        "build_seconds": build_seconds,
        "index_mb": size / 1e6,
        "rows": rows,
    }
    print("RESULT " + json.dumps(result), flush=True)


def run_worker(path: Path, var_dir: Path, postgres: bool, repeat: int) -> dict[str, Any]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "REOL_DATABASE_URL"}
    env.update(
        REOL_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="reol.settings",
        REOL_DEBUG="",
        REOL_PUBLIC_MUNICIPALITY="bench",
        REOL_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path)]
    command += ["--repeat", str(repeat)]
    if postgres:
        command = [sys.executable, "-m", "tests.pgcluster", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"the {'PostgreSQL' if postgres else 'SQLite'} run failed")
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def report(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name}: {result['records']:,} records imported in {result['import_seconds']:.0f} s; "
        f"reindex {result['documents']:,} documents in {result['build_seconds']:.1f} s "
        f"({result['documents'] / result['build_seconds']:,.0f}/s), "
        f"index {result['index_mb']:,.0f} MB"
    )
    print(
        f"  {'query':18} {'hits':>9}   {'API p50/p95 ms':>15}   {'engine p50/p95':>15}   "
        f"{'bare p50/p95':>13}   API/bare p95"
    )
    for row in result["rows"]:
        api, eng, bare = row["api"], row["engine"], row["bare"]
        print(
            f"  {row['name']:18} {row['total']:9,}   {api[0]:6.1f} / {api[1]:6.1f}   "
            f"{eng[0]:6.1f} / {eng[1]:6.1f}   {bare[0]:5.1f} / {bare[1]:5.1f}   "
            f"{api[1] / max(bare[1], 1e-6):5.1f}×"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in the catalogue")
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--tmp", type=Path, help="folder for the file and databases")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.repeat)
        return 0

    from dataset import write  # bench/dataset.py, next to this file

    with tempfile.TemporaryDirectory(prefix="reol-bench-search-", dir=args.tmp) as tmp:
        work = Path(tmp)
        path = work / "catalogue.mrc"
        seconds = write(path, args.records)
        print(f"{args.records:,} synthetic records written in {seconds:.1f} s")
        targets = [("SQLite", False)] * (not args.skip_sqlite) + [("PostgreSQL", True)] * (
            not args.skip_postgres
        )
        for name, postgres in targets:
            report(name, run_worker(path, work / name, postgres, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
