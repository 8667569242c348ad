"""Reading campaigns: writes (join, log a book, leave and erase) and the reads of their pages.

A student's reading in a campaign is kept only because they joined it (their opt-in); leaving
erases every book they logged. Books can come from their loans during the campaign, if they
chose so when joining: Reol reads their loans while they are open (a returned loan loses its
borrower unless they keep a history), never anybody else's. What the school sees of a campaign
is counted per class, and a class with fewer than ``K`` readers shows no figure.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, Record
from reol.circulation.models import Loan
from reol.core import audit, csvsafe
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at
from reol.patrons.models import GroupMember

from .models import Campaign, LogSource, Participant, ReadingLog

K = 5  # the smallest group whose figures are shown


class CampaignError(ValueError):
    pass


def create_campaign(
    actor: Actor,
    school: School,
    *,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    goal: int,
    description: str = "",
    leaderboard: bool = True,
) -> Campaign:
    require(actor, Perm.CATALOG_EDIT, school)
    if not title.strip():
        raise CampaignError(_("Give the campaign a title."))
    if ends_on < starts_on:
        raise CampaignError(_("The campaign must end on or after the day it starts."))
    if not 1 <= goal <= 500:
        raise CampaignError(_("The goal is from 1 to 500 books."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            school=school,
            title=title.strip(),
            description=description.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            goal=goal,
            leaderboard=leaderboard,
        )
        audit.record(actor, "campaign.create", campaign, school=school)
    return campaign


def _class_of(user: User, school: School) -> str:
    member = (
        GroupMember.objects.filter(
            patron__user=user, patron__school=school, group__kind="class", role="student"
        )
        .select_related("group")
        .order_by("-group__school_year")
        .first()
    )
    return member.group.name if member else ""


def join(user: User, campaign: Campaign, *, from_loans: bool) -> Participant:
    if "student" not in roles_at(user, campaign.school):
        raise CampaignError(_("Campaigns are for the school's students."))
    with transaction.atomic():
        participant, created = Participant.objects.get_or_create(
            campaign=campaign,
            user=user,
            defaults={"group_name": _class_of(user, campaign.school), "from_loans": from_loans},
        )
        if created:
            audit.record(user, "campaign.join", campaign, school=campaign.school)
    return participant


def leave(user: User, campaign: Campaign) -> int:
    """Leave a campaign and erase every book logged in it; how many were erased."""
    with transaction.atomic():
        found = Participant.objects.filter(campaign=campaign, user=user).first()
        if found is None:
            return 0
        erased = found.logs.count()
        found.delete()
        audit.record(
            user, "campaign.leave", campaign, school=campaign.school, details={"erased": erased}
        )
    return erased


def _open(campaign: Campaign, today: dt.date) -> None:
    if not campaign.starts_on <= today <= campaign.ends_on:
        raise CampaignError(_("The campaign is not running today."))


def log_book(
    user: User,
    campaign: Campaign,
    *,
    record: Record | None = None,
    title: str = "",
    today: dt.date | None = None,
) -> ReadingLog:
    today = today or timezone.localdate()
    participant = Participant.objects.filter(campaign=campaign, user=user).first()
    if participant is None:
        raise CampaignError(_("Join the campaign first."))
    _open(campaign, today)
    if record is not None and record.municipality_id != campaign.school.municipality_id:
        raise CampaignError(_("That title is not in your school's catalogue."))
    title = (record.title if record else title).strip()[:300]
    if not title:
        raise CampaignError(_("Write the title of the book you read."))
    try:
        with transaction.atomic():
            log = ReadingLog.objects.create(
                participant=participant, record=record, title=title, logged_on=today
            )
    except IntegrityError as exc:
        raise CampaignError(_("You have already logged that book.")) from exc
    return log


def remove_log(user: User, log: ReadingLog) -> None:
    if log.participant.user_id != user.pk:
        raise CampaignError(_("That is not your book."))
    with transaction.atomic():
        log.delete()


def sync_from_loans(participant: Participant, today: dt.date | None = None) -> int:
    """Log the books the participant has borrowed at the school during the campaign."""
    campaign = participant.campaign
    today = today or timezone.localdate()
    if not participant.from_loans or today < campaign.starts_on:
        return 0
    items = Item.objects.filter(school=campaign.school)
    borrowed = (
        Loan.objects.of_patron(participant.user_id)
        .filter(
            item__in=items,
            loan_date__gte=campaign.starts_on,
            loan_date__lte=min(today, campaign.ends_on),
        )
        .values_list("item__record_id", "item__record__title", "loan_date")
    )
    known = set(participant.logs.exclude(record=None).values_list("record_id", flat=True))
    new = [
        ReadingLog(
            participant=participant,
            record_id=record_id,
            title=title[:300],
            source=LogSource.LOAN,
            logged_on=day,
        )
        for record_id, title, day in borrowed
        if record_id not in known
    ]
    with transaction.atomic():
        ReadingLog.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def export_csv(participant: Participant) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow([_("Title"), _("Date"), _("How")])
    for log in participant.logs.all():
        writer.writerow([log.title, log.logged_on.isoformat(), log.get_source_display()])
    return out.getvalue()


# --- Reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    books: int
    goal: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.books / self.goal)) if self.goal else 0

    @property
    def badges(self) -> list[str]:
        earned = []
        if self.books >= 1:
            earned.append(_("First book"))
        if self.books * 2 >= self.goal:
            earned.append(_("Halfway"))
        if self.books >= self.goal:
            earned.append(_("Goal reached!"))
        return earned


def progress(participant: Participant) -> Progress:
    return Progress(participant.logs.count(), participant.campaign.goal)


def running(school: School, today: dt.date | None = None) -> list[Campaign]:
    today = today or timezone.localdate()
    return list(Campaign.objects.filter(school=school, ends_on__gte=today, starts_on__lte=today))


@dataclass(frozen=True)
class ClassLine:
    name: str
    readers: int | None  # None: fewer than K, not shown
    books: int | None
    percent: int | None  # of the class's readers' goals together


def class_board(campaign: Campaign) -> list[ClassLine]:
    """Each class's readers and books, biggest share of its goal first; small classes hidden."""
    rows = (
        Participant.objects.filter(campaign=campaign)
        .values("group_name")
        .annotate(readers=Count("id", distinct=True), books=Count("logs"))
        .order_by("group_name")
    )
    lines = []
    for row in rows:
        name = row["group_name"] or _("No class")
        if row["readers"] < K:
            lines.append(ClassLine(name, None, None, None))
            continue
        share = round(100 * row["books"] / (row["readers"] * campaign.goal))
        lines.append(ClassLine(name, row["readers"], row["books"], min(100, share)))
    lines.sort(key=lambda line: (line.percent is None, -(line.percent or 0), line.name))
    return lines


@dataclass(frozen=True)
class Totals:
    """A campaign's sums for reports; None where fewer than ``K`` readers would be counted."""

    readers: int | None
    books: int | None
    reached_goal: int | None


def totals(campaign: Campaign) -> Totals:
    per_reader = list(
        Participant.objects.filter(campaign=campaign)
        .annotate(n=Count("logs"))
        .values_list("n", flat=True)
    )
    if len(per_reader) < K:
        return Totals(None, None, None)
    reached = sum(1 for n in per_reader if n >= campaign.goal)
    return Totals(len(per_reader), sum(per_reader), reached if reached >= K else None)


@dataclass(frozen=True)
class Loggable:
    campaign: Campaign
    logged: bool


def loggable(user: object, school: School | None, record: Record) -> list[Loggable]:
    """The running campaigns ``user`` joined at ``school``, and whether ``record`` is logged."""
    if school is None or not isinstance(user, User):
        return []
    today = timezone.localdate()
    joined = Participant.objects.filter(
        user=user,
        campaign__school=school,
        campaign__starts_on__lte=today,
        campaign__ends_on__gte=today,
    ).select_related("campaign")
    logged = set(
        ReadingLog.objects.filter(participant__in=joined, record=record).values_list(
            "participant__campaign_id", flat=True
        )
    )
    return [Loggable(p.campaign, p.campaign_id in logged) for p in joined]
