"""Search beyond the school: the OPAC's local results with and without external catalogues,
and the external part, with three stub SRU targets on this machine (fast, slow at 2 s, dead).

    .venv/bin/python bench/external.py [--records 300] [--pages 60] [--beyond 10]

A fresh SQLite database and search index in a temporary folder; ``--records`` records in one
school; a signed-in teacher; Django's test client in this process (no HTTP server in front, so
the figures are the application's own). Measured in the same run:

* the OPAC results page (``/opac/search/?q=…``), ``--pages`` times without any external target
  (baseline) and again with the three: target, p95 with ≤ p95 without (the external part is a
  separate request, so nothing on this page waits for a target);
* the external part (``/opac/beyond/?q=…``), ``--beyond`` times: target, each ≤ the slowest live
  target's 2 s + 100 ms. The dead target (accepts, never answers; time-out 1.5 s) costs
  nothing beyond its time-out, and after three failures its circuit breaker stops asking it.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLOW_SECONDS = 2.0
ANSWER = (
    b'<?xml version="1.0"?><searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/">'
    b"<version>1.2</version><numberOfRecords>1</numberOfRecords><records><record>"
    b"<recordSchema>marcxml</recordSchema><recordPacking>xml</recordPacking><recordData>"
    b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
    b'<datafield tag="020" ind1=" " ind2=" "><subfield code="a">9788702284294</subfield>'
    b"</datafield>"
    b'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Vulkaner i Island</subfield>'
    b"</datafield></record></recordData></record></records></searchRetrieveResponse>"
)


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000  # noqa: E731
    return {"n": len(ordered), "p50": pick(0.5), "p95": pick(0.95), "max": ordered[-1] * 1000}


def stub(delay: float) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            self.wfile.write(ANSWER)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/sru"


def dead() -> tuple[socket.socket, str]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sru"


def setup(folder: Path, records: int) -> Any:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="reol.settings",
        REOL_VAR_DIR=str(folder),
        REOL_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        REOL_SEARCH_SYNC="1",
        REOL_DEBUG="",
        REOL_ALLOWED_HOSTS="testserver",
    )
    os.environ.pop("REOL_PUBLIC_MUNICIPALITY", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Static files from the apps' folders (no collected manifest in a throwaway folder).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    from reol.catalog import services as catalog
    from reol.core import services as core
    from reol.core.permissions import SYSTEM

    municipality = core.create_municipality(SYSTEM, code="bench", name="Bench")
    school = core.create_school(SYSTEM, municipality=municipality, code="nord", name="Nord")
    teacher = core.create_person(
        SYSTEM, school, username="laerer", role="teacher", password="Bench-Password-42",  # noqa: S106
        first_name="L", last_name="T",
    )  # fmt: skip
    words = ["vulkaner", "heste", "rummet", "dinosaurer", "havet"]
    for n in range(records):
        record = catalog.create_record(
            SYSTEM,
            municipality,
            catalog.new_marc(title=f"{words[n % 5].title()} {n}", author="A, B"),
        )
        catalog.add_items(SYSTEM, record, school, count=1)
    return school, teacher


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--beyond", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reol-bench-external-") as tmp:
        school, teacher = setup(Path(tmp), args.records)
        from django.test import Client

        from reol.core.permissions import SYSTEM
        from reol.external import services
        from reol.external.models import ExternalTarget

        client = Client()
        client.force_login(teacher)
        page = "/opac/search/?q=vulkaner"

        def timed(path: str, n: int) -> list[float]:
            samples = []
            for _ in range(n):
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            return samples

        fast_server, fast_url = stub(0.0)
        slow_server, slow_url = stub(SLOW_SECONDS)
        dead_socket, dead_url = dead()
        for name, url, timeout in (
            ("Fast", fast_url, 1000), ("Slow", slow_url, 3000), ("Dead", dead_url, 1500),
        ):  # fmt: skip
            services.save_target(
                SYSTEM, school, name=name, kind="public", base_url=url, timeout_ms=timeout,
                request_method="form",
            )  # fmt: skip
        timed(page, 5)  # warm up
        # Interleaved, so the machine's drift (2 cores, shared) falls on both alike.
        targets = ExternalTarget.objects.filter(school=school)
        without_samples: list[float] = []
        with_samples: list[float] = []
        for _ in range(args.pages):
            targets.update(enabled=False)
            without_samples += timed(page, 1)
            targets.update(enabled=True)
            with_samples += timed(page, 1)
        without, with_targets = stats(without_samples), stats(with_samples)
        beyond = stats(timed("/opac/beyond/?q=vulkaner", args.beyond))
        budget = (SLOW_SECONDS + 0.1) * 1000
        print(f"records: {args.records}")
        print(f"OPAC page, no targets:    p50 {without['p50']:.1f} ms  p95 {without['p95']:.1f} ms")
        print(
            f"OPAC page, three targets: p50 {with_targets['p50']:.1f} ms  "
            f"p95 {with_targets['p95']:.1f} ms  "
            f"({'ok' if with_targets['p95'] <= without['p95'] * 1.05 + 1 else 'SLOWER'})"
        )
        print(
            f"external part:            p50 {beyond['p50']:.0f} ms  p95 {beyond['p95']:.0f} ms  "
            f"max {beyond['max']:.0f} ms  budget {budget:.0f} ms "
            f"({'ok' if beyond['max'] <= budget else 'OVER'})"
        )
        fast_server.shutdown()
        slow_server.shutdown()
        dead_socket.close()


if __name__ == "__main__":
    main()
