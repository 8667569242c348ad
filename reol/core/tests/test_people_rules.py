"""Adding and finding people: one set of rules for the pages, the API and the command line."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from reol.core import services
from reol.core.models import AuditEvent, Location, User
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db

USERNAME_RULE = "A username is 1 to 150 letters"


def api_add(client, headers, **fields):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/people", {"school": "nord", **fields}, content_type="application/json", **headers
    )


def page_add(client, **fields):  # type: ignore[no-untyped-def]
    return client.post(reverse("person-add"), {"role": "student", **fields})


@pytest.fixture
def librarian(world) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.librarian_a)
    return client


# --- Roles -------------------------------------------------------------------------------------


def test_an_unknown_role_is_a_clear_422_not_a_crash(world, client, token_for):
    response = api_add(
        client, token_for(world.librarian_a), username="x", role="wizard", first_name="X"
    )
    assert response.status_code == 422
    assert "“wizard” is not a role" in response.json()["fields"]["role"][0]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("write", ["create_person", "grant_role", "revoke_role"])
def test_services_refuse_unknown_roles(world, write):
    with pytest.raises(ValidationError) as error:
        if write == "create_person":
            services.create_person(SYSTEM, world.school_a, username="x", role="", first_name="X")
        else:
            getattr(services, write)(SYSTEM, world.teacher_a, world.school_a, "wizard")
    assert "role" in error.value.message_dict


# --- Usernames and names -----------------------------------------------------------------------


def test_danish_letters_are_welcome_in_usernames(world, librarian):
    response = page_add(librarian, username="søren.æbelø", first_name="Søren", last_name="Æbelø")
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.filter(username="søren.æbelø").exists()


@pytest.mark.parametrize("bad", ["has space", "<script>", "x" * 151, "tab\tbed", "plus+sign"])
def test_page_and_api_refuse_bad_usernames_with_the_same_words(
    world, librarian, client, token_for, bad
):
    page = page_add(librarian, username=bad, first_name="X")
    assert page.status_code == 200
    page_errors = page.context["form"].errors["username"]
    api = api_add(
        client, token_for(world.librarian_a), username=bad, role="student", first_name="X"
    )
    assert api.status_code == 422
    assert page_errors == api.json()["fields"]["username"]
    assert page_errors[0].startswith(USERNAME_RULE)


def test_a_person_needs_a_first_or_a_last_name(world, librarian, client, token_for):
    api = api_add(client, token_for(world.librarian_a), username="nameless", role="student")
    assert api.status_code == 422 and "first_name" in api.json()["fields"]
    page = page_add(librarian, username="nameless")
    assert "Give a first name or a last name." in page.content.decode()
    assert not User.objects.filter(username="nameless").exists()
    assert page_add(librarian, username="only-last", last_name="Hansen").status_code == 302


def test_an_empty_select_asks_for_a_choice(world, librarian):
    page = librarian.get(reverse("person-add")).content.decode()
    assert "— choose —" in page and "---------" not in page
    assert "---------" not in librarian.get(reverse("locations")).content.decode()


# --- Cards and location codes ignore case ------------------------------------------------------


def test_card_barcodes_are_unique_whatever_the_case(world, librarian):
    response = page_add(librarian, username="copycat", first_name="C", card_barcode="a0001")
    assert "Another person has this card barcode." in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="sneaky", card_barcode="a0001")


def test_usernames_are_unique_whatever_the_case_in_the_database_too(world, librarian):
    response = page_add(librarian, username="ELEV-A1", first_name="E")
    assert "is taken" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Elev-A1")


def test_a_card_or_username_is_found_whatever_the_case_and_with_danish_letters(world, librarian):
    from reol.circulation.selectors import patron_by_code
    from reol.core.selectors import person_by_identifier

    page_add(librarian, username="Søren.Æbelø", first_name="Søren", card_barcode="a0777")
    søren = User.objects.get(username="Søren.Æbelø")
    for typed in ("Søren.Æbelø", " søren.Æbelø ", "A0777", "a0777"):
        assert patron_by_code(typed) == søren, typed
        assert person_by_identifier(typed) == søren, typed
    assert patron_by_code("elev-a1") == patron_by_code("ELEV-A1") != None  # noqa: E711
    assert patron_by_code("nobody") is None and patron_by_code("  ") is None


def test_location_codes_are_unique_in_a_school_whatever_the_case(world, librarian):
    services.create_location(world.librarian_a, world.school_a, code="Faglit", name="Fag")
    response = librarian.post(
        reverse("locations"), {"code": "faglit", "name": "Igen", "kind": "shelf"}
    )
    assert "This school already has a location with that code." in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(school=world.school_a, code="FAGLIT", name="X")
    # Another school may use the same code.
    services.create_location(world.librarian_b, world.school_b, code="faglit", name="Fag")


def test_a_pin_without_a_card_gets_a_warning(world, librarian):
    response = page_add(librarian, username="pin-only", first_name="P", pin="1234")
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert "warning" in levels
    librarian.get(reverse("people"))  # shows, and so uses up, the messages above
    response = page_add(
        librarian, username="pin-and-card", first_name="P", pin="1234", card_barcode="A0100"
    )
    assert "warning" not in [m.level_tag for m in get_messages(response.wsgi_request)]


# --- Search ------------------------------------------------------------------------------------


@pytest.fixture
def soeren(world) -> User:  # type: ignore[no-untyped-def]
    return services.create_person(
        SYSTEM,
        world.school_a,
        username="soeren",
        role="student",
        first_name="Søren",
        last_name="Æbelø",
        card_barcode="NORD00301",
    )


@pytest.mark.parametrize(
    "query", ["æbelø", "ÆBELØ", "søren æbelø", "Æbelø Søren", "SØREN", "nord00301", "Soeren"]
)
def test_people_search_ignores_case_for_danish_letters_and_takes_full_names(
    world, librarian, client, token_for, soeren, query
):
    page = librarian.get(reverse("people"), {"q": query})
    assert [p.username for p in page.context["page"]] == ["soeren"]
    api = client.get("/api/v1/people", {"q": query}, **token_for(world.librarian_a))
    assert [p["username"] for p in api.json()["items"]] == ["soeren"]


def test_search_follows_renames(world, librarian, soeren):
    soeren.last_name = "Østergård"
    soeren.save(update_fields=["last_name"])
    page = librarian.get(reverse("people"), {"q": "ØSTERGÅRD"})
    assert [p.username for p in page.context["page"]] == ["soeren"]


def test_search_finds_full_name_but_not_other_schools(world, librarian):
    page = librarian.get(reverse("people"), {"q": "Elev-B1 Test"})
    assert list(page.context["page"]) == []
    page = librarian.get(reverse("people"), {"q": "Elev-A1 Test"})
    assert [p.username for p in page.context["page"]] == ["elev-a1"]


def test_audit_log_object_filter_ignores_case_for_danish_letters(world, soeren):
    admin = Client()
    admin.force_login(world.admin_a)
    page = admin.get(reverse("audit-log"), {"object": "ÆBELØ"})
    events = list(page.context["page"])
    assert events and all(e.object_repr == "Søren Æbelø" for e in events)
    assert AuditEvent.objects.filter(object_key="søren æbelø").exists()


# --- Nothing reveals people at other schools ---------------------------------------------------


def test_taken_username_or_card_does_not_reveal_who_or_where(world, librarian, client, token_for):
    revealing = ("Elev-B1", "elev-b1", "Sydskolen", "syd")
    response = page_add(librarian, username="ELEV-B1", first_name="X", card_barcode="b0001")
    errors = response.context["form"].errors
    assert "username" in errors and "card_barcode" in errors
    text = " ".join(m for messages in errors.values() for m in messages)
    assert not any(word in text for word in revealing if word != "elev-b1"), text
    assert "Sydskolen" not in response.content.decode()
    api = api_add(
        client,
        token_for(world.librarian_a),
        username="new",
        role="student",
        first_name="X",
        card_barcode="B0001",
    )
    assert api.status_code == 422
    assert not any(word in api.json()["message"] for word in revealing)
