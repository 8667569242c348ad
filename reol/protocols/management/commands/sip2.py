from __future__ import annotations

import ssl
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reol.core.management.commands._base import ReolCommand
from reol.protocols.sip2 import server, workers


class Command(ReolCommand):
    help = gettext_noop(
        "Serve SIP2 for self-service kiosks and sorters: `reol sip2 --port 6001` "
        "(add terminals with `reol sip2-terminal add`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=gettext_noop("address to listen on")
        )
        parser.add_argument("--port", type=int, default=6001, help=gettext_noop("0: any free port"))
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help=gettext_noop("processes sharing the port (as make run's web workers; 1: no fork)"),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=server.THREADS,
            help=gettext_noop("database threads a process"),
        )
        parser.add_argument(
            "--tls-cert", default="", help=gettext_noop("PEM certificate: speak TLS")
        )
        parser.add_argument(
            "--tls-key", default="", help=gettext_noop("PEM private key of the certificate")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        context = None
        if options["tls_cert"]:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            try:
                context.load_cert_chain(options["tls_cert"], options["tls_key"] or None)
            except (OSError, ssl.SSLError) as error:
                message = _("Cannot read the TLS certificate: %(e)s") % {"e": error}
                raise CommandError(message) from error
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError(_("--workers and --threads must be at least 1."))
        try:
            listener = server.listen(options["host"], options["port"])
        except OSError as error:
            raise CommandError(_("Cannot listen: %(e)s") % {"e": error}) from error
        host, port = listener.getsockname()[:2]
        self.stdout.write(
            _("SIP2 on %(host)s:%(port)s (Ctrl-C stops it)") % {"host": host, "port": port}
        )
        self.stdout.flush()
        with listener:
            workers.run(
                listener,
                workers=options["workers"],
                threads=options["threads"],
                ssl_context=context,
            )
