"""The public catalogue's result page with covers beside the same page without them, in the
same run; and the size of every cover a result page shows.

    .venv/bin/python bench/covers.py [--records N] [--repeat R] [--postgres]

Imports N synthetic records (bench/dataset.py → the real ``import_marc``) into a fresh SQLite
database (or a throwaway PostgreSQL cluster with ``--postgres``), gives every second record an
uploaded cover (a noisy 1200×1800 scan through ``reading.services.upload_cover``, so each is
resized and stored as in use), rebuilds the search index, and times R requests of the result
page (20 hits) for a few searches, as an anonymous visitor of the school:

* covers    — the page as it is: one query for the hits' records joins their stored covers;
* no covers — the same page with reading promotion's two hooks (``with_covers``,
              ``extras_for``) replaced by ones that add nothing, so only the covers differ.

Then every cover address on those pages is fetched and its size noted.

Targets (issue 22): with covers p95 ≤ 2× without; every cover ≤ 30 KB at result size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHES = ["dinosaurer", "hesten", "dragen", "skatten"]


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _photo() -> bytes:
    """A scanned cover: 1200×1800 of noise (noise compresses worst, so sizes are an upper bound)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((1200, 1800), 80).convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def worker(records: int, repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench import dataset
    from reol.catalog import search
    from reol.catalog.importer import import_marc
    from reol.catalog.models import Record
    from reol.core import services
    from reol.core.permissions import SYSTEM
    from reol.opac import views as opac_views
    from reol.reading import services as reading_services

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # pages need the manifest
    municipality = services.create_municipality(SYSTEM, code="bench", name="Bench")
    school = services.create_school(SYSTEM, municipality=municipality, code="bench", name="B")
    path = Path(tempfile.mkdtemp()) / "records.mrc"
    dataset.write(path, records)
    with path.open("rb") as stream:
        import_marc(SYSTEM, school, stream)
    photo = _photo()
    ids = list(Record.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    for pk in ids[::2]:
        reading_services.upload_cover(SYSTEM, school, Record.objects.get(pk=pk), photo)
    upload_seconds = time.perf_counter() - started
    search.forget_engines()
    search.reindex()

    client = Client()
    session = client.session
    session["opac_school"] = school.pk
    session.save()

    def timed() -> list[float]:
        samples = []
        for _ in range(repeat):
            for words in SEARCHES:
                began = time.perf_counter()
                answer = client.get("/opac/search/", {"q": words, "scope": "all"})
                samples.append(time.perf_counter() - began)
                assert answer.status_code == 200
        return samples

    timed()  # warm: caches, index readers, templates
    results: dict[str, Any] = {}
    real = (opac_views.reading.with_covers, opac_views.reading.extras_for)
    for _round in range(2):  # alternate, so drift on a shared machine hits both alike
        for name in ("covers", "no covers"):
            if name == "no covers":
                opac_views.reading.with_covers = lambda qs: qs  # type: ignore[assignment]
                opac_views.reading.extras_for = lambda *a, **k: {}  # type: ignore[assignment]
            else:
                opac_views.reading.with_covers, opac_views.reading.extras_for = real  # type: ignore[assignment]
            results.setdefault(name, []).extend(timed())
    opac_views.reading.with_covers, opac_views.reading.extras_for = real  # type: ignore[assignment]

    sizes: dict[str, list[int]] = {"stored": [], "drawn": []}
    for words in SEARCHES:
        page = client.get("/opac/search/", {"q": words, "scope": "all"}).content.decode()
        for url in re.findall(r'<img class="cover" src="([^"]+)"', page):
            answer = client.get(url)
            kind = "drawn" if answer["Content-Type"] == "image/svg+xml" else "stored"
            sizes[kind].append(len(answer.content))
    return {
        "records": records,
        "uploads_per_second": len(ids[::2]) / upload_seconds,
        "pages": {k: (_p(v, 0.5), _p(v, 0.95), len(v)) for k, v in results.items()},
        "sizes": {k: (max(v, default=0), statistics.mean(v) if v else 0) for k, v in sizes.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print("RESULT " + json.dumps(worker(args.records, args.repeat)))
        return 0
    var = Path(tempfile.mkdtemp(prefix="reol-bench-covers-"))
    env = {k: v for k, v in os.environ.items() if k != "REOL_DATABASE_URL"}
    env.update(REOL_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="reol.settings", REOL_DEBUG="")
    env["REOL_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    command += ["--records", str(args.records), "--repeat", str(args.repeat)]
    if args.postgres:
        command = [sys.executable, "-m", "tests.pgcluster", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        sys.stderr.write(done.stdout + done.stderr)
        return 1
    result = json.loads(lines[-1][len("RESULT ") :])
    load = os.getloadavg()[0]
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}, {result['records']:,} records, load average {load:.1f}")
    print(f"  cover uploads (resize + store): {result['uploads_per_second']:.1f}/s")
    for name, (p50, p95, n) in result["pages"].items():
        print(f"  result page, {name:9}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({n} requests)")
    with_, without = result["pages"]["covers"][1], result["pages"]["no covers"][1]
    print(f"  p95 with covers / without: {with_ / without:.2f}× (target ≤ 2×)")
    for kind, (largest, mean) in result["sizes"].items():
        print(f"  {kind} covers: largest {largest / 1024:.1f} KB, mean {mean / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
