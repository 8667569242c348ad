from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog import search
from reol.core.management.commands._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "The catalogue's search index: `reol search reindex [--if-stale]` rebuilds it from the "
            "database, `reol search status` shows lag and counts, `reol search run` is the indexer "
            "(applies the outbox five times a second; the only process that writes the index)."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser(
            "reindex", help=gettext_noop("rebuild the index from the database")
        )
        reindex.add_argument(
            "--if-stale",
            action="store_true",
            help=gettext_noop("only when the index is missing or outdated"),
        )
        sub.add_parser("status", help=gettext_noop("lag and counts"))
        run = sub.add_parser("run", help=gettext_noop("the indexer loop (until stopped)"))
        run.add_argument(
            "--interval",
            type=float,
            default=search.indexer.POLL_SECONDS,
            help=gettext_noop("seconds between polls of the outbox"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            st = search.status()
            self.stdout.write(
                f"index      {st.path} ({'present' if st.exists else 'missing'}"
                f"{', stale: run `reol search reindex`' if st.stale else ''})\n"
                f"documents  {st.documents}\n"
                f"records    {st.records}\n"
                f"applied    outbox id {st.last_applied_id} of {st.newest_outbox_id}\n"
                f"lag        {st.lag} rows, oldest {st.lag_seconds:.1f} s"
            )
        elif action == "reindex":
            if options["if_stale"] and not search.status().stale:
                self.stdout.write("The search index is up to date.")
                return
            started = time.perf_counter()
            try:
                count = search.reindex()
            except ValueError as error:  # the writer lock: an indexer is running
                raise CommandError(f"Cannot write the index: {error}") from error
            self.stdout.write(f"Indexed {count} records in {time.perf_counter() - started:.1f} s.")
        else:
            stopping = False

            def stop(*_args: Any) -> None:
                nonlocal stopping
                stopping = True

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            self.stdout.write("Search indexer running (Ctrl-C stops it).")
            search.run(interval=options["interval"], stop=lambda: stopping)
