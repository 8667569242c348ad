"""What every page shares: one date format per language, the dashboard's tiles say what they
are for, two forms on one page never share an id, the error summary, required fields, and the
way in from the public catalogue's sign-in link."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from conftest import PASSWORD
from reol.core import navigation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["4 Jan 2027", "4 May 2027", "14 Sep 2027"]),
        ("da", ["4. jan. 2027", "4. maj 2027", "14. sept. 2027"]),
        ("nb", ["4. jan. 2027", "4. mai 2027", "14. sept. 2027"]),
    ],
)
def test_one_date_format_per_language_whatever_the_template_asks_for(language, expected):
    days = [dt.date(2027, 1, 4), dt.date(2027, 5, 4), dt.date(2027, 9, 14)]
    with translation.override(language):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert [date_format(d, name) for d in days] == expected
        page = Template('{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date }}').render(
            Context({"d": days[0]})
        )
        assert page == f"{expected[0]}|{expected[0]}"


def test_every_dashboard_tile_says_what_it_is_for():
    missing = [str(e.label) for e in navigation.entries() if not str(e.description).strip()]
    assert missing == []


def ids(html: str) -> Counter[str]:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize("path", ["/staff/planning/team/", "/staff/school/calendar/"])
def test_pages_with_two_forms_give_each_field_its_own_id(world, path):
    client = Client()
    assert client.login(username="admin-a", password=PASSWORD)
    html = client.get(path).content.decode()
    twice = [name for name, n in ids(html).items() if n > 1]
    assert twice == []
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html):
        assert f'for="{field_id}"' in html or 'type="hidden"' in html, field_id


class _Example(forms.Form):
    name = forms.CharField(label="Name")
    note = forms.CharField(label="Note", required=False)


def test_the_error_summary_lists_each_error_with_a_link_to_its_field():
    form = _Example({"note": "kept"})
    form.add_error(None, "Something about the whole form.")
    page = Template("{% load form_errors %}{% error_summary %}").render(Context({"form": form}))
    assert 'class="error-summary" tabindex="-1"' in page
    assert "<li>Something about the whole form.</li>" in page
    assert '<a href="#id_name">Name: This field is required.</a>' in page
    unbound = Template("{% load form_errors %}{% error_summary %}").render(
        Context({"form": _Example()})
    )
    assert unbound.strip() == ""


def test_required_fields_carry_aria_required():
    html = str(_Example())
    assert re.search(r'<input[^>]*name="name"[^>]*aria-required="true"', html)
    assert not re.search(r'<input[^>]*name="note"[^>]*aria-required', html)


def test_staff_signing_in_from_the_catalogues_link_land_on_their_dashboard(world):
    client = Client()
    link = "/accounts/login/?next=/opac/&from=opac"
    response = client.post(link, {"username": "bib-a", "password": PASSWORD})
    assert response.url == "/"
    assert client.get("/").url == "/staff/"
    student = Client()
    response = student.post(link, {"username": "A0001", "password": "4321"})
    assert response.url == "/opac/"  # a student comes back to the catalogue page
    html = Client().get("/opac/", follow=True).content.decode()
    assert "from=opac" in html


@pytest.mark.parametrize("language", ["da", "nb"])
def test_danish_and_norwegian_quote_one_way(language):
    """»…« in Danish and Norwegian; English keeps “…” (the source strings)."""
    from pathlib import Path

    po = Path(__file__).parents[2] / "locale" / language / "LC_MESSAGES" / "django.po"
    in_msgstr = False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if in_msgstr:
            assert not re.search(r"[“”„]|'\w+'", line), line
    with translation.override(language):
        assert "»" in translation.gettext("“%(title)s” is removed from the plan.")
