"""The desk reveals nobody: a card or username of someone who is not a patron here (a student
of another school, a closed account of another school) answers "no card and no copy has the
code" at the desk and "no patron has the card or username" through the API, never their name.
A librarian who also works the other school's desk is still told who it is.

Before, scanning any card at any desk answered "<first and last name> is not a patron at
Nordskolen", for everyone in the installation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import PASSWORD
from reol.circulation.models import Loan
from reol.core import services as core
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _scan(client: Client, code: str) -> str:
    response = client.post("/staff/desk/", {"scan": code, "patron": "", "action": ""}, **HX)
    return response.content.decode()


@pytest.mark.parametrize("code", ["B0001", "b0001", "elev-b1", "ELEV-B1"])
def test_a_foreign_card_or_username_names_nobody_at_the_desk(library, code):
    html = _scan(_desk(library.world.librarian_a), code)
    assert "Elev-B1" not in html and "Test" not in html.split("<main", 1)[-1]
    assert "Sydskolen" not in html
    assert f"No card and no copy has the code {code}." in html


def test_a_closed_account_of_another_school_names_nobody(library):
    student = library.world.student_b1
    student.is_active = False
    student.save(update_fields=["is_active"])
    html = _scan(_desk(library.world.librarian_a), "B0001")
    assert "Elev-B1" not in html and "No card and no copy has the code B0001." in html


def test_an_unknown_and_a_foreign_code_get_the_same_answer(library):
    client = _desk(library.world.librarian_a)
    foreign = _scan(client, "B0001").replace("B0001", "CODE")
    unknown = _scan(client, "Z9999").replace("Z9999", "CODE")
    assert foreign == unknown


def test_a_librarian_of_both_schools_is_told_who_it_is(library):
    both = library.world.librarian_a
    core.grant_role(SYSTEM, both, library.world.school_b, "librarian")
    html = _scan(_desk(both), "B0001")
    assert "Elev-B1 Test is not a patron at Nordskolen." in html


def test_the_api_checkout_names_nobody(library, token_for):
    auth = token_for(library.world.librarian_a)
    for code in ("B0001", "elev-b1"):
        response = Client().post(
            "/api/v1/circulation/checkout",
            json.dumps({"patron": code, "item": "S1"}),
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "unknown_patron" and "Elev-B1" not in body["message"]
        assert "Sydskolen" not in body["message"]
    assert not Loan.objects.exists()


def test_the_api_patron_lookup_names_nobody(library, token_for):
    auth = token_for(library.world.librarian_a)
    response = Client().get("/api/v1/patrons/B0001/loans", **auth)
    assert response.status_code == 404 and b"Elev-B1" not in response.content


def test_the_api_patron_record_names_nobody(library, token_for):
    auth = token_for(library.world.librarian_a)
    for code in ("B0001", "elev-b1"):
        response = Client().get(f"/api/v1/patrons/{code}", **auth)
        assert response.status_code == 404 and b"Elev-B1" not in response.content
