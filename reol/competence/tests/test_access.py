"""Tenancy of networks: a coordinator sees the network's aggregates and runs its courses, and
reaches no school's patrons, loans or people; another network's staff and coordinator reach
nothing of this network; an individual's answers are theirs and their own leader's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from conftest import PASSWORD
from reol.competence import access
from reol.competence.models import CourseFeed, Survey
from reol.competence.services import courses, mapping
from reol.core.permissions import SYSTEM, Perm, schools_with, visible_people

pytestmark = pytest.mark.django_db


def test_a_coordinator_has_no_role_at_any_school(net):
    c = net.coordinator
    assert access.may(c, Perm.NETWORK_COORDINATE, net.network)
    assert access.may(c, Perm.NETWORK_VIEW, net.network)
    for perm in (Perm.PEOPLE_VIEW, Perm.CIRCULATION_DESK, Perm.REPORTS_VIEW, Perm.STAFF_SHELL):
        assert not schools_with(c, perm).exists()
    assert list(visible_people(c)) == [c]


@pytest.mark.parametrize(
    "url",
    [
        "/staff/patrons/",
        "/staff/desk/",
        "/staff/people/",
        "/api/v1/patrons/A0001",
        "/api/v1/patrons/A0001/loans",
    ],
)
def test_a_coordinator_cannot_reach_patrons_or_loans(net, client, url):
    client.login(username="koord", password=PASSWORD)
    assert client.get(url).status_code in (403, 404)


def test_another_networks_people_cannot_reach_this_network(net, client):
    survey = mapping.create_survey(SYSTEM, net.network, title="Kortlægning")
    mapping.set_survey_status(SYSTEM, survey, "open")
    course = courses.create_course(SYSTEM, net.network, title="Kursus", capacity=2)
    for outsider in (net.other_librarian, net.other_coordinator):
        assert not access.may(outsider, Perm.COMPETENCE, net.network)
        assert net.network not in access.networks_with(outsider, Perm.COMPETENCE)
        with pytest.raises(PermissionDenied):
            courses.register(outsider, course)
    client.login(username="bib-fjern", password=PASSWORD)
    pages = [
        f"/staff/competence/networks/{net.network.pk}/",
        f"/staff/competence/surveys/{survey.pk}/",
        f"/staff/competence/surveys/{survey.pk}/analysis/",
        f"/staff/competence/courses/{course.pk}/",
        f"/api/v1/courses/{course.pk}/sessions",
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/courses/{course.pk}/registrations").status_code == 404
    client.login(username="koord-andet", password=PASSWORD)
    assert client.get(f"/staff/competence/networks/{net.network.pk}/").status_code == 404
    assert client.get(f"/staff/competence/surveys/{survey.pk}/analysis/").status_code == 404


def test_school_librarians_of_member_municipalities_are_staff_and_admins_leaders(net):
    w = net.world
    assert access.network_roles(w.librarian_a, net.network) == {"staff"}
    assert access.network_roles(w.admin_a, net.network) == {"leader"}
    assert access.network_roles(w.teacher_a, net.network) == set()
    assert access.network_roles(w.student_a1, net.network) == set()
    assert not access.may(w.librarian_a, Perm.NETWORK_VIEW, net.network)


def test_staff_cannot_see_the_analysis(net, client):
    survey = mapping.create_survey(SYSTEM, net.network, title="Kortlægning")
    client.login(username="bib-a", password=PASSWORD)
    assert client.get(f"/staff/competence/surveys/{survey.pk}/analysis/").status_code == 404
    assert client.get(f"/staff/competence/networks/{net.network.pk}/").status_code == 404


def test_an_answer_is_seen_by_the_person_and_their_own_leader_only(net, client):
    w = net.world
    survey = mapping.create_survey(SYSTEM, net.network, title="Kortlægning")
    mapping.set_survey_status(SYSTEM, survey, "open")
    every = {a.pk: mapping.Answer(2, 4) for a in net.network.areas.all()}
    at_school = mapping.answer_survey(
        w.librarian_a,
        survey,
        access.workplaces(w.librarian_a, net.network)[0],
        every,
        wishes="Mere om kildekritik",
    )
    at_county = mapping.answer_survey(
        net.county_staff[0], survey, access.Workplace(library=net.county), every
    )
    assert access.may_see_answer(w.librarian_a, at_school)
    assert access.may_see_answer(w.admin_a, at_school)  # the school library's leader
    assert not access.may_see_answer(net.county_leader, at_school)
    assert access.may_see_answer(net.county_leader, at_county)
    for nobody in (net.coordinator, w.librarian_b, w.consultant, net.county_staff[1]):
        assert not access.may_see_answer(nobody, at_school)
    client.login(username="koord", password=PASSWORD)
    page = client.get(f"/staff/competence/surveys/{survey.pk}/answers/").content.decode()
    assert "Mere om kildekritik" not in page
    client.login(username="admin-a", password=PASSWORD)
    page = client.get(f"/staff/competence/surveys/{survey.pk}/answers/").content.decode()
    assert "Mere om kildekritik" in page


def test_one_cannot_answer_from_a_workplace_that_is_not_ones_own(net):
    survey = mapping.create_survey(SYSTEM, net.network, title="Kortlægning")
    mapping.set_survey_status(SYSTEM, survey, Survey.Status.OPEN)
    every = {a.pk: mapping.Answer(2, 4) for a in net.network.areas.all()}
    with pytest.raises(PermissionDenied):
        mapping.answer_survey(
            net.world.librarian_a, survey, access.Workplace(library=net.county), every
        )


def test_a_coordinator_lands_on_the_competence_page_not_an_empty_profile(net, client):
    client.login(username="koord", password=PASSWORD)
    assert client.get("/").url == "/staff/competence/"
    client.login(username="amt-1", password=PASSWORD)  # the county library's staff
    assert client.get("/").url == "/staff/competence/"


def test_a_student_reaches_no_competence_page(net, client):
    w = net.world
    client.force_login(w.student_a1)
    for url in ("/staff/competence/", "/staff/competence/calendar/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/competence/calendar/", {"action": "create"}).status_code == 403
    assert not CourseFeed.objects.filter(user=w.student_a1).exists()
    client.force_login(w.librarian_a)  # staff still do, in a network or not
    assert client.get("/staff/competence/").status_code == 200
    assert client.get("/staff/competence/calendar/").status_code == 200
