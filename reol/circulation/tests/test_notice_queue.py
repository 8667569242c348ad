"""Notices on the task queue: the notices page queues a run (a row in the database, not a
thread); a real worker (``reol jobs work``) sends it; a run a restart killed is marked failed
when the worker starts again, and the next run sends what it had not — never a mail twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD
from reol.circulation.actions import loans as loan_actions
from reol.circulation.jobs import queue_notices
from reol.circulation.models import Loan, Notice
from reol.core import tasks
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons

from .conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def overdue(library, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Two students' loans, long overdue; the run queued from the notices page."""
    settings.TASKS = DATABASE_QUEUE
    w = library.world
    for user, card, item in ((w.student_a1, "A0001", "S1"), (w.student_a2, "A0002", "S2")):
        user.email = f"{user.username}@example.org"
        user.save()
        patrons.create_patron(SYSTEM, library.school, category="student", user=user)
        loan_actions.checkout(w.librarian_a, library.school, card, item, today=TODAY)
    # A month overdue whenever the test runs (the task sends as of the real date).
    today = timezone.localdate()
    Loan.objects.update(
        loan_date=today - dt.timedelta(days=60), due_date=today - dt.timedelta(days=30)
    )
    client = Client()
    assert client.login(username=w.admin_a.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/staff/desk/notices/", {"action": "send"})
    assert page.status_code == 302
    return library


def _reminders() -> int:
    return Notice.objects.filter(kind="overdue").count()


def test_the_page_queues_the_run_and_a_real_worker_sends_it(overdue):
    assert DBTaskResult.objects.ready().count() == 1
    assert not mail.outbox  # nothing was sent by the web request
    call_command("jobs", "work", "--batch")
    assert DBTaskResult.objects.successful().count() == 1
    assert len(mail.outbox) == 2 and _reminders() == 2


def test_a_run_killed_by_a_restart_is_failed_and_the_next_sends_each_mail_once(overdue):
    # The worker claimed the run and sent one reminder, then the machine restarted.
    result = DBTaskResult.objects.get()
    result.claim(tasks.worker_id())
    loan = overdue.item("S1").loans.get()
    Notice.objects.create(
        school=overdue.school,
        kind="overdue",
        level=3,
        loan=loan,
        patron=loan.patron,
        due_date=loan.due_date,
        sent_on=timezone.localdate(),
        sent_at=loan.checked_out_at,
        channel="email",
    )
    call_command("jobs", "work", "--batch")  # the worker after the restart
    result.refresh_from_db()
    assert result.status == "FAILED"

    queue_notices(overdue.world.admin_a, overdue.school)  # queued again (or the daily run)
    call_command("jobs", "work", "--batch")
    assert [m.to for m in mail.outbox] == [["elev-a2@example.org"]]  # only what was not sent
    queue_notices(overdue.world.admin_a, overdue.school)
    call_command("jobs", "work", "--batch")
    assert len(mail.outbox) == 1 and _reminders() == 2  # nothing twice
