"""Search latency through the HTTP API, beside the bare Tantivy query, in the same run; and how
far the indexer falls behind while 8 clients edit the catalogue.

    .venv/bin/python bench/search.py [--records N] [--skip-postgres] [--repeat R]
                                     [--lag-seconds S] [--keep DIR]

Imports N synthetic records (bench/dataset.py → the real ``import_marc``) into a fresh SQLite
database and a fresh PostgreSQL one (a throwaway cluster from tests.pgcluster), each in its own
process, rebuilds the search index (build time, index size), then times each query R times:

* api   — ``GET /api/v1/search`` (or ``/autocomplete``) through Django's test client: URL routing,
          ninja's parameter parsing, our query building, Tantivy, the JSON response;
* engine — ``reol.catalog.search.search()`` in-process: our parser and query building + Tantivy;
* bare  — the same compiled Tantivy query run directly (top 20 and stored documents, plus the
          facet aggregation when the API computes facets): Tantivy alone.

Then the lag: the real indexer (``reol search run``) runs in a process of its own while 8 writer
processes edit records through ``catalog.services.update_record`` for S seconds, each edit
putting a new word in the record's summary; this process polls its own index reader (as a web
worker would) and notes when each word becomes searchable. Printed: p50/p95/max of commit →
searchable, edits/s, and beside them the bare index commit time (add one document, commit).

``--keep DIR`` keeps the file, databases and index in DIR and re-uses a database that already
holds the records (the PostgreSQL cluster is always new), for re-running a large size.

Targets (issue): API p95 ≤ 15 ms without facets, ≤ 30 ms with facets, autocomplete ≤ 10 ms,
the API at most 3× the bare query; a full reindex of 1,000,000 records in under 5 minutes; the
index ≤ 2 s behind the database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (name, query parameters) — words common in the synthetic catalogue. ``facets=all`` asks the
# API to count every facet (the bare query then runs the same aggregation).
FILTERS = {"material_type": "book", "language": "dan", "age": "9-12"}
CASES: list[tuple[str, dict[str, Any]]] = [
    ("common term", {"q": "dinosaurer"}),
    ("very common term", {"q": "historie"}),
    ("two terms", {"q": "heste venskab"}),
    ("phrase", {"q": '"kaptein sabeltann"'}),
    ("prefix", {"q": "spøgelse*"}),
    ("typo", {"q": "dinosauer"}),
    ("3 facet filters", {"q": "fodbold", **FILTERS}),
    ("common + facets", {"q": "dinosaurer", "facets": "all"}),
    ("very common + facets", {"q": "historie", "facets": "all"}),
    ("3 filters + facets", {"q": "fodbold", **FILTERS, "facets": "all"}),
    # A child's words: stop words that only rank, and a sentence searched for its content words
    # (stages that leave words out until enough is found).
    ("stop words", {"q": "heste og dinosaurer"}),
    ("sentence", {"q": "jeg vil gerne låne en bog om heste og dinosaurer til min lillebror"}),
]
AUTOCOMPLETE = ("autocomplete", {"q": "dinos"})
WRITERS = 8


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (
        ordered[len(ordered) // 2] * 1000,
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    )


def _time(fns: list[Any], repeat: int) -> list[dict[str, tuple[float, float]]]:
    """p50/p95 of each function, run in turn (api, engine, bare, api, …) so that a neighbour's
    burst of work on this shared machine falls on all of them alike, not on one: wall-clock
    time, and this thread's CPU time (Tantivy searches in the calling thread), which waiting
    for a busy CPU does not inflate."""
    for fn in fns:
        for _ in range(5):
            fn()
    wall: list[list[float]] = [[] for _ in fns]
    cpu: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for index, fn in enumerate(fns):
            started, started_cpu = time.perf_counter(), time.thread_time()
            fn()
            cpu[index].append(time.thread_time() - started_cpu)
            wall[index].append(time.perf_counter() - started)
    return [
        {"wall": _percentiles(w), "cpu": _percentiles(c)} for w, c in zip(wall, cpu, strict=True)
    ]


def _import(path: Path) -> tuple[int, float, bool]:
    """The catalogue in the database: (records, seconds, re-used?)."""
    from django.core.management import call_command

    from reol.catalog.importer import import_marc
    from reol.catalog.models import Record
    from reol.catalog.sample import LOCATION_CODES
    from reol.core import services
    from reol.core.models import Municipality
    from reol.core.permissions import SYSTEM

    call_command("migrate", verbosity=0, interactive=False)
    if Municipality.objects.filter(code="bench").exists():
        return Record.objects.count(), 0.0, True
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="Bench")
    for code, name in LOCATION_CODES.items():
        services.create_location(SYSTEM, school, code=code, name=name)
    started = time.perf_counter()
    with path.open("rb") as stream:
        report = import_marc(SYSTEM, school, stream)
    return report.created, time.perf_counter() - started, False


def worker(path: Path, repeat: int, lag_seconds: float) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    from reol.catalog import search
    from reol.core.models import Municipality

    records, import_seconds, reused = _import(path)
    municipality = Municipality.objects.get(code="bench")

    search.forget_engines()
    started = time.perf_counter()
    documents = search.reindex()
    build_seconds = time.perf_counter() - started
    index_dir = search.engine().path
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())

    client = Client()
    engine = search.engine()
    rows = []
    for name, params in [*CASES, AUTOCOMPLETE] if repeat else []:
        is_auto = name == "autocomplete"
        with_facets = params.get("facets") == "all"
        url = "/api/v1/autocomplete" if is_auto else "/api/v1/search"
        query = search.SearchQuery(
            text=params["q"],
            municipality_id=municipality.pk,
            filters={k: [v] for k, v in params.items() if k in FILTERS},
            facets=with_facets,
            size=8 if is_auto else 20,
            prefix_last=is_auto,
        )

        def api(url: str = url, params: dict[str, Any] = params) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, response.content

        def run_engine(query: search.SearchQuery = query) -> search.SearchResult:
            return search.search(query)

        total = run_engine().total  # also leaves this query compiled in engine.last_query
        total = 0 if is_auto else total
        compiled = engine.last_query
        assert compiled is not None

        def bare(
            compiled: Any = compiled, is_auto: bool = is_auto, facets: bool = with_facets
        ) -> None:
            searcher = engine.searcher()
            found = searcher.search(compiled, limit=8 if is_auto else 20)
            for _score, addr in found.hits:
                searcher.doc(addr)
            if facets:
                engine._facets(searcher, compiled)

        api_times, engine_times, bare_times = _time([api, run_engine, bare], repeat)
        rows.append(
            {
                "name": name,
                "total": total,
                "api": api_times,
                "engine": engine_times,
                "bare": bare_times,
            }
        )
    connection.close()
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "records": records,
        "reused": reused,
        "lag": [],
        "import_seconds": import_seconds,
        "documents": documents,
        "build_seconds": build_seconds,
        "index_mb": size / 1e6,
        "rows": rows,
    }
    print("RESULT " + json.dumps(result), flush=True)  # the queries, should the lag part fail
    for mode in ("checkout", "edit") if lag_seconds else ():
        result["lag"].append(measure_lag(lag_seconds, mode))
        print("RESULT " + json.dumps(result), flush=True)


def _writer(run: int, number: int, seconds: float, ids: list[int], out: Any, start: Any) -> None:
    """One client editing the catalogue through the service (a process of its own)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from reol.catalog.models import Record
    from reol.catalog.services import update_record
    from reol.core.permissions import SYSTEM

    start.wait()  # every writer loaded: the first saves do not wait for eight Django starts
    deadline = time.time() + seconds
    edit = 0
    while time.time() < deadline:
        # Each writer has its own records and goes round them: an edit is never overwritten by
        # the next one before it could be indexed.
        started = time.time()  # the librarian presses "save"
        record = Record.objects.get(pk=ids[edit % len(ids)])
        word = f"lagprobe{run}x{number}x{edit}"  # new in every run: records are re-used
        # The word is added, so that the catalogue still answers the timed queries the same.
        update_record(SYSTEM, record, summary=f"{record.summary} {word}".strip())
        # From the start of the save: a time taken after the commit would come late whenever
        # this process waits for a busy CPU, and make the lag look shorter than it is.
        out.put((word, started, time.time() - started))
        edit += 1
    out.put(None)


def _checkout_writer(
    run: int, number: int, seconds: float, copies: list[tuple[int, str]], out: Any, start: Any
) -> None:
    """One desk lending copies through the circulation service (a process of its own)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    django.setup()
    from reol.circulation.actions.loans import checkout
    from reol.core.models import School, User
    from reol.core.permissions import SYSTEM

    school = School.objects.get(code="bench")
    patron = User.objects.get(username=f"lag{number}")
    start.wait()
    deadline = time.time() + seconds
    for record_id, barcode in copies:  # each record's only copy, so it is then not available
        if time.time() > deadline:
            break
        started = time.time()
        checkout(SYSTEM, school, patron, barcode)
        out.put((record_id, started, time.time() - started))
    out.put(None)


def _checkout_world(wanted: int) -> list[tuple[int, str]]:
    """WRITERS teachers who may borrow without limit, and records whose one copy is on the
    shelf (the run lends them; a kept database has plenty left for the next run)."""
    from django.db.models import Count

    from reol.catalog.models import Item, ItemStatus
    from reol.circulation.actions import rules
    from reol.core import services
    from reol.core.models import School, User
    from reol.core.permissions import SYSTEM

    school = School.objects.get(code="bench")
    if not school.loan_rules.exists():
        rules.adopt_default_rules(SYSTEM, school)
    for rule in school.loan_rules.filter(patron_category="staff"):
        rules.save_rule(SYSTEM, school, rule, max_loans=30_000)  # a small integer
    for n in range(WRITERS):
        if not User.objects.filter(username=f"lag{n}").exists():
            services.create_person(
                SYSTEM, school, username=f"lag{n}", role="teacher", first_name=f"Lag {n}"
            )
    single = (
        Item.objects.values("record_id")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values_list("record_id", flat=True)
    )
    return list(
        Item.objects.filter(record_id__in=single[: wanted * 2], status=ItemStatus.AVAILABLE)
        .order_by("record_id")
        .values_list("record_id", "barcode")[:wanted]
    )


def _available_in_index(engine: Any, record_id: int) -> bool:
    stored = engine.stored(record_id) or {}
    return any(a["available"] for a in stored.get("availability", []))


def measure_lag(seconds: float, mode: str) -> dict[str, Any]:
    """Commit → searchable in this process's reader while WRITERS processes lend copies
    (``mode`` "checkout": the record's copy shows as not available) or edit records ("edit":
    a new word in the summary is found)."""
    import multiprocessing
    import queue as queues
    import signal

    from reol.catalog import search
    from reol.catalog.models import Record, SearchIndexState, SearchOutbox
    from reol.catalog.search import documents
    from reol.catalog.services import queue_for_search

    engine = search.engine()
    engine.close_writer()  # the indexer process is the only writer
    run = int(time.time())
    ids = list(Record.objects.order_by("id").values_list("id", flat=True)[: WRITERS * 1000])
    copies = _checkout_world(WRITERS * int(seconds * 100)) if mode == "checkout" else []
    log_path = Path(engine.path).parent / "indexer.log"
    log_file = log_path.open("w")
    indexer = subprocess.Popen(
        [sys.executable, "-m", "django", "search", "run"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    # Started and warm (Django loaded, the writer open, the outbox drained): a change queued now
    # is applied and its position saved, else the first saves would time the indexer's start.
    queue_for_search(ids[:1])
    newest = SearchOutbox.objects.order_by("-id").values_list("id", flat=True)[0]
    ready = time.time() + 120
    while SearchIndexState.objects.get(name=search.index_name()).last_applied_id < newest:
        if time.time() > ready or indexer.poll() is not None:
            raise SystemExit(f"the indexer did not start: see {log_path}")
        time.sleep(0.05)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start = context.Barrier(WRITERS)
    writers = [
        context.Process(target=_writer, args=(run, n, seconds, ids[n::WRITERS], out, start))
        if mode == "edit"
        else context.Process(
            target=_checkout_writer, args=(run, n, seconds, copies[n::WRITERS], out, start)
        )
        for n in range(WRITERS)
    ]
    for process in writers:
        process.start()
    pending: dict[Any, float] = {}
    lags: list[float] = []
    saves: list[float] = []
    running = WRITERS
    edits = 0
    first = last = 0.0
    give_up = float("inf")
    while (running or pending) and time.time() < give_up:
        try:
            while True:
                item = out.get_nowait()
                if item is None:
                    running -= 1
                    if not running:
                        give_up = time.time() + 30
                    continue
                pending[item[0]] = item[1]
                saves.append(item[2])
                edits += 1
                first = first or item[1]
                last = item[1]
        except queues.Empty:
            pass
        if pending:
            searcher = engine.searcher()
            now = time.time()
            if mode == "edit":
                seen = [w for w in pending if searcher.doc_freq("summary", w)]
            else:
                seen = [pk for pk in pending if not _available_in_index(engine, pk)]
            for key in seen:
                lags.append(now - pending.pop(key))
        time.sleep(0.01)
    for process in writers:
        process.join()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    indexer.send_signal(signal.SIGTERM)
    try:
        indexer.wait(timeout=30)
    except subprocess.TimeoutExpired:
        indexer.kill()
        indexer.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    log_file.close()
    # What the indexer did: its batches ("applied N outbox rows in T ms") and its CPU time.
    batches = [
        (int(m.group(1)), float(m.group(2)))
        for m in re.finditer(r"applied (\d+) outbox rows in (\d+) ms", log_path.read_text())
    ]
    indexer_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    # The bare index commit: one document replaced and committed, nothing else.
    doc = list(documents.documents(ids[:1]))
    commits = []
    for _ in range(30):
        started = time.perf_counter()
        engine.replace(ids[:1], doc)
        engine.commit()
        commits.append(time.perf_counter() - started)
    engine.close_writer()
    ordered = sorted(lags) or [float("nan")]
    return {
        "mode": mode,
        "writers": WRITERS,
        "edits": edits,
        "edits_per_second": edits / max(last - first, 1e-6),
        "seen": len(lags),
        "lag_p50": ordered[len(ordered) // 2],
        "lag_p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "lag_max": ordered[-1],
        "commit": _percentiles(commits),
        "save": _percentiles(saves or [float("nan")]),
        "save_max": max(saves, default=float("nan")) * 1000,
        "batches": len(batches),
        "rows_per_batch": sum(n for n, _ms in batches) / max(len(batches), 1),
        "batch_ms": _percentiles([ms / 1000 for _n, ms in batches] or [float("nan")]),
        "indexer_cpu_per_edit_ms": indexer_cpu / max(edits, 1) * 1000,
        "seconds": last - first,
    }


def run_worker(
    path: Path, var_dir: Path, postgres: bool, repeat: int, lag_seconds: float
) -> dict[str, Any]:
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
    command += ["--repeat", str(repeat), "--lag-seconds", str(lag_seconds)]
    if postgres:
        command = [sys.executable, "-m", "tests.pgcluster", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        if not lines:
            raise SystemExit(f"the {'PostgreSQL' if postgres else 'SQLite'} run failed")
        print("(the run failed part-way: what it measured before that follows)")
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def report(name: str, result: dict[str, Any]) -> None:
    print(
        f"{name}: {result['records']:,} records imported in {result['import_seconds']:.0f} s; "
        f"reindex {result['documents']:,} documents in {result['build_seconds']:.1f} s "
        f"({result['documents'] / result['build_seconds']:,.0f}/s), "
        f"index {result['index_mb']:,.0f} MB" + (" (database re-used)" if result["reused"] else "")
    )
    print(
        f"  {'query':20} {'hits':>7}   {'API p50/p95 ms':>15}   {'engine p50/p95':>15}   "
        f"{'bare p50/p95':>13}   API/bare p95   CPU ms p50 API/engine/bare   API/bare CPU"
    )
    for row in result["rows"]:
        api, eng, bare = row["api"]["wall"], row["engine"]["wall"], row["bare"]["wall"]
        cpu = [row[k]["cpu"][0] for k in ("api", "engine", "bare")]
        print(
            f"  {row['name']:20} {row['total']:7,}   {api[0]:6.1f} / {api[1]:6.1f}   "
            f"{eng[0]:6.1f} / {eng[1]:6.1f}   {bare[0]:5.1f} / {bare[1]:5.1f}   "
            f"{api[1] / max(bare[1], 1e-6):11.1f}×   {cpu[0]:8.2f} / {cpu[1]:5.2f} / {cpu[2]:5.2f}"
            f"   {cpu[0] / max(cpu[2], 1e-6):11.1f}×"
        )
    for lag in result.get("lag") or []:
        what = "lending copies" if lag["mode"] == "checkout" else "editing records"
        print(
            f"  indexer lag, {lag['writers']} clients {what} ({lag['edits']:,} saves, "
            f"{lag['edits_per_second']:,.0f}/s, a save p50 {lag['save'][0]:,.0f} ms, "
            f"max {lag.get('save_max', float('nan')):,.0f} ms): "
            f"save → searchable p50 "
            f"{lag['lag_p50'] * 1000:,.0f} ms, p95 {lag['lag_p95'] * 1000:,.0f} ms, max "
            f"{lag['lag_max'] * 1000:,.0f} ms ({lag['seen']:,} of {lag['edits']:,} seen); "
            f"bare index commit p50 {lag['commit'][0]:.1f} ms, p95 {lag['commit'][1]:.1f} ms"
        )
        print(
            f"    indexer: {lag['batches']:,} catch-ups of {lag['rows_per_batch']:.1f} rows, each "
            f"p50 {lag['batch_ms'][0]:,.0f} ms / p95 {lag['batch_ms'][1]:,.0f} ms; "
            f"CPU {lag['indexer_cpu_per_edit_ms']:.1f} ms a save"
        )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in the catalogue")
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per query")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--tmp", type=Path, help="folder for the file and databases")
    parser.add_argument(
        "--lag-seconds", type=float, default=20, help="how long the 8 clients edit (0: skip)"
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the file and databases here and re-use them next time"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.repeat, args.lag_seconds)
        return 0

    from dataset import write  # bench/dataset.py, next to this file

    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep / str(args.records)
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(
                stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="reol-bench-search-", dir=args.tmp)
                )
            )
        path = work / "catalogue.mrc"
        if not path.exists():
            seconds = write(path, args.records)
            print(f"{args.records:,} synthetic records written in {seconds:.1f} s")
        targets = [("SQLite", False)] * (not args.skip_sqlite) + [("PostgreSQL", True)] * (
            not args.skip_postgres
        )
        for name, postgres in targets:
            report(name, run_worker(path, work / name, postgres, args.repeat, args.lag_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
