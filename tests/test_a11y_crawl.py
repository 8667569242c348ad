"""WCAG 2.1 AA over every page each role can reach, in checks axe does not make.

The demo municipality is loaded; each role signs in and follows every link it is shown (one
page per URL shape: /catalog/records/12/ and /catalog/records/13/ count once). On each page,
at 320 CSS px wide (WCAG 1.4.10 reflow):

- the page does not scroll sideways, and no control sits outside the screen (unless it is
  inside a box that scrolls sideways on its own, such as a focusable table wrapper);
- no two elements share an id (labels and aria references would point at the wrong one);
- every field has an accessible name;
- every element that takes the keyboard focus shows a ring of at least 3:1 against the
  background it is drawn on (WCAG 1.4.11), computed from the styles in effect.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES_PER_ROLE = 90
SKIP = re.compile(
    r"^/(api|admin|static|media)/|/accounts/logout|/logout|/feeds?/|\.(pdf|csv|xlsx|ics|mrc|xml|json)$"
    r"|/(download|export|labels\.pdf|print)/?$|/set-language|/i18n/"
)

# One evaluation per page: everything the checks need, computed in the browser.
CHECKS_JS = (Path(__file__).parent / "a11y_checks.js").read_text()


def shape(path: str) -> str:
    """/catalog/records/12/?page=2 and /catalog/records/13/ are one shape."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path) + ("?" if urlsplit(path).query else "")


def crawl(page, start: list[str]) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    root = page.url.split("/", 3)[:3]
    origin = "/".join(root)
    queue = deque(start)
    shapes: set[str] = set()
    found: dict[str, dict] = {}
    while queue and len(shapes) < PAGES_PER_ROLE:
        path = queue.popleft()
        if shape(path) in shapes or SKIP.search(urlsplit(path).path):
            continue
        shapes.add(shape(path))
        response = page.goto(path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if not page.url.startswith(origin) or "/accounts/login" in page.url:
            continue
        page.keyboard.press("Tab")  # the keyboard is the last input: focus rings show
        result = page.evaluate(CHECKS_JS)
        problems = {
            key: result[key]
            for key in ("offscreen", "duplicates", "unlabelled", "rings")
            if result[key]
        }
        if result["scrollWidth"] > 320:
            problems["scrollWidth"] = result["scrollWidth"]
        if problems:
            found[path] = problems
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "as => as.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            if href.startswith(origin):
                href = href[len(origin) :]
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#")[0])
    assert len(shapes) > 5, shapes
    return found


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    from reol.core.demo import load_demo

    return {login.username: login.secret for login in load_demo()}


@pytest.mark.parametrize(
    "username",
    ["bibliotekar-nord", "admin-nord", "laerer-nord-1", "NORD00301", "konsulent", None],
)
def test_every_page_reflows_and_shows_focus_with_unique_ids_and_named_fields(demo, page, username):
    page.set_viewport_size({"width": 320, "height": 640})
    if username:
        sign_in(page, username, demo[username])
    else:
        page.goto("/opac/")
    found = crawl(page, ["/", "/staff/", "/opac/", "/me/"] if username else ["/opac/", "/"])
    assert not found, "\n".join(f"{path}: {problems}" for path, problems in found.items())
