"""An LTI launch inside the platform's frame (``embed``): a launch-scoped session in the
address, no cookie; the platform's registered origins (and only they) may frame its pages,
without a contradicting X-Frame-Options; staff pages are never served with it nor framed; a
form from another origin, a closed platform, a forged key and the key offered as a cookie are
refused; a teacher's deep linking works inside the frame too."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from reol.accounts import lti_services
from reol.accounts.embed import EMBED
from reol.circulation.models import Hold
from reol.core.models import SignInSession
from reol.core.permissions import SYSTEM

from .lti_platform import Platform
from .lti_world import launch, people, register

pytestmark = pytest.mark.django_db
FRAMED = {"HTTP_SEC_FETCH_DEST": "iframe"}
OWN = {"HTTP_ORIGIN": "http://testserver"}


def _list_path(shelf) -> str:
    return reverse("opac-reading-list", args=[shelf.reading_list.pk])


def _framed_launch(client, platform, shelf, login: str = "student") -> str:
    response = launch(
        client, platform, login, target="http://testserver" + _list_path(shelf), **FRAMED
    )
    assert response.status_code == 302, response.content
    assert "sessionid" not in response.cookies  # nothing for a cookie jar to keep
    assert "_auth_user_id" not in client.session  # the browser's own session: nobody
    return str(response["Location"])


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if "frame-ancestors" in p)


def test_a_framed_launch_lives_in_the_address_and_only_the_platform_may_frame_it(
    client, world, platform, registered, shelf
):
    address = _framed_launch(client, platform, shelf)
    assert address.startswith("/lti/s/") and address.endswith(_list_path(shelf))
    framed = Client()  # a frame: no cookie at all
    page = framed.get(address)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Borrowed at Nordskolen" in text
    assert _frame_ancestors(page) == f"frame-ancestors {platform.base}"
    assert "X-Frame-Options" not in page
    assert "no-store" in page["Cache-Control"]
    hold_url = address.removesuffix(_list_path(shelf)) + reverse(
        "opac-hold", args=[shelf.record.pk]
    )
    assert hold_url in text  # the page's own forms stay inside the launch
    back = framed.post(hold_url, {"next": address}, **OWN)
    assert back.status_code == 302 and back["Location"] == address
    assert Hold.objects.get(patron=world.student_a1).school == world.school_a
    assert "You are in the queue" in framed.get(address).content.decode()  # in the session
    assert SignInSession.objects.filter(user=world.student_a1).count() == 1
    plain = framed.get(_list_path(shelf))  # the ordinary page: nobody framing, nobody in
    assert _frame_ancestors(plain) == "frame-ancestors 'none'"
    assert plain["X-Frame-Options"] == "DENY"
    assert "Borrowed at Nordskolen" not in plain.content.decode()


def test_another_platforms_origin_is_not_listed_and_extra_origins_must_be_origins(
    client, world, platform, registered, shelf
):
    with Platform(people()) as other:
        register(other, world.school_b)
        address = _framed_launch(client, platform, shelf)
        listed = _frame_ancestors(Client().get(address))
        assert other.base not in listed and platform.base in listed
    lti_services.save_platform(
        SYSTEM, registered, school=None, frame_origins="https://skole.instructure.com"
    )
    listed = _frame_ancestors(Client().get(address))
    assert listed == f"frame-ancestors {platform.base} https://skole.instructure.com"
    for bad in ("https://skole.example/course/7", "https://*.instructure.com", "javascript:x"):
        with pytest.raises(ValidationError):
            lti_services.save_platform(SYSTEM, registered, school=None, frame_origins=bad)


def test_staff_pages_are_not_served_inside_the_frame(client, world, platform, registered, shelf):
    address = _framed_launch(client, platform, shelf, login="teacher")
    key_prefix = address.removesuffix(_list_path(shelf))
    framed = Client()
    for path in (reverse("accounts-providers"), reverse("lti-platforms"), "/staff/desk/"):
        page = framed.get(key_prefix + path)
        text = page.content.decode()
        assert page.status_code == 200 and "Open in a new window" in text, path
        assert f'href="{path}"' in text  # the ordinary address, without the launch's key
        assert "Learning platforms" not in text
    posted = framed.post(key_prefix + reverse("lti-platform-new"), {"name": "x"}, **OWN)
    assert "Open in a new window" in posted.content.decode()
    image = framed.get(key_prefix + "/static/x.png", HTTP_SEC_FETCH_DEST="image")
    assert image.status_code == 302 and image["Location"] == "/static/x.png"


def test_a_form_from_another_origin_is_refused(client, world, platform, registered, shelf):
    address = _framed_launch(client, platform, shelf)
    hold_url = address.removesuffix(_list_path(shelf)) + reverse(
        "opac-hold", args=[shelf.record.pk]
    )
    framed = Client()
    for headers in (
        {"HTTP_ORIGIN": platform.base},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
        {},
    ):
        refused = framed.post(hold_url, {}, **headers)
        assert refused.status_code == 403, headers
    assert not Hold.objects.filter(patron=world.student_a1).exists()


def test_a_closed_platform_a_forged_key_or_the_key_as_a_cookie_sign_nobody_in(
    client, world, platform, registered, shelf
):
    address = _framed_launch(client, platform, shelf)
    key = address.split("/")[3]
    forged = address.replace(key, key[:-4] + "abcd")
    assert Client().get(forged).status_code == 403
    as_cookie = Client()
    as_cookie.cookies["sessionid"] = key
    me = as_cookie.get(reverse("opac-me"))
    assert me.status_code == 302 and "/accounts/login/" in me["Location"]
    lti_services.save_platform(SYSTEM, registered, school=None, enabled=False)
    closed = Client().get(address)
    assert closed.status_code == 403 and "Borrowed" not in closed.content.decode()
    assert "X-Frame-Options" in closed  # nobody frames a closed platform's window


def test_sign_out_inside_the_frame_ends_the_launch(client, world, platform, registered, shelf):
    address = _framed_launch(client, platform, shelf)
    framed = Client()
    assert SessionStore(address.split("/")[3]).get(EMBED) == registered.pk
    key_prefix = address.removesuffix(_list_path(shelf))
    assert "Reserve “Heste i Danmark”" in framed.get(address).content.decode()
    framed.post(key_prefix + reverse("logout"), **OWN)
    assert not SignInSession.objects.filter(user=world.student_a1).exists()
    assert framed.get(address).status_code == 403  # the launch's window has closed


def test_a_teacher_deep_links_inside_the_frame(client, world, platform, registered, shelf):
    response = launch(client, platform, "teacher", hint="deep-link", **FRAMED)
    picker = response["Location"]
    assert picker.startswith("/lti/s/") and "/opac/lti/pick/" in picker
    framed = Client()
    page = framed.get(picker)
    assert page.status_code == 200 and "Dyr i 5.A" in page.content.decode()
    answer = framed.post(picker, {"list": [shelf.reading_list.pk]}, **OWN)
    assert answer.status_code == 200
    platform.tool_keys = lambda: framed.get(reverse("lti-jwks")).json()
    assert [i["title"] for i in platform.accept_deep_link(answer.context["jwt"])] == ["Dyr i 5.A"]
