"""``reol send-notices``: overdue reminders at the school's levels, to the people its settings
name, in the patron's language, never twice; hold-ready e-mails; uncollected holds expire and
the copy moves on; paper letters per class. Mail goes to Django's locmem outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog.models import ItemStatus
from reol.circulation import notice_letters, notices
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.models import HoldState, Notice, NoticeChannel
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import Patron

from .conftest import TODAY

pytestmark = pytest.mark.django_db
DUE = dt.date(2027, 1, 4)  # a loan lent on TODAY (Tue 24 Nov 2026) to a student is due then


def day(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


def lend(library, patron="A0001", item="S1"):  # type: ignore[no-untyped-def]
    w = library.world
    return loan_actions.checkout(w.librarian_a, library.school, patron, item, today=TODAY).loan


def student_patron(library, user, **values):  # type: ignore[no-untyped-def]
    patron = Patron.objects.filter(user=user, school=library.school).first()
    if patron is None:
        return patrons.create_patron(
            SYSTEM, library.school, category="student", user=user, **values
        )
    for name, value in values.items():
        setattr(patron, name, value)
    patron.save()
    return patron


def run(today: dt.date) -> notices.RunReport:
    return notices.run(SYSTEM, today=today)


def test_reminders_escalate_and_are_never_sent_twice(library):
    w = library.world
    w.student_a1.email = "elev@example.org"
    w.student_a1.preferred_language = "en"  # the school writes Danish unless told otherwise
    w.student_a1.save()
    lend(library)
    assert run(day(0)).reminders == 0  # due today: not late yet
    report = run(day(1))
    assert report.reminders == 1 and report.emails == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["elev@example.org"]
    assert "Rejsen til Saturn (S1)" in mail.outbox[0].body
    run(day(1))  # the timer fires again the same day
    call_command("send-notices", date=day(1).isoformat())
    run(day(3))  # late, but no new level yet
    assert len(mail.outbox) == 1
    run(day(7))
    run(day(14))
    run(day(20))
    levels = list(Notice.objects.order_by("sent_on").values_list("level", "sent_on"))
    assert levels == [(1, day(1)), (2, day(7)), (3, day(14))]
    assert mail.outbox[2].subject.startswith("Last reminder")
    assert AuditEvent.objects.filter(action="notice.overdue").count() == 3


def test_a_loan_first_seen_very_late_gets_the_last_reminder_only(library):
    lend(library, patron="laerer-a")
    library.world.teacher_a.email = "laerer@example.org"
    library.world.teacher_a.save()
    # Staff loans run 56 days: due Tue 19 Jan 2027 (a school day).
    run(dt.date(2027, 2, 19))
    notice = Notice.objects.get()
    assert notice.level == 3 and mail.outbox[0].to == ["laerer@example.org"]


def test_renewed_loans_start_again_and_levels_follow_the_school(library):
    w = library.world
    w.student_a1.email = "elev@example.org"
    w.student_a1.preferred_language = "en"  # the school writes Danish unless told otherwise
    w.student_a1.save()
    notices.save_notice_settings(
        w.admin_a, library.school, level1_days=3, level2_days=10, level3_days=30
    )
    lend(library)
    run(day(1))
    assert not mail.outbox
    run(day(3))
    assert len(mail.outbox) == 1
    loan_actions.renew(w.librarian_a, library.school, "S1", today=day(3))  # a new due date
    run(day(4))
    assert len(mail.outbox) == 1  # not late under the new due date
    with pytest.raises(ValidationError):  # levels out of order are refused (and by the database)
        notices.save_notice_settings(w.admin_a, library.school, level2_days=2)


def test_reminders_go_to_guardians_or_teachers_in_the_patrons_language(library):
    w = library.world
    student_patron(library, w.student_a1, guardian_emails="mor@example.org\nfar@example.org",
                   preferred_language="nb")  # fmt: skip
    notices.save_notice_settings(w.admin_a, library.school, student_recipients="guardians")
    lend(library)
    run(day(1))
    message = mail.outbox[0]
    assert message.to == ["mor@example.org", "far@example.org"]
    assert "4. jan. 2027" in message.body  # written in Norwegian (the date, at least)
    assert "Rejsen til Saturn" in message.body
    # Teachers of the class, in the teacher setting.
    group = patrons.create_group(SYSTEM, library.school, name="5.B", school_year="2026/27")
    patrons.add_member(SYSTEM, group, Patron.objects.get(user=w.student_a1))
    teacher = patrons.create_patron(SYSTEM, library.school, category="teacher", user=w.teacher_a)
    w.teacher_a.email = "laerer@example.org"
    w.teacher_a.save()
    patrons.add_member(SYSTEM, group, teacher, role="teacher")
    notices.save_notice_settings(w.admin_a, library.school, student_recipients="teacher")
    run(day(7))
    assert mail.outbox[1].to == ["laerer@example.org"]


def test_guardians_are_written_to_about_the_child_and_the_student_to_themselves(library):
    w = library.world
    w.student_a1.email = "elev@example.org"
    w.student_a1.save()
    student_patron(library, w.student_a1, guardian_emails="mor@example.org",
                   preferred_language="en")  # fmt: skip
    notices.save_notice_settings(w.admin_a, library.school, student_recipients="both")
    lend(library)
    lend(library, item="AT1")
    report = run(day(1))
    assert report.reminders == 2 and report.emails == 1
    student, guardian = mail.outbox
    assert student.to == ["elev@example.org"] and guardian.to == ["mor@example.org"]
    assert student.body.startswith("Dear Elev-A1 Test,")
    assert "Please bring them back to the library, or renew them" in student.body
    assert guardian.body.startswith("Dear parent or guardian of Elev-A1 Test,")
    assert "Elev-A1 Test has borrowed these copies from Nordskolen, and they are overdue" in (
        guardian.body
    )
    assert "Please help Elev-A1 bring them back" in guardian.body
    assert "you" not in guardian.body.lower().replace("your", "")
    # One copy: "it", not "them".
    mail.outbox.clear()
    loan_actions.checkin(w.librarian_a, library.school, "AT1", today=day(2))
    run(day(7))
    student, guardian = mail.outbox
    assert "Please bring it back to the library, or renew it if you still need it." in student.body
    assert "Please help Elev-A1 bring it back to the library" in guardian.body


def test_a_hold_ready_mail_to_guardians_speaks_of_the_child(library):
    w = library.world
    student_patron(library, w.student_a1, guardian_emails="mor@example.org",
                   preferred_language="en")  # fmt: skip
    lend(library, patron="laerer-a", item="AT1")
    hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    loan_actions.checkin(w.librarian_a, library.school, "AT1", today=TODAY)
    run(TODAY)
    (message,) = mail.outbox
    assert message.to == ["mor@example.org"] and message.subject == "Ready for Elev-A1: Atlas"
    assert message.body.startswith("Dear parent or guardian of Elev-A1 Test,")
    assert "“Atlas”, which Elev-A1 asked for, is waiting on the hold shelf" in message.body
    assert "for you" not in message.body


def test_no_address_means_a_letter_and_the_class_letters_print(library):
    w = library.world
    long_ago = timezone.localdate() - dt.timedelta(days=60)  # the page counts from the real today
    loan_actions.checkout(w.librarian_a, library.school, "A0001", "S1", today=long_ago)
    report = run(timezone.localdate())  # student A1 has no e-mail address
    assert report.letters == 1 and not mail.outbox
    assert Notice.objects.get().channel == NoticeChannel.LETTER
    group = patrons.create_group(SYSTEM, library.school, name="5.B", school_year="2026/27")
    patrons.add_member(SYSTEM, group, student_patron(library, w.student_a1))
    client = Client()
    assert client.login(username="bib-a", password=PASSWORD)
    html = client.get("/staff/desk/notices/").content.decode()
    assert "5.B" in html and "Letters (PDF)" in html
    response = client.get(f"/staff/desk/notices/letters.pdf?group={group.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="notice.letters").get().details["patrons"] == [
        "elev-a1"
    ]
    # Another school's class is not found.
    other = Client()
    assert other.login(username="bib-b", password=PASSWORD)
    assert other.get(f"/staff/desk/notices/letters.pdf?group={group.pk}").status_code == 404


def test_hold_ready_mail_and_expiry_move_the_copy_on(library):
    w = library.world
    w.student_a1.email = "elev@example.org"
    w.student_a1.preferred_language = "en"  # the school writes Danish unless told otherwise
    w.student_a1.save()
    lend(library, patron="laerer-a", item="AT1")
    first = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    second = hold_actions.place_hold(w.librarian_a, library.school, "A0002", record=library.atlas)
    loan_actions.checkin(w.librarian_a, library.school, "AT1", today=TODAY)
    first.refresh_from_db()
    assert first.state == HoldState.READY and first.pickup_by == dt.date(2026, 12, 1)
    run(TODAY)
    run(TODAY)
    assert [m.subject for m in mail.outbox] == ["Ready for you: Atlas"]
    assert "Collect it by" in mail.outbox[0].body
    run(dt.date(2026, 12, 1))  # the last day to collect it: still hers
    first.refresh_from_db()
    assert first.state == HoldState.READY
    report = run(dt.date(2026, 12, 2))
    assert report.expired == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == HoldState.EXPIRED and second.state == HoldState.READY
    assert second.item == library.item("AT1")
    assert library.item("AT1").status == ItemStatus.ON_HOLD_SHELF
    assert AuditEvent.objects.filter(action="hold.expire").count() == 1


def test_the_settings_page(library):
    client = Client()
    assert client.login(username="admin-a", password=PASSWORD)
    form = {"overdue_enabled": "on", "level1_days": "2", "level2_days": "2", "level3_days": "9",
            "student_recipients": "both", "hold_ready_enabled": "on"}  # fmt: skip
    r = client.post("/staff/desk/notices/settings/", form)
    assert r.status_code == 200 and "at least a day after the one before" in r.content.decode()
    r = client.post("/staff/desk/notices/settings/", {**form, "level2_days": "5"})
    assert r.status_code == 302
    assert notices.settings_of(library.school).level2_days == 5
    volunteer = Client()
    assert volunteer.login(username="frivillig-a", password=PASSWORD)
    assert volunteer.get("/staff/desk/notices/settings/").status_code == 403
    assert volunteer.get("/staff/desk/notices/").status_code == 200


class BrokenMailServer:
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise OSError("connection refused")


def test_a_mail_server_failure_leaves_nothing_recorded_so_the_next_run_sends_it(library):
    w = library.world
    w.student_a1.email = "elev@example.org"
    w.student_a1.save()
    lend(library)
    report = notices.run(SYSTEM, today=day(1), connection=BrokenMailServer())  # type: ignore[arg-type]
    assert report.failures and report.emails == 0
    assert not Notice.objects.exists()
    assert not AuditEvent.objects.filter(action="notice.overdue").exists()
    assert run(day(1)).emails == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_the_overdue_letters_headings_fit_their_columns(library, language):
    """Each heading wraps inside its column: no word of it is wider than the column (the old
    letter drew "Afleveringsdato" across "Dage for sent")."""
    from django.utils import translation
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    lend(library)
    loans = list(notice_letters.overdue_loans(library.school, day(20)))
    with translation.override(language):
        table = notice_letters.letter_table(loans, day(20))
    table.wrap(170 * 72 / 25.4, 800)
    for row in table._cellvalues:
        for value, width in zip(row, table._colWidths, strict=True):
            cell = value[0] if isinstance(value, list | tuple) else value
            room = width - 12  # the cell's padding, 6 pt each side
            if isinstance(cell, Paragraph):
                assert cell.minWidth() <= room, (language, cell.text)
            else:
                assert stringWidth(str(cell), "Helvetica", 10) <= room, (language, cell)


def test_a_norwegian_guardian_of_a_student_at_a_danish_school_is_written_to_in_norwegian(library):
    w = library.world
    assert library.school.default_language == "da"
    w.student_a1.email = "elev@example.org"
    w.student_a1.save()
    student_patron(library, w.student_a1, guardian_emails="mor@example.no",
                   preferred_language="da", guardian_language="nb")  # fmt: skip
    notices.save_notice_settings(w.admin_a, library.school, student_recipients="both")
    lend(library)
    run(day(1))
    student, guardian = mail.outbox
    assert student.to == ["elev@example.org"] and student.body.startswith("Kære Elev-A1 Test")
    assert guardian.to == ["mor@example.no"]
    assert guardian.body.startswith("Hei, foresatte til Elev-A1 Test,")  # Bokmål, not Danish
    assert "4. jan. 2027" in guardian.body
    # A hold ready for a student with no address of their own goes to the guardians, in nb.
    mail.outbox.clear()
    w.student_a1.email = ""
    w.student_a1.save()
    lend(library, patron="laerer-a", item="AT1")
    hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    loan_actions.checkin(w.librarian_a, library.school, "AT1", today=TODAY)
    run(TODAY)
    (message,) = mail.outbox
    assert message.to == ["mor@example.no"]
    assert message.body.startswith("Hei, foresatte til Elev-A1 Test,")
    assert Notice.objects.filter(hold__isnull=False).get().language == "nb"
