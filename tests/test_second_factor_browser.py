"""Two-step sign-in in Chromium, as an administrator meets it: sent to set it up right after
the password, reads the key as text (as a screen-reader user would), turns it on, keeps the
recovery codes, and signs in again with a code; every page passes axe, in Danish too, and
the session list marks this browser."""

from __future__ import annotations

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.mfa_required,
]


def serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def code(secret: str, ahead: int) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + ahead)


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_administrator_sets_up_two_step_sign_in_and_signs_in_with_it(world, page, language):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("admin-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/two-step/")
    page.goto("/staff/people/")
    assert page.url.endswith("/me/two-step/")  # nothing else until it is set up
    found = {"setup": serious(page)}
    assert page.locator("svg[role=img] title").count() == 1
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.locator("#id_code").fill(code(secret, 0))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("ul.recovery-codes li").count() == 10
    found["codes"] = serious(page)
    world.admin_a.refresh_from_db()  # turning it on ended the other sessions: a new one
    Client(HTTP_USER_AGENT="Firefox on the library laptop").force_login(world.admin_a)
    page.goto("/me/sessions/")
    assert page.locator("tbody tr").count() == 2
    found["sessions"] = serious(page)
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    assert "/sign-out/" in page.url
    found["sign out one"] = serious(page)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/sessions/") and page.locator("tbody tr").count() == 1
    page.goto("/staff/people/")
    assert page.url.endswith("/staff/people/")
    page.locator("form[action$='/accounts/logout/'] button").first.click()
    page.wait_for_load_state()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("admin-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/second-step/" in page.url
    found["second step"] = serious(page)
    page.locator("#id_code").fill(code(secret, 1))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/")
    assert {k: v for k, v in found.items() if v} == {}
    assert problems == []


def test_a_student_signs_in_as_before(world, page):
    sign_in(page, "A0001", "4321")
    assert "/second-step/" not in page.url and "/two-step/" not in page.url
