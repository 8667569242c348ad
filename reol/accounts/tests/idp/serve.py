"""Run the throwaway provider: ``python -m reol.accounts.tests.idp.serve CONFIG.json``.

The config names the port, the client (id, secret, redirect URI) and the people. The process
migrates its own SQLite file, creates them, prints ``READY`` and serves until it is ended.
"""

from __future__ import annotations

import json
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    with open(sys.argv[1]) as file:
        config = json.load(file)
    os.environ["DJANGO_SETTINGS_MODULE"] = "reol.accounts.tests.idp.settings"
    os.environ["IDP_DB"] = config["db"]
    os.environ["IDP_KEY"] = config["key"]
    os.environ["IDP_ISSUER"] = config["issuer"]
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in config["people"]:
        User.objects.create_user(**person)
    Application.objects.create(
        name="Reol",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=config["redirect_uri"],
        post_logout_redirect_uris=config.get("post_logout_redirect_uri", ""),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", config["port"], get_wsgi_application(), _Server, handler_class=_Quiet
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
