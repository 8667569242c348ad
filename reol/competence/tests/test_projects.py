"""Development projects: started for one's own library only, budget as Decimal and never
negative, milestones and tasks, a portfolio across the network (not another network's), and
the application and final report exported as PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from conftest import PASSWORD
from reol.competence import access
from reol.competence.models import Project
from reol.competence.services import projects
from reol.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_library(net):  # type: ignore[no-untyped-def]
    w = net.world
    return projects.create_project(
        w.librarian_a,
        net.network,
        access.workplaces(w.librarian_a, net.network)[0],
        title="Modelbibliotek: sprog på tværs af fag",
        purpose="Elevernes sprog i alle fag.",
        themes="Sprogudvikling",
        partners="Solbjerg Bibliotek",
        budget=Decimal("125000.50"),
        application="Vi søger midler til …",
    )


def test_a_project_for_ones_own_library_with_milestones_and_tasks(net, model_library):
    w = net.world
    assert model_library.budget == Decimal("125000.50")
    with pytest.raises(PermissionDenied):  # not her library
        projects.create_project(
            w.librarian_a, net.network, access.Workplace(library=net.county), title="x", purpose="x"
        )
    with pytest.raises(PermissionDenied):  # another school's librarian
        projects.add_milestone(w.librarian_b, model_library, title="x", due=dt.date(2027, 6, 1))
    milestone = projects.add_milestone(
        w.librarian_a, model_library, title="Forløb afprøvet", due=dt.date(2027, 6, 1)
    )
    task = projects.add_task(net.coordinator, model_library, title="Evaluering", owner=w.admin_a)
    projects.tick(w.librarian_a, milestone)
    projects.tick(w.librarian_a, task)
    projects.update_project(
        w.librarian_a,
        model_library,
        status="done",
        budget=Decimal("99000"),
        final_report="Det virkede.",
    )
    with pytest.raises(ValidationError):
        projects.update_project(w.librarian_a, model_library, budget=Decimal("-1"))
    event = AuditEvent.objects.filter(action="project.update").first()
    assert event is not None and event.details == {"budget_before": "125000.50", "budget": "99000"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=model_library.pk).update(budget=Decimal("-5"))


def test_the_portfolio_and_the_exports(net, model_library, client):
    client.login(username="amt-1", password=PASSWORD)
    page = client.get(f"/staff/competence/networks/{net.network.pk}/projects/").content.decode()
    assert "Modelbibliotek: sprog på tværs af fag" in page and "Nordskolen" in page
    pdf = client.get(f"/staff/competence/projects/{model_library.pk}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(f"/staff/competence/projects/{model_library.pk}/export.pdf?final=1").status_code
        == 404
    )
    refused = client.post(
        f"/staff/competence/projects/{model_library.pk}/",
        {"action": "milestone", "milestone-title": "x", "milestone-due": "2027-01-01"},
    )
    assert refused.status_code == 403
    client.login(username="bib-fjern", password=PASSWORD)
    assert client.get(f"/staff/competence/projects/{model_library.pk}/").status_code == 404
    assert client.get(f"/staff/competence/networks/{net.network.pk}/projects/").status_code == 404
