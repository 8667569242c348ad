"""The shell's pages: error pages, the calendar, the audit log, my page, sign-out, the menu."""

from __future__ import annotations

import html
import io

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reol.core import services
from reol.core.demo import demo_url
from reol.core.models import ClosedPeriod, School, User

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# --- Error pages -------------------------------------------------------------------------------


def test_404_page_is_the_translated_template_with_a_way_home(world):
    response = as_user(world.librarian_a).get("/no/such/page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "We cannot find that page" in page and 'href="/"' in page
    danish = Client(HTTP_ACCEPT_LANGUAGE="da").get("/no/such/page/")
    assert 'lang="da"' in danish.content.decode()


def test_403_page_explains_and_links_home(world):
    response = as_user(world.teacher_a).get(reverse("people"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "You may not do this" in page and "Nordskolen" in page and 'href="/"' in page


def test_a_403_is_logged_as_a_line_without_a_traceback(world, caplog):
    with caplog.at_level("WARNING", logger="django.request"):
        assert as_user(world.teacher_a).get(reverse("people")).status_code == 403
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert "Forbidden" in logged.getMessage() and logged.exc_info is None
    assert "Traceback" not in caplog.text


def test_500_page_stands_alone():
    """It renders with no request, context processors or database."""
    with translation.override("en"):
        page = render_to_string("500.html")
    assert "Something went wrong" in page and "reol/reol.css" in page and 'lang="en"' in page


# --- Opening calendar --------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["abc", "", "1.5", "999999"])
def test_removing_a_closed_period_that_is_not_a_number_is_404(world, period):
    response = as_user(world.librarian_a).post(
        reverse("opening-calendar"), {"action": "remove-closed", "period": period}
    )
    assert response.status_code == 404


def test_removing_another_schools_closed_period_is_404(world):
    import datetime as dt

    period = services.add_closed_period(
        world.librarian_b,
        world.school_b,
        name="Ferie",
        kind="holiday",
        starts=dt.date(2026, 10, 12),
        ends=dt.date(2026, 10, 16),
    )
    response = as_user(world.librarian_a).post(
        reverse("opening-calendar"), {"action": "remove-closed", "period": str(period.pk)}
    )
    assert response.status_code == 404
    assert ClosedPeriod.objects.filter(pk=period.pk).exists()


# --- Audit log ---------------------------------------------------------------------------------


def test_audit_log_shows_translated_labels_not_codes(world):
    from reol.core import audit

    with audit.origin("cli"):
        services.record_person_view(world.admin_a, world.student_a1, world.school_a)
    client = as_user(world.admin_a)
    table = html.unescape(client.get(reverse("audit-log")).content.decode().split("<table")[1])
    assert "Person added" in table and "Person's record viewed" in table
    assert "person.create" not in table and "person.view" not in table
    assert "command line" in table and ">cli " not in table


def test_audit_log_keeps_unknown_codes_and_filters_by_action(world):
    from reol.core import audit
    from reol.core.models import AuditEvent

    AuditEvent.objects.create(action="future.thing", school=world.school_a, via="web")
    client = as_user(world.admin_a)
    page = client.get(reverse("audit-log")).content.decode()
    assert "future.thing" in page and "web page" in page
    views = client.get(reverse("audit-log"), {"action": "person.view"})
    assert all(e.action == "person.view" for e in views.context["page"])
    assert audit.action_label("future.thing") == "future.thing"


# --- My page -----------------------------------------------------------------------------------


def test_saving_my_language_confirms_in_the_new_language(world):
    client = as_user(world.librarian_a)
    response = client.post(reverse("me"), {"preferred_language": "da"}, follow=True)
    page = response.content.decode()
    assert 'lang="da"' in page
    with translation.override("da"):
        saved = translation.gettext("Your language is saved.")
    assert saved in page
    assert response.context["current_language"] == "Dansk"


def test_my_page_names_the_current_language(world):
    response = as_user(world.student_a1).get(reverse("me"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.context["current_language"] == "Norsk (bokmål)"


# --- Sign-out, menu, language names, demo ------------------------------------------------------


def test_sign_out_by_get_shows_a_button_and_post_signs_out(world):
    client = as_user(world.librarian_a)
    page = client.get(reverse("logout"))
    assert page.status_code == 200 and "Sign out of Reol?" in page.content.decode()
    assert "_auth_user_id" in client.session
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    assert Client().get(reverse("logout")).url == reverse("login")


def test_menu_marks_the_section_of_a_sub_page(world):
    client = as_user(world.librarian_a)
    nav = client.get(reverse("person", args=[world.student_a1.pk])).context["nav_entries"]
    current = [link.href for link in nav if link.current]
    assert current == [reverse("people")]
    nav = client.get(reverse("opening-calendar")).context["nav_entries"]
    assert [link.href for link in nav if link.current] == [reverse("opening-calendar")]
    page = client.get(reverse("staff-dashboard")).content.decode()
    assert page.count('aria-current="page"') == 1


def test_the_header_language_switch_is_my_saved_language_when_signed_in(world, client):
    """Switched in the header, the language is the person's own (the next sign-in, anywhere,
    speaks it); someone not signed in gets it for this browser only."""
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert client.cookies["django_language"].value == "nb"
    client = as_user(world.student_a1)
    answer = client.post(reverse("set_language"), {"language": "nb", "next": reverse("me")})
    assert answer.status_code == 302
    world.student_a1.refresh_from_db()
    assert world.student_a1.preferred_language == "nb"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # refused, kept
    world.student_a1.refresh_from_db()
    assert world.student_a1.preferred_language == "nb"
    fresh = as_user(world.student_a1)  # another browser: no cookie, the saved language
    assert 'lang="nb"' in fresh.get(reverse("me")).content.decode()


def test_a_form_without_a_field_to_fill_in_says_nothing_of_asterisks(world):
    """My page's language is a choice with no blank option: nothing there can be left empty,
    so no "Fields marked * must be filled in." (the trial found it over no marked field);
    the e-mail form, with a required field, says it."""
    client = as_user(world.student_a1)
    assert "must be filled in" not in client.get(reverse("me")).content.decode()
    assert "must be filled in" in client.get(reverse("email-change")).content.decode()


def test_a_selects_choice_of_nothing_reads_the_same_everywhere(world):
    """Django's "---------" (the collaboration and calendar-feed forms) and "— none —" beside
    "– none –" (bookings): one label now, from the form renderer."""
    from django import forms

    from reol.core.formrender import NO_CHOICE

    class Mixed(forms.Form):
        school = forms.ModelChoiceField(queryset=School.objects.all(), required=False)
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
        own = forms.ModelChoiceField(
            queryset=School.objects.all(), required=False, empty_label="The whole school"
        )

    html = str(Mixed())
    assert "---------" not in html and html.count(f">{NO_CHOICE}</option>") == 2
    assert ">The whole school</option>" in html
    client = as_user(world.teacher_a)
    for name in ("planning-feeds", "planning-collaborations"):
        page = client.get(reverse(name)).content.decode()
        assert "---------" not in page, name


def test_language_names_are_their_own_names_everywhere(world):
    client = as_user(world.admin_a)
    for url in (reverse("me"), reverse("school-settings")):
        page = client.get(url).content.decode()
        assert "Norsk (bokmål)" in page and "Norsk bokmål" not in page, url
    assert User._meta.get_field("preferred_language").choices[1] == ("nb", "Norsk (bokmål)")


def test_demo_url_follows_host_and_port():
    assert demo_url({}) == "http://127.0.0.1:8000/"
    assert demo_url({"PORT": "8123"}) == "http://127.0.0.1:8123/"
    assert demo_url({"HOST": "0.0.0.0", "PORT": "80"})  # noqa: S104 == "http://127.0.0.1:80/"
    assert demo_url({"HOST": "::1"}) == "http://[::1]:8000/"


def test_demo_prints_the_port_and_names_each_librarian(monkeypatch):
    monkeypatch.setenv("PORT", "8765")
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "http://127.0.0.1:8765/" in out.getvalue()
    names = {
        str(u) for u in User.objects.filter(username__in=["bibliotekar-nord", "bibliotekar-soe"])
    }
    assert len(names) == 2
