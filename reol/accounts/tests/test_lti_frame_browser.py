"""In Chromium with third-party cookies blocked: a course page of the registered platform (on
another site than Reol) shows a Reol link in a frame of its own page; the student is signed in
there, sees the reading list with availability at her school and reserves, with no cookie of
Reol's (the launch-scoped session rides in the address). A page of an origin that is not the
registered platform cannot frame Reol: neither that launch's pages nor the ordinary ones."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import CHROMIUM, CHROMIUM_ARGS
from reol.circulation.models import Hold

from .lti_platform import Platform
from .lti_world import library, people, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Framer:
    """Another origin's page that puts ``?src=`` in a frame."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                src = parse_qs(urlparse(self.path).query).get("src", [""])[0]
                body = (
                    "<title>Elsewhere</title><h1>Elsewhere</h1>"
                    f"<iframe name='reol' title='Reol' src='{html.escape(src)}'></iframe>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def no_third_party_cookies(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    strict = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
    )
    yield strict
    strict.close()


def _refused_to_frame(page: Any, url: str) -> None:
    """The frame stays empty: Chromium refused to show ``url`` in it (frame-ancestors)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    page.goto(url)
    expect(page.get_by_role("heading", name="Elsewhere")).to_be_visible()
    page.wait_for_load_state("load")
    frame = page.frame("reol")
    assert frame is not None
    assert frame.url.startswith("chrome-error:") or frame.locator("h1").count() == 0
    assert any("frame-ancestors" in text for text in errors), errors


def test_a_student_reserves_inside_the_platforms_frame_and_no_one_else_frames_reol(
    world, live_server, no_third_party_cookies
):
    shelf = library(world)
    framer = Framer()
    with Platform(people(), tool_base=live_server.url) as platform:
        register(platform, world.school_a)
        address = live_server.url + reverse("opac-reading-list", args=[shelf.reading_list.pk])
        platform.links.append({"type": "ltiResourceLink", "title": "Dyr i 5.A", "url": address})
        student = no_third_party_cookies.new_context(locale="en-GB")
        student.set_default_timeout(15_000)
        page = student.new_page()
        page.goto(platform.base + "/course?as=student&embed=1")
        page.get_by_role("link", name="Dyr i 5.A").click()
        frame = page.frame_locator("iframe[name=reol]")
        expect(frame.get_by_role("heading", name="Dyr i 5.A")).to_be_visible()
        expect(frame.get_by_text("Borrowed at Nordskolen")).to_be_visible()
        frame.get_by_role("button", name="Reserve “Heste i Danmark”").click()
        expect(frame.get_by_text("You are in the queue for “Heste i Danmark”")).to_be_visible()
        hold = Hold.objects.get(patron=world.student_a1)
        assert hold.record == shelf.record and hold.school == world.school_a
        inside = page.frame("reol")
        assert inside is not None and "/lti/s/" in inside.url
        reol_cookies = [c for c in student.cookies() if c["domain"] == "localhost"]
        assert not [c for c in reol_cookies if c["name"] == "sessionid"], reol_cookies

        elsewhere = student.new_page()
        _refused_to_frame(elsewhere, framer.base + "/?src=" + inside.url)
        _refused_to_frame(elsewhere, framer.base + "/?src=" + address)
        student.close()
    framer.close()
