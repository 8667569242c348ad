"""The OAI-PMH harvest of ``bench/protocols.py`` against a database that is already there.

    REOL_VAR_DIR=DIR .venv/bin/python bench/oai_harvest.py

Starts gunicorn as ``make run`` does on the installation in ``REOL_VAR_DIR`` (or
``REOL_DATABASE_URL``), harvests municipality ``bench`` in marc21 following every resumption
token, beside a bare ORM read of the same rows: for a database kept with ``protocols.py
--data``, also one whose import was stopped part way (no search index needed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    import django

    django.setup()
    from bench import protocols

    port = protocols.free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "reol.wsgi", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    command += ["--worker-class", "reol.server.ThreadWorker"]
    command += ["--workers", str(protocols.WORKERS), "--threads", str(protocols.THREADS)]
    web = protocols.start(command, lambda: protocols._http_up(port))
    try:
        for row in protocols.bench_oai(port):
            print(f"  {row['what']:28} {row['n']:>8} records  {row['rate']:10.0f} records/s")
    finally:
        web.terminate()
        web.wait(30)


if __name__ == "__main__":
    main()
