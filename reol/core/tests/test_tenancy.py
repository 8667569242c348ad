"""Tenant isolation: people try to cross school and role boundaries through pages and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_librarian_lists_only_own_schools_people(world):
    page = signed_in(world.librarian_a).get(reverse("people"))
    assert page.status_code == 200
    names = {p.username for p in page.context["page"]}
    assert "elev-a1" in names and "bib-a" in names
    assert not names & {"elev-b1", "bib-b"}


def test_librarian_cannot_open_other_schools_person_page(world):
    client = signed_in(world.librarian_a)
    assert client.get(reverse("person", args=[world.student_b1.pk])).status_code == 404
    assert client.get(reverse("person", args=[world.student_a1.pk])).status_code == 200


def test_librarian_cannot_switch_to_other_school(world):
    client = signed_in(world.librarian_a)
    response = client.post(reverse("switch-school"), {"school": world.school_b.pk})
    assert response.status_code == 403
    assert client.session.get("reol_school") is None


def test_librarian_cannot_change_other_schools_settings_by_switching(world):
    client = signed_in(world.librarian_a)
    client.post(reverse("switch-school"), {"school": world.school_b.pk})
    client.post(reverse("school-settings"), {"name": "Hacked", "default_language": "da"})
    world.school_b.refresh_from_db()
    assert world.school_b.name == "Sydskolen"


def test_api_people_list_is_scoped(world, client, token_for):
    response = client.get("/api/v1/people?size=500", **token_for(world.librarian_a))
    assert response.status_code == 200
    names = {p["username"] for p in response.json()["items"]}
    assert "elev-a1" in names and "elev-b1" not in names and "bib-b" not in names


def test_api_other_schools_person_is_404(world, client, token_for):
    headers = token_for(world.librarian_a)
    assert client.get(f"/api/v1/people/{world.student_b1.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/people/{world.student_a1.pk}", **headers).status_code == 200


def test_api_other_schools_filter_is_404(world, client, token_for):
    headers = token_for(world.librarian_a)
    assert client.get("/api/v1/people?school=syd", **headers).status_code == 404
    assert client.get("/api/v1/schools/syd/locations", **headers).status_code == 404


def test_api_cannot_create_person_at_other_school(world, client, token_for):
    response = client.post(
        "/api/v1/people",
        {"school": "syd", "username": "intruder", "role": "student"},
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert response.status_code == 404
    assert not world.school_b.memberships.filter(user__username="intruder").exists()


def test_librarian_cannot_appoint_an_administrator(world, client, token_for):
    response = client.post(
        "/api/v1/people",
        {"school": "nord", "username": "boss", "role": "administrator"},
        content_type="application/json",
        **token_for(world.librarian_a),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_student_cannot_see_another_student(world, client, token_for):
    headers = token_for(world.student_a1)
    assert client.get(f"/api/v1/people/{world.student_a2.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/people/{world.student_a1.pk}", **headers).status_code == 200
    assert client.get("/api/v1/people", **headers).status_code == 403
    pages = signed_in(world.student_a1)
    assert pages.get(reverse("person", args=[world.student_a2.pk])).status_code == 403
    assert pages.get(reverse("people")).status_code == 403


def test_student_is_sent_to_own_page_not_staff_shell(world):
    client = signed_in(world.student_a1)
    assert client.get("/").url == reverse("opac-home")
    assert client.get(reverse("staff-dashboard")).status_code == 403


@pytest.mark.parametrize(
    "url_name", ["people", "person-add", "school-settings", "opening-calendar", "audit-log"]
)
def test_teacher_is_refused_staff_administration(world, url_name):
    assert signed_in(world.teacher_a).get(reverse(url_name)).status_code == 403


def test_audit_log_only_for_administrators(world):
    assert signed_in(world.librarian_a).get(reverse("audit-log")).status_code == 403
    assert signed_in(world.admin_a).get(reverse("audit-log")).status_code == 200


def test_consultant_sees_all_schools_of_own_municipality_only(world, client, token_for):
    headers = token_for(world.consultant)
    schools = {s["code"] for s in client.get("/api/v1/schools", **headers).json()}
    assert schools == {"nord", "syd"}
    names = {
        p["username"] for p in client.get("/api/v1/people?size=500", **headers).json()["items"]
    }
    assert {"elev-a1", "elev-b1"} <= names
    assert "fremmed-konsulent" not in names
    outsider = token_for(world.other_consultant)
    assert client.get("/api/v1/schools", **outsider).json() == []
    assert client.get(f"/api/v1/people/{world.student_a1.pk}", **outsider).status_code == 404


def test_consultant_may_view_but_not_add_people(world):
    client = signed_in(world.consultant)
    assert client.get(reverse("people")).status_code == 200
    assert client.get(reverse("person-add")).status_code == 403


def test_audit_api_is_scoped(world, client, token_for):
    events = client.get("/api/v1/audit?size=500", **token_for(world.admin_a)).json()["items"]
    assert events and all(e["school"] in ("nord", None) for e in events)
    assert all(e["school"] == "nord" for e in events)
    assert client.get("/api/v1/audit", **token_for(world.librarian_a)).json()["items"] == []
