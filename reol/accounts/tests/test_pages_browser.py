"""The sign-in pages in Chromium pass axe-core (no serious or critical violation), in the
three languages: the sign-in page with its provider buttons, and the administrator's pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD

from .helpers import make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_the_sign_in_pages_pass_axe(world, page, live_server, language):
    provider = make_provider("https://idp.example", world.school_a)
    page.goto("/accounts/login/")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("link", name="Skolelogin").is_visible()
    assert _serious(page) == []
    page.locator("#id_username").fill("admin-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    paths = ("/staff/sign-in/", "/staff/sign-in/new/", f"/staff/sign-in/{provider.pk}/")
    for path in (*paths, "/staff/sign-in/lti/", "/staff/sign-in/lti/new/"):
        page.goto(path)
        assert page.locator("h1").is_visible()
        assert _serious(page) == [], path
