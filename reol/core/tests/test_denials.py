"""Refused access is in the audit log (ASVS 7.2.2): a librarian of school A trying school
B's ids on the pages and the API, with who, what and which school; rate-limited per person
so a loop cannot flood the log; the audit page filters them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reol.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(person)
    return client


def denied():  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(action="access.denied")


def test_a_librarian_of_a_trying_school_bs_ids_is_refused_and_audited(world):
    client = signed_in(world.librarian_a)
    student_b = world.student_b1
    assert client.get(reverse("person", args=[student_b.pk])).status_code == 404
    assert client.get(f"/api/v1/people/{student_b.pk}").status_code == 404
    assert client.get("/api/v1/schools/syd/locations").status_code == 404
    assert client.get(reverse("person", args=[999999])).status_code == 404  # nobody's: not logged
    switched = client.post(reverse("switch-school"), {"school": world.school_b.pk})
    assert switched.status_code == 403
    events = list(denied().filter(actor=world.librarian_a).order_by("id"))
    paths = {e.details["path"] for e in events}
    assert paths == {
        reverse("person", args=[student_b.pk]),
        f"/api/v1/people/{student_b.pk}",
        "/api/v1/schools/syd/locations",
        reverse("switch-school"),
    }
    person_page = [e for e in events if e.details["path"] == reverse("person", args=[student_b.pk])]
    # Written at the librarian's school and at the school whose object was tried.
    assert {e.school_id for e in person_page} == {world.school_a.pk, world.school_b.pk}
    assert person_page[0].details["target_school"] == "syd"
    assert person_page[0].object_id == str(student_b.pk)
    assert {e.via for e in events} == {"web"}
    # The answers stayed what they were: nothing about school B was shown.
    assert (
        world.school_b.name
        not in client.get(reverse("person", args=[student_b.pk])).content.decode()
    )


def test_a_403_of_a_page_and_of_the_api_is_audited(world, token_for):
    teacher = signed_in(world.teacher_a)
    assert teacher.get(reverse("audit-log")).status_code == 403
    assert teacher.get("/api/v1/people").status_code == 403
    via_token = Client().get("/api/v1/people", **token_for(world.student_a1))
    assert via_token.status_code == 403
    rows = denied().order_by("id")
    assert [(e.actor_name, e.details["method"], e.details["path"]) for e in rows] == [
        ("laerer-a", "GET", reverse("audit-log")),
        ("laerer-a", "GET", "/api/v1/people"),
        ("elev-a1", "GET", "/api/v1/people"),
    ]
    assert rows[0].school_id == world.school_a.pk and rows[0].details["reason"]
    assert rows[2].via == "api"


def test_a_loop_of_refusals_does_not_flood_the_log(world, settings):
    settings.REOL_DENIALS_LOGGED_PER_MINUTE = 5
    teacher = signed_in(world.teacher_a)
    for _n in range(30):
        assert teacher.get(reverse("audit-log")).status_code == 403
    assert denied().count() == 5
    assert AuditEvent.objects.filter(action="access.denied_suppressed").count() == 1
    # Another person is counted apart.
    signed_in(world.volunteer_a).get(reverse("audit-log"))
    assert denied().filter(actor=world.volunteer_a).count() == 1


def test_the_audit_page_filters_refused_access(world):
    signed_in(world.librarian_a).get(reverse("person", args=[world.student_b1.pk]))
    admin = signed_in(world.admin_a)
    page = admin.get(reverse("audit-log"), {"action": "access.denied"}).content.decode()
    assert "Access refused" in page
    assert reverse("person", args=[world.student_b1.pk]) in page
    assert "All refused access" in page


def test_another_schools_closed_period_is_a_404_that_is_audited(world):
    """One of the lookups moved to ``denials.get_or_404``: an administrator of school A who
    posts school B's closed period is refused as if it did not exist, and the try is logged
    at both schools."""
    from reol.core import services
    from reol.core.permissions import SYSTEM

    holiday = services.add_closed_period(
        SYSTEM,
        world.school_b,
        name="Vinterferie",
        starts=timezone.localdate(),
        ends=timezone.localdate(),
        kind="holiday",
    )
    client = signed_in(world.admin_a)
    answer = client.post(
        reverse("opening-calendar"), {"action": "remove-closed", "period": holiday.pk}
    )
    assert answer.status_code == 404
    assert holiday.__class__.objects.filter(pk=holiday.pk).exists()
    schools = {e.school_id for e in denied().filter(actor=world.admin_a)}
    assert schools == {world.school_a.pk, world.school_b.pk}


# Lookups by id that a view makes inside a school's (or a municipality's, or a person's) scope
# must go through ``denials.get_or_404``, so that an id of another school is audited, not only
# answered 404. Plain ``get_object_or_404`` stays for lookups with nothing to refuse.
SCOPE_WORDS = ("school", "school_id", "municipality", "municipality_id")
UNSCOPED_ON_PURPOSE = {
    # the public catalogue: any visitor may open any record of the municipality they browse
    ("reol/catalog/selectors.py", "public_record"),
}


def _scoped(node: ast.expr) -> bool:
    """Whether a queryset expression is narrowed to a scope: a selector or helper call
    (``selectors.devices(user)``), or a chain with a scope keyword anywhere in it.
    ``Model.objects.select_related(...)`` alone is not (its view checks access itself)."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            if any((k.arg or "").split("__")[-1] in SCOPE_WORDS for k in node.keywords):
                return True
            node = node.func
        elif node.attr == "objects":
            return False
        else:
            node = node.value
    return True


def _scoped_plain_lookups() -> list[str]:
    root = Path(__file__).resolve().parents[3]
    found = []
    for path in sorted((root / "reol").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "get_object_or_404"
                    and call.args
                ):
                    continue
                first = call.args[0]
                model_named = isinstance(first, ast.Name) and first.id[:1].isupper()
                keys = [k.arg or "" for k in call.keywords]
                scoped = any(k.split("__")[-1] in SCOPE_WORDS for k in keys)
                if not model_named:
                    scoped = scoped or _scoped(first)
                if not scoped or (relative, function.name) in UNSCOPED_ON_PURPOSE:
                    continue
                found.append(f"{relative}:{call.lineno} in {function.name}")
    return sorted(set(found))


def test_scoped_lookups_audit_another_schools_ids():
    assert _scoped_plain_lookups() == []
