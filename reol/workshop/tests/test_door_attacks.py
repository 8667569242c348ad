"""The workshop pages' doors, probed: a pupil's NUL in a topic went into the session, the
room's booking and its calendar (a 500 on PostgreSQL), and a ``next`` of ``/\\evil.example``
passed the pages' own "one leading slash" check — browsers read the backslash as a slash,
so the answer sent the librarian to another site."""

from __future__ import annotations

import pytest

from reol.workshop import services
from reol.workshop.models import GuidanceSession

pytestmark = pytest.mark.django_db


def test_a_pupils_control_characters_in_a_topic_are_refused(workshop, client):
    w = workshop.world
    client.force_login(w.student_a1)
    answer = client.post(
        "/me/workshop/",
        {
            "teacher": w.teacher_a.pk,
            "topic": "Green\x00screen\x1b[2J",
            "details": "Vi vil filme",
            "day": workshop.day.isoformat(),
        },
    )
    assert answer.status_code == 200
    assert "control characters" in answer.content.decode()
    assert not GuidanceSession.objects.exists()


def test_a_line_break_in_a_topic_becomes_a_space(workshop, client):
    w = workshop.world
    client.force_login(w.teacher_a)
    client.post(
        "/staff/workshop/teacher/",
        {"topic": "Green\r\nscreen", "day": workshop.day.isoformat()},
    )
    assert GuidanceSession.objects.get().topic == "Green screen"


@pytest.mark.parametrize("onward", ["/\\evil.example/login", "/\\/evil.example", "//evil.example"])
def test_the_next_address_stays_on_reol(workshop, client, onward):
    w = workshop.world
    session = services.book_session(
        w.teacher_a, w.school_a, topic="Stop motion", day=workshop.day, group=workshop.group
    )
    client.force_login(w.librarian_a)
    answer = client.post(f"/me/workshop/sessions/{session.pk}/cancelled/", {"next": onward})
    assert answer.status_code == 302
    assert answer["Location"] == "/me/workshop/"
    safe = client.post(
        f"/me/workshop/sessions/{session.pk}/cancelled/", {"next": "/staff/workshop/"}
    )
    assert safe["Location"] == "/staff/workshop/"
