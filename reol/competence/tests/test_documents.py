"""Word documents: a project's application and final report (beside the PDF, saying the same),
a course's programme; and the coordinator's feedback summary per session, without names."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document

from conftest import PASSWORD
from reol.competence import access, selectors
from reol.competence.services import courses, projects

from .conftest import at

pytestmark = pytest.mark.django_db


def _texts(body: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(body)).paragraphs]


def test_a_project_as_a_word_document(net, client):
    w = net.world
    project = projects.create_project(
        w.librarian_a,
        net.network,
        access.workplaces(w.librarian_a, net.network)[0],
        title="Modelbibliotek",
        purpose="Sprog i alle fag.\nOgså i matematik.",
        budget=Decimal("1250.50"),
        application="Vi søger\x07 midler",
    )
    projects.add_task(w.librarian_a, project, title="Booktalks i 5.b", owner=w.teacher_a)
    client.login(username="bib-a", password=PASSWORD)
    answer = client.get(f"/staff/competence/projects/{project.pk}/export.docx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    texts = _texts(answer.content)
    assert texts[0] == "Application: Modelbibliotek"
    assert "Sprog i alle fag." in texts and "Også i matematik." in texts
    assert "Vi søger midler" in texts  # the control character is dropped, the text kept
    assert any(t.startswith("Booktalks i 5.b · Laerer-A") for t in texts)
    assert (
        client.get(f"/staff/competence/projects/{project.pk}/export.docx?final=1").status_code
        == 404
    )
    pdf = client.get(f"/staff/competence/projects/{project.pk}/export.pdf")
    assert pdf.content.startswith(b"%PDF")
    client.login(username="bib-fjern", password=PASSWORD)
    assert client.get(f"/staff/competence/projects/{project.pk}/export.docx").status_code == 404


def test_a_course_programme_and_its_feedback(net, client):
    course = courses.create_course(
        net.coordinator, net.network, title="Kildekritik", description="Tre samlinger."
    )
    sessions = [
        courses.add_session(
            net.coordinator,
            course,
            title=f"Samling {n}",
            starts=at(-5 + n, 9),
            ends=at(-5 + n, 12),
            online_url="https://meet.example.org/k",
        )
        for n in (1, 2)
    ]
    a, b = net.county_staff[:2]
    for person, rating, comment in ((a, 4, "Godt"), (b, 5, "")):
        courses.register(person, course)
        courses.give_feedback(person, sessions[0], rating=rating, comment=comment)
    first, second = selectors.feedback_summary(course)
    assert (first.answers, first.mean, first.counts) == (2, Decimal("4.5"), [0, 0, 0, 1, 1])
    assert first.comments == ["Godt"] and (second.answers, second.mean) == (0, None)
    client.login(username="koord", password=PASSWORD)
    page = client.get(f"/staff/competence/courses/{course.pk}/").content.decode()
    assert "4.5" in page and "Godt" in page
    texts = _texts(client.get(f"/staff/competence/courses/{course.pk}/programme.docx").content)
    assert texts[0] == "Programme: Kildekritik" and "Tre samlinger." in texts
    assert any(t.startswith("2. Samling 2") and "meet.example.org" in t for t in texts)
    client.login(username="amt-1", password=PASSWORD)  # a participant: no summary of others
    assert "Godt" not in client.get(f"/staff/competence/courses/{course.pk}/").content.decode()
    client.login(username="bib-fjern", password=PASSWORD)
    assert client.get(f"/staff/competence/courses/{course.pk}/programme.docx").status_code == 404
