"""In Chromium: the address of a launch inside a course's frame, copied into a tab of its own
(the class chat, or the history of a shared Chromebook), does not sign the opener in as the
pupil who launched; the frame's pages tell the browser to send no address to other sites."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .lti_platform import Platform
from .lti_world import library, people, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_frames_address_opened_in_a_tab_of_its_own_is_nobodys(world, live_server, browser):
    shelf = library(world)
    with Platform(people(), tool_base=live_server.url) as platform:
        register(platform, world.school_a)
        address = live_server.url + reverse("opac-reading-list", args=[shelf.reading_list.pk])
        platform.links.append({"type": "ltiResourceLink", "title": "Dyr i 5.A", "url": address})
        pupil = browser.new_context(locale="en-GB")
        pupil.set_default_timeout(15_000)
        policies: list[str] = []

        def note(response: Any) -> None:
            if "/lti/s/" in response.url and response.request.resource_type == "document":
                policies.append(response.headers.get("referrer-policy", ""))

        page = pupil.new_page()
        page.on("response", note)
        page.goto(platform.base + "/course?as=student&embed=1")
        page.get_by_role("link", name="Dyr i 5.A").click()
        frame = page.frame_locator("iframe[name=reol]")
        expect(frame.get_by_text("Borrowed at Nordskolen")).to_be_visible()
        inside = page.frame("reol")
        assert inside is not None and "/lti/s/" in inside.url
        assert policies and set(policies) == {"same-origin"}, policies
        prefix = inside.url.split("/opac/")[0]

        for context in (pupil, browser.new_context(locale="en-GB")):  # her history; a friend
            tab = context.new_page()
            tab.goto(inside.url)
            assert "/lti/s/" not in tab.url  # the ordinary address: a visitor, asked her school
            expect(tab.get_by_role("link", name="Sign in")).to_be_visible()
            tab.goto(prefix + reverse("opac-me"))  # her own page, through the copied key
            assert "/lti/s/" not in tab.url and "/accounts/login/" in tab.url
            tab.close()
        pupil.close()
