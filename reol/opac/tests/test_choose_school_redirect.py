"""Choosing one's school on the public catalogue sends the visitor on to ``next``: only on
Reol. A link ``/opac/school/?next=/\\evil.example`` passed the page's "one leading slash"
check, and browsers read the backslash as a slash: a phishing page one click from ours."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "onward", ["/\\evil.example/login", "/\\/evil.example", "//evil.example", "/\t/evil.example"]
)
def test_choosing_a_school_never_sends_the_visitor_off_reol(world, client, onward):
    page = client.get("/opac/school/", {"next": onward})
    assert page.status_code == 200
    assert 'name="next" value="/opac/"' in page.content.decode()
    answer = client.post("/opac/school/", {"school": world.school_a.pk, "next": onward})
    assert answer.status_code == 302
    assert answer["Location"] == "/opac/"


def test_a_path_on_reol_is_kept(world, client):
    answer = client.post("/opac/school/", {"school": world.school_a.pk, "next": "/opac/search/"})
    assert answer["Location"] == "/opac/search/"
