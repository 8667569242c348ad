"""In Chromium, the issue's "done when" for learning platforms: from a course in a real LTI 1.3
platform (``lti_platform``, on another site than Reol) a teacher deep-links a Reol reading list;
a student opening it is signed in as herself, sees the list with availability at her school and
places a hold. The platform checks Reol's signed answer against Reol's key set over HTTP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reol.circulation.models import Hold

from .lti_platform import Platform
from .lti_world import library, people, register
from .test_pages_browser import _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def platform(world, live_server):
    with Platform(people(), tool_base=live_server.url) as running:
        register(running, world.school_a)
        yield running


def test_a_teacher_deep_links_a_reading_list_and_a_student_reserves_from_it(
    world, browser, live_server, platform
):
    shelf = library(world)
    teacher = browser.new_context(locale="en-GB")
    teacher.set_default_timeout(15_000)
    page = teacher.new_page()
    page.goto(platform.base + "/course?as=teacher")
    page.get_by_role("link", name="Add from Reol").click()
    expect(page.get_by_role("heading", name="Add from the library")).to_be_visible()
    assert _serious(page) == []
    page.get_by_label("Dyr i 5.A").check()
    page.get_by_role("button", name="Add to the course").click()
    page.get_by_role("button", name="Return to the course").click()
    expect(page.get_by_role("heading", name="Added to the course")).to_be_visible()
    teacher.close()
    assert [link["title"] for link in platform.links] == ["Dyr i 5.A"]

    student = browser.new_context(locale="en-GB")
    student.set_default_timeout(15_000)
    page = student.new_page()
    page.goto(platform.base + "/course?as=student")
    page.get_by_role("link", name="Dyr i 5.A").click()
    expect(page.get_by_role("heading", name="Dyr i 5.A")).to_be_visible()
    expect(page.get_by_text("Borrowed at Nordskolen")).to_be_visible()
    assert _serious(page) == []
    page.get_by_role("button", name="Reserve “Heste i Danmark”").click()
    expect(page.get_by_text("You are in the queue for “Heste i Danmark”")).to_be_visible()
    student.close()
    hold = Hold.objects.get(patron=world.student_a1)
    assert hold.record == shelf.record and hold.school == world.school_a
