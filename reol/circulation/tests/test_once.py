"""A scan whose answer was lost never happens twice: the desk and the API's checkout, check-in
and renew answer a request sent again with the same ``Idempotency-Key`` with the first answer,
and do nothing more. Two desks with their own keys racing for one copy: one wins as ever.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog.models import ItemStatus
from reol.circulation import once
from reol.circulation.models import Loan, RequestAnswer
from reol.core.models import AuditEvent
from tests.race import race

HX = {"HTTP_HX_REQUEST": "true"}


def post(client: Client, url: str, body: dict, auth: dict, key: str = ""):  # type: ignore[no-untyped-def]
    headers = {**auth, **({"HTTP_IDEMPOTENCY_KEY": key} if key else {})}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_same_key_twice_lends_once_and_answers_the_same(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    body = {"patron": "A0001", "item": "S1"}
    first = post(client, "/api/v1/circulation/checkout", body, auth, key="scan-1")
    again = post(client, "/api/v1/circulation/checkout", body, auth, key="scan-1")
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Loan.objects.filter(item__barcode="S1").count() == 1
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 1
    # Without the key, the same request is a second scan: the copy is on loan already.
    r = post(client, "/api/v1/circulation/checkout", body, auth)
    assert r.status_code == 409 and r.json()["code"] == "already_on_loan"


@pytest.mark.django_db
def test_a_check_in_sent_again_is_not_a_second_return(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "S1"}, auth)
    first = post(client, "/api/v1/circulation/checkin", {"item": "S1"}, auth, key="k2")
    again = post(client, "/api/v1/circulation/checkin", {"item": "S1"}, auth, key="k2")
    assert first.json()["route"] == "shelf" and first.json()["returned_loan"]
    assert again.json() == first.json()  # not "was not on loan"
    assert AuditEvent.objects.filter(action="loan.checkin").count() == 1


@pytest.mark.django_db
def test_a_refusal_is_replayed_too_and_a_key_is_one_request(library, token_for):
    client = Client()
    auth = token_for(library.world.librarian_a)
    post(client, "/api/v1/circulation/checkout", {"patron": "A0001", "item": "S1"}, auth)
    body = {"patron": "A0002", "item": "S1"}
    first = post(client, "/api/v1/circulation/checkout", body, auth, key="k3")
    assert first.status_code == 409
    again = post(client, "/api/v1/circulation/checkout", body, auth, key="k3")
    assert again.status_code == 409 and again.json() == first.json()
    other = post(client, "/api/v1/circulation/checkout", {**body, "item": "S2"}, auth, key="k3")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert not Loan.objects.filter(item__barcode="S2").exists()
    bad = post(client, "/api/v1/circulation/checkout", body, auth, key="x" * 101)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_idempotency_key"


@pytest.mark.django_db
def test_keys_are_each_persons_own(library, token_for):
    """Another person's key is not theirs to replay: the same key acts anew for someone else."""
    w = library.world
    client = Client()
    mine = post(
        client,
        "/api/v1/circulation/checkout",
        {"patron": "A0001", "item": "S1"},
        token_for(w.librarian_a),
        key="same",
    )
    theirs = post(
        client,
        "/api/v1/circulation/checkout",
        {"patron": "A0001", "item": "S1"},
        token_for(w.admin_a),
        key="same",
    )
    assert mine.status_code == 201
    assert theirs.status_code == 409 and theirs.json()["code"] == "already_on_loan"


@pytest.mark.django_db
def test_the_desk_page_replays_a_scan_with_the_patron_it_selected(library):
    w = library.world
    client = Client()
    assert client.login(username=w.librarian_a.username, password=PASSWORD)

    def scan(code: str, patron: object, key: str):  # type: ignore[no-untyped-def]
        data = {"scan": code, "patron": getattr(patron, "pk", "")}
        return client.post("/staff/desk/", data, HTTP_IDEMPOTENCY_KEY=key, **HX).content.decode()

    first = scan("S1", w.student_a1, "d1")
    again = scan("S1", w.student_a1, "d1")
    assert "Lent “Rejsen til Saturn”, due" in first
    assert "Lent “Rejsen til Saturn”, due" in again and "already on loan" not in again
    assert f'id="desk-patron" value="{w.student_a1.pk}"' in again
    assert Loan.objects.filter(item__barcode="S1").count() == 1
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 1


@pytest.mark.django_db
def test_old_answers_are_pruned(library, token_for):
    w = library.world
    old = RequestAnswer.objects.create(
        actor=w.librarian_a, key="old", fingerprint="x", status=200, answer={}
    )
    RequestAnswer.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - once.KEEP - dt.timedelta(minutes=1)
    )
    once._last_pruned.clear()
    post(
        Client(),
        "/api/v1/circulation/checkout",
        {"patron": "A0001", "item": "S1"},
        token_for(w.librarian_a),
        key="new",
    )
    assert list(RequestAnswer.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twice_at_once_lends_once(library, token_for):
    auth = token_for(library.world.librarian_a)
    body = {"patron": "A0001", "item": "S1"}
    results = race(
        2, lambda i: post(Client(), "/api/v1/circulation/checkout", body, auth, key="twice")
    )
    assert [r.status_code for r in results] == [201, 201]  # type: ignore[attr-defined]
    assert results[0].json() == results[1].json()  # type: ignore[attr-defined]
    assert Loan.objects.filter(item__barcode="S1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_desks_with_their_own_keys_racing_one_wins(library, token_for):
    auth = token_for(library.world.librarian_a)
    patrons = ["A0001", "A0002"]
    results = race(
        2,
        lambda i: post(
            Client(),
            "/api/v1/circulation/checkout",
            {"patron": patrons[i], "item": "S1"},
            auth,
            key=f"desk-{i}",
        ),
    )
    codes = sorted(r.status_code for r in results)  # type: ignore[attr-defined]
    assert codes == [201, 409], [r.content for r in results]  # type: ignore[attr-defined]
    assert Loan.objects.filter(item__barcode="S1").count() == 1
    assert library.item("S1").status == ItemStatus.ON_LOAN
    assert RequestAnswer.objects.count() == 2  # the refusal is an answer too
