"""Where a launch-scoped session's key (``/lti/s/<key>/…``, ``embed``) must not go.

* A whole tab: a student copies a link inside the course's frame ("Copy link address") into
  the class chat, or the next pupil at a shared Chromebook opens it from the history. Opened
  as a page of its own (``Sec-Fetch-Dest: document``), it signed the opener in as her: her
  loans, her holds, her reading log. Now such a request is sent to the ordinary address,
  without the launch's session.
* The audit log: a refused request inside the frame was audited with ``request.path``, the
  key in it, for every administrator of the school to read and use. Now the application's
  path (without the key) is kept.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reol.catalog import services as catalog
from reol.core import services as core
from reol.core.models import AuditEvent, Municipality
from reol.core.permissions import SYSTEM

from .lti_world import launch

pytestmark = pytest.mark.django_db
FRAMED = {"HTTP_SEC_FETCH_DEST": "iframe"}


def _framed_launch(client, platform, shelf) -> tuple[str, str]:
    """The framed address of the reading list, and the launch's key prefix."""
    path = reverse("opac-reading-list", args=[shelf.reading_list.pk])
    response = launch(client, platform, "student", target="http://testserver" + path, **FRAMED)
    assert response.status_code == 302, response.content
    address = str(response["Location"])
    assert address.startswith("/lti/s/") and address.endswith(path)
    return address, address.removesuffix(path)


def test_a_copied_link_opened_in_a_tab_of_its_own_signs_nobody_in(
    client, world, platform, registered, shelf
):
    address, prefix = _framed_launch(client, platform, shelf)
    me_inside = prefix + reverse("opac-me")
    framed = Client()
    inside = framed.get(me_inside, **FRAMED)
    assert inside.status_code == 200 and "Elev-A1" in inside.content.decode()  # her page

    friend = Client()  # another browser: the link pasted into its address bar
    for opened in (address, me_inside):
        tab = friend.get(opened, HTTP_SEC_FETCH_DEST="document", HTTP_SEC_FETCH_SITE="none")
        assert tab.status_code == 302, opened
        assert tab["Location"] == opened.removeprefix(prefix)  # the ordinary address
        assert "/lti/s/" not in tab["Location"]
    landed = friend.get(me_inside.removeprefix(prefix))
    assert "Elev-A1" not in landed.content.decode()
    assert friend.session.get("_auth_user_id") is None
    # Inside the frame it goes on working.
    assert framed.get(me_inside, **FRAMED).status_code == 200


def test_a_refusal_inside_the_frame_is_audited_without_the_key(
    client, world, platform, registered, shelf
):
    _address, prefix = _framed_launch(client, platform, shelf)
    elsewhere = Municipality.objects.get(code="fjordby")
    core.create_school(SYSTEM, municipality=elsewhere, code="fjord", name="Fjordskolen")
    marc = catalog.new_marc(title="Fremmed bog", author="Ukendt", isbn="", year=2020)
    foreign = catalog.create_record(SYSTEM, elsewhere, marc)
    hold = reverse("opac-hold", args=[foreign.pk])
    answer = Client().post(prefix + hold, HTTP_ORIGIN="http://testserver", **FRAMED)
    assert answer.status_code == 404
    [event] = AuditEvent.objects.filter(action="access.denied")
    assert event.details["path"] == hold
    key = prefix.removeprefix("/lti/s/").strip("/")
    assert all(key not in json.dumps(e.details) for e in AuditEvent.objects.all())


@pytest.mark.parametrize(
    "trick",
    [
        "/opac/../staff/desk/",
        "/opac/%2E%2E/staff/desk/",
        "/opac%2F..%2Fstaff/desk/",
        "//staff/desk/",
        "/OPAC/../staff/desk/",
        "/opac",
        "/api/v1/patrons",
        "/opac/../api/v1/patrons",
    ],
)
def test_path_tricks_reach_no_other_page_with_the_launch(
    client, world, platform, registered, shelf, trick
):
    """Held before: the key's pattern and the embeddable prefix read the decoded path, and
    nothing under /opac/ matches the rest."""
    _address, prefix = _framed_launch(client, platform, shelf)
    answer = Client().get(prefix + trick, **FRAMED)
    text = answer.content.decode()
    assert answer.status_code in (200, 301, 302, 404), trick
    assert "json" not in answer.get("Content-Type", ""), trick  # never the API
    assert answer.status_code != 200 or "Open in a new window" in text, trick


def test_an_expired_launch_signs_nobody_in(client, world, platform, registered, shelf):
    """Held before: the session store does not load an expired session."""
    address, prefix = _framed_launch(client, platform, shelf)
    key = prefix.removeprefix("/lti/s/").strip("/")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    answer = Client().get(address, **FRAMED)
    assert answer.status_code == 403
    assert "window has closed" in answer.content.decode()
