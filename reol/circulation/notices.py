"""Notices: overdue reminders in escalating levels, "your hold is ready" e-mails, hold expiry,
and printable letters per class (those in ``notice_letters``). ``reol send-notices`` runs
``run()`` once a day (or hourly: it is idempotent).

Each message is one transaction: the ``Notice`` rows are written first (their unique
constraints make a second run on the same day, or a second process at the same instant, stop
there), then the e-mail is sent; if sending fails the transaction rolls back and the next run
tries again. Every message is audited (``notice.overdue``, ``notice.hold_ready``).

A message is written in the patron's language (``patrons.selectors.preferred_language``: the
patron's, else the person's, else the school's) under ``translation.override``. A reminder
with no address to send it to is recorded as a *letter*, for the paper letters per class.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require
from reol.patrons import selectors as patrons
from reol.patrons.models import GroupMember

from .actions import holds as hold_actions
from .errors import CirculationError
from .models import (
    Hold,
    HoldState,
    Loan,
    LoanCategory,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeRecipients,
    NoticeSettings,
)
from .selectors import loans_of_today

log = logging.getLogger(__name__)

NOTICE_FIELDS = (
    "overdue_enabled",
    "level1_days",
    "level2_days",
    "level3_days",
    "student_recipients",
    "hold_ready_enabled",
)


def settings_of(school: School) -> NoticeSettings:
    """The school's notice settings, or the defaults (unsaved) when it has none."""
    found = NoticeSettings.objects.filter(school=school).first()
    return found if found is not None else NoticeSettings(school=school)


@transaction.atomic
def save_notice_settings(actor: Actor, school: School, **values: Any) -> NoticeSettings:
    require(actor, Perm.SCHOOL_MANAGE, school)
    target = NoticeSettings.objects.select_for_update().filter(school=school).first()
    target = target or NoticeSettings(school=school)
    for name in NOTICE_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    target.full_clean(exclude=["school"])
    target.save()
    audit.record(
        actor,
        "notice.settings",
        target,
        school=school,
        details={name: str(getattr(target, name)) for name in NOTICE_FIELDS},
    )
    return target


# --- Who gets what, in which language --------------------------------------------------------


def language_of(person: User | None, school: School, audience: str = "patron") -> str:
    """The language a mail about ``person`` is written in: a guardian's mail in the guardians'
    language (``patrons.guardian_language``), anyone else's in the patron's."""
    if person is None:
        code = school.default_language
    elif audience == "guardian":
        code = patrons.guardian_language(person, school)
    else:
        code = patrons.preferred_language(person, school)
    known = {c for c, _name in django_settings.LANGUAGES}
    return code if code in known else django_settings.LANGUAGE_CODE


def _teachers_of(person: User, school: School) -> list[str]:
    groups = patrons.groups_of(person, school)
    members = GroupMember.objects.filter(
        group__in=groups, role=GroupMember.Role.TEACHER
    ).select_related("patron__user")
    return [m.patron.user.email for m in members if m.patron.user.email]


def recipients_of(
    person: User, school: School, category: str, notice_settings: NoticeSettings
) -> list[str]:
    """The addresses a reminder about ``person``'s loans goes to, by the school's setting.

    Teachers and staff get their own. For students: themselves, their guardians (from the
    patrons app), both, or the teachers of their classes. No address: an empty list.
    """
    own = [person.email] if person.email else []
    if category != LoanCategory.STUDENT:
        return own
    choice = notice_settings.student_recipients
    found: list[str] = []
    if choice in (NoticeRecipients.STUDENT, NoticeRecipients.STUDENT_AND_GUARDIANS):
        found += own
    if choice in (NoticeRecipients.GUARDIANS, NoticeRecipients.STUDENT_AND_GUARDIANS):
        found += patrons.guardian_emails(person, school)
    if choice == NoticeRecipients.TEACHER:
        found += _teachers_of(person, school)
    return list(dict.fromkeys(found))  # each once, in order


def audiences_of(
    person: User, school: School, category: str, notice_settings: NoticeSettings
) -> list[tuple[str, list[str]]]:
    """``recipients_of`` split by whom a mail speaks to: ("patron", [own address]),
    ("guardian", [guardians' addresses]), ("teacher", [the class teachers' addresses]). A
    guardian or a teacher is written to about the child, not as if they were the child."""
    own = [person.email] if person.email else []
    if category != LoanCategory.STUDENT:
        return [("patron", own)] if own else []
    choice = notice_settings.student_recipients
    found: list[tuple[str, list[str]]] = []
    if own and choice in (NoticeRecipients.STUDENT, NoticeRecipients.STUDENT_AND_GUARDIANS):
        found.append(("patron", own))
    if choice in (NoticeRecipients.GUARDIANS, NoticeRecipients.STUDENT_AND_GUARDIANS):
        guardians = [a for a in patrons.guardian_emails(person, school) if a not in own]
        if guardians:
            found.append(("guardian", guardians))
    if choice == NoticeRecipients.TEACHER:
        teachers = list(dict.fromkeys(_teachers_of(person, school)))
        if teachers:
            found.append(("teacher", teachers))
    return found


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    subject = render_to_string(f"circulation/email/{name}_subject.txt", context)
    body = render_to_string(f"circulation/email/{name}_body.txt", context)
    return " ".join(subject.split())[:200], body


def level_label(level: int) -> str:
    return {
        1: _("Reminder"),
        2: _("Second reminder"),
        3: _("Last reminder"),
    }.get(level, _("Reminder"))


# --- The run -----------------------------------------------------------------------------------


@dataclass
class RunReport:
    expired: int = 0
    hold_emails: int = 0
    reminders: int = 0  # loans reminded about
    emails: int = 0  # overdue e-mails sent
    letters: int = 0  # patrons to write to on paper
    failures: list[str] = field(default_factory=list)


def run(
    actor: Actor,
    *,
    today: dt.date | None = None,
    schools: Iterable[School] | None = None,
    connection: BaseEmailBackend | None = None,
) -> RunReport:
    """Expire uncollected holds, then send hold-ready e-mails, then overdue reminders."""
    today = today or timezone.localdate()
    report = RunReport()
    chosen = list(schools) if schools is not None else list(School.objects.all())
    connection = connection or get_connection()
    for school in chosen:
        notice_settings = settings_of(school)
        report.expired += expire_holds(actor, school, today)
        if notice_settings.hold_ready_enabled:
            send_hold_notices(actor, school, today, connection, report)
        if notice_settings.overdue_enabled:
            send_overdue_notices(actor, school, today, connection, notice_settings, report)
    return report


def expire_holds(actor: Actor, school: School, today: dt.date) -> int:
    """Ready holds past their collect-by date expire, each in its own transaction."""
    late = Hold.objects.filter(school=school, state=HoldState.READY, pickup_by__lt=today)
    count = 0
    for pk in late.order_by("pickup_by", "id").values_list("pk", flat=True):
        if hold_actions.expire_hold(actor, pk, today=today) is not None:
            count += 1
    return count


def _send(connection: BaseEmailBackend, subject: str, body: str, to: Sequence[str]) -> None:
    EmailMessage(subject, body, to=list(to), connection=connection).send()


def send_hold_notices(
    actor: Actor,
    school: School,
    today: dt.date,
    connection: BaseEmailBackend,
    report: RunReport,
) -> None:
    """One e-mail per hold that became ready and was not told about since."""
    told = Notice.objects.filter(
        hold=OuterRef("pk"), kind=NoticeKind.HOLD_READY, sent_at__gte=OuterRef("ready_at")
    )
    holds = (
        Hold.objects.filter(school=school, state=HoldState.READY)
        .exclude(Exists(told))
        .select_related("patron", "record", "item", "school")
        .order_by("ready_at", "id")
    )
    for hold in holds:
        person = hold.patron
        to = [person.email] if person.email else patrons.guardian_emails(person, school)
        if not to:
            continue
        audience = "patron" if person.email else "guardian"
        language = language_of(person, school, audience)
        try:
            with transaction.atomic():
                with translation.override(language):
                    subject, body = _render(
                        "hold_ready",
                        {"hold": hold, "patron": person, "school": school, "audience": audience},
                    )
                Notice.objects.create(
                    school=school,
                    kind=NoticeKind.HOLD_READY,
                    hold=hold,
                    patron=person,
                    sent_on=today,
                    sent_at=timezone.now(),
                    channel=NoticeChannel.EMAIL,
                    recipients="\n".join(to),
                    language=language,
                    subject=subject,
                )
                audit.record(
                    actor,
                    "notice.hold_ready",
                    hold,
                    school=school,
                    details={"patron": person.username, "to": len(to)},
                )
                _send(connection, subject, body, to)
        except IntegrityError:
            continue  # told already today, by another run
        except Exception as error:  # a mail server's error: try again next run
            log.warning("hold notice %s not sent: %s", hold.pk, error)
            report.failures.append(f"hold {hold.pk}: {error}")
            continue
        report.hold_emails += 1


def overdue_candidates(
    school: School, today: dt.date, notice_settings: NoticeSettings
) -> list[tuple[Loan, int]]:
    """The active loans due a reminder today, with the level: the highest level whose day has
    come, when no reminder of that level or higher was sent for the loan's current due date.
    A loan renewed since starts again from the first level; one found 20 days late the first
    time the command runs gets the last reminder only."""
    first = notice_settings.level1_days
    sent = (
        Notice.objects.filter(loan=OuterRef("pk"), due_date=OuterRef("due_date"))
        .values("loan")
        .annotate(top=Max("level"))
        .values("top")
    )
    loans = (
        Loan.objects.active()
        .of_school(school)
        .overdue(today - dt.timedelta(days=first - 1))
        .filter(patron__isnull=False)
        .annotate(sent_level=sent)
        .select_related("item__record", "patron")
        .order_by("patron_id", "due_date", "id")
    )
    due: list[tuple[Loan, int]] = []
    for loan in loans:
        late = (today - loan.due_date).days
        reached = max((lv for lv, days in notice_settings.levels if late >= days), default=0)
        if reached and reached > (getattr(loan, "sent_level", None) or 0):
            due.append((loan, reached))
    return due


def _overdue_mails(
    person: User,
    school: School,
    level: int,
    lines: list[tuple[Loan, int]],
    audiences: list[tuple[str, list[str]]],
    languages: list[str],
) -> list[tuple[str, str, list[str]]]:
    """One message per audience: the student is spoken to, a guardian or teacher is told about
    the student, each in its own language."""
    mails: list[tuple[str, str, list[str]]] = []
    for (audience, addresses), tongue in zip(audiences or [("patron", [])], languages, strict=True):
        with translation.override(tongue):
            subject, body = _render(
                "overdue",
                {
                    "patron": person,
                    "school": school,
                    "level": level,
                    "level_label": level_label(level),
                    "lines": lines,
                    "audience": audience,
                },
            )
            mails.append((subject, body, addresses))
    return mails


def _note_overdue(
    actor: Actor,
    school: School,
    person: User,
    level: int,
    loans: list[Loan],
    today: dt.date,
    to: list[str],
    language: str,
    subject: str,
) -> None:
    """The reminder's ``Notice`` rows (their constraints stop a second run) and its audit."""
    channel = NoticeChannel.EMAIL if to else NoticeChannel.LETTER
    now = timezone.now()
    Notice.objects.bulk_create(
        [
            Notice(
                school=school,
                kind=NoticeKind.OVERDUE,
                level=level,
                loan=loan,
                patron=person,
                due_date=loan.due_date,
                sent_on=today,
                sent_at=now,
                channel=channel,
                recipients="\n".join(to),
                language=language,
                subject=subject,
            )
            for loan in loans
        ]
    )
    audit.record(
        actor,
        "notice.overdue",
        person,
        school=school,
        details={
            "level": level,
            "items": [loan.item.barcode for loan in loans],
            "channel": channel,
            "to": len(to),
        },
    )


def send_overdue_notices(
    actor: Actor,
    school: School,
    today: dt.date,
    connection: BaseEmailBackend,
    notice_settings: NoticeSettings,
    report: RunReport,
) -> None:
    """One message per patron and level, listing the loans that reached that level today."""
    grouped: dict[tuple[int, int], list[Loan]] = defaultdict(list)
    for loan, level in overdue_candidates(school, today, notice_settings):
        assert loan.patron_id is not None
        grouped[(loan.patron_id, level)].append(loan)
    for (_patron_id, level), loans in grouped.items():
        person = loans[0].patron
        assert person is not None
        audiences = audiences_of(person, school, loans[0].patron_category, notice_settings)
        to = list(dict.fromkeys(a for _who, addresses in audiences for a in addresses))
        lines = [(loan, (today - loan.due_date).days) for loan in loans]
        # Each audience in its language: the guardians' may not be the child's.
        languages = [language_of(person, school, who) for who, _to in audiences or [("patron", [])]]
        language = languages[0]
        try:
            with transaction.atomic():
                mails = _overdue_mails(person, school, level, lines, audiences, languages)
                _note_overdue(actor, school, person, level, loans, today, to, language, mails[0][0])
                for mail_subject, body, addresses in mails:
                    if addresses:
                        _send(connection, mail_subject, body, addresses)
        except IntegrityError:
            continue  # reminded already today, by another run
        except Exception as error:  # a mail server's error: try again next run
            log.warning("overdue notice for %s not sent: %s", person.pk, error)
            report.failures.append(f"patron {person.pk}: {error}")
            continue
        report.reminders += len(loans)
        if to:
            report.emails += 1
        else:
            report.letters += 1


# --- Receipts ----------------------------------------------------------------------------------


@transaction.atomic
def email_receipt(
    actor: Actor,
    school: School,
    person: User,
    *,
    today: dt.date | None = None,
    connection: BaseEmailBackend | None = None,
) -> list[str]:
    """E-mail the patron a receipt of today's loans, in their language; returns the addresses."""
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or timezone.localdate()
    if not person.email:
        raise CirculationError(
            "no_email",
            _("%(name)s has no e-mail address; print the receipt instead.") % {"name": person},
        )
    loans = list(loans_of_today(person, school, today))
    if not loans:
        raise CirculationError(
            "nothing_lent_today",
            _("%(name)s has borrowed nothing today.") % {"name": person},
        )
    language = language_of(person, school)
    with translation.override(language):
        subject, body = _render(
            "receipt", {"patron": person, "school": school, "loans": loans, "today": today}
        )
    audit.record(
        actor,
        "loan.receipt",
        person,
        school=school,
        details={"items": [loan.item.barcode for loan in loans]},
    )
    _send(connection or get_connection(), subject, body, [person.email])
    return [person.email]
