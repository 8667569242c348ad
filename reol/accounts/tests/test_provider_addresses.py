"""An identity provider's (or learning platform's) addresses are an administrator's to type,
and Reol fetches them: discovery and key sets go through ``core.outbound`` as a partner's
messages do. Before, an issuer of ``http://127.0.0.1:<port>`` made the server GET its own
services, and a JSON answer that was no metadata came back in the refusal's detail."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reol.accounts import lti, oidc
from reol.accounts.oidc import Refusal


class Local:
    """A local server that counts GETs; answers JSON, or 302 to ``onward``."""

    def __init__(self, host: str = "127.0.0.1", onward: str = "") -> None:
        local = self
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                local.hits += 1
                body = b'["internal", "secret"]'
                self.send_response(302 if onward else 200)
                if onward:
                    self.send_header("Location", onward)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_issuer_on_this_machine_is_never_fetched(settings):
    settings.REOL_OUTBOUND_ALLOW = []
    oidc.forget_cache()
    here = Local()
    try:
        with pytest.raises(Refusal) as refused:
            oidc.discover(here.url)
    finally:
        here.close()
    assert here.hits == 0
    assert refused.value.reason == "provider_unreachable"
    assert "secret" not in refused.value.detail


def test_a_redirect_to_this_machine_is_not_followed(settings):
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.1/32"]
    oidc.forget_cache()
    inner = Local(host="127.0.0.2")
    outer = Local(onward=inner.url + "/.well-known/openid-configuration")
    try:
        with pytest.raises(Refusal):
            oidc.discover(outer.url)
    finally:
        outer.close()
        inner.close()
    assert outer.hits == 1 and inner.hits == 0


def test_a_platforms_configuration_on_this_machine_is_never_fetched(settings):
    """Dynamic registration: the configuration's address comes in the registration link."""
    settings.REOL_OUTBOUND_ALLOW = []
    here = Local()
    try:
        with pytest.raises(Refusal):
            lti.platform_configuration(here.url + "/.well-known/openid-configuration")
    finally:
        here.close()
    assert here.hits == 0
