"""Loan rules, loans and holds. The invariants are in the database too (see each Meta).

* One open loan per copy: a partial unique index on ``Loan.item`` where ``returned_at`` is
  null, so two desks scanning the same copy at the same instant cannot both win.
* A loan is open exactly while it is active or lost, and it is never due before it was made.
* One ready hold per copy, one open hold per patron and record, and a ready hold has its copy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import CirculationType, Item, Record
from reol.core.models import School
from reol.patrons.models import PatronCategory


class LoanCategory(models.TextChoices):
    """Which loan rules lend to a person: the students' or the staff's. Not a second list of
    patron categories (that is ``patrons.models.PatronCategory``, who someone is): a
    teacher, other staff and an external borrower all borrow by the staff's rules
    (``loan_category_of``), and the desk decides it from the person's role at the school."""

    STUDENT = "student", _("student")
    STAFF = "staff", _("teacher or staff")


def loan_category_of(category: str) -> LoanCategory:
    """The rules a patron of ``patrons.PatronCategory`` ``category`` borrows by."""
    return LoanCategory.STUDENT if category == PatronCategory.STUDENT else LoanCategory.STAFF


class LoanPeriod(models.TextChoices):
    DAYS = "days", _("a number of days")
    FIXED_DATE = "date", _("a fixed date")
    END_OF_TERM = "term", _("the end of the term")
    NO_LOAN = "none", _("not for loan")


class LoanRule(models.Model):
    """How long a kind of patron may borrow a kind of copy at a school, and how many.

    The most specific rule wins: a rule for a grade range beats one for every grade. A school
    without rules of its own lends by ``rules.DEFAULT_RULES``.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="loan_rules", verbose_name=_("school")
    )
    patron_category = models.CharField(_("patron"), max_length=16, choices=LoanCategory.choices)
    grade_min = models.PositiveSmallIntegerField(_("from grade"), null=True, blank=True)
    grade_max = models.PositiveSmallIntegerField(_("to grade"), null=True, blank=True)
    circulation_type = models.CharField(
        _("circulation type"), max_length=16, choices=CirculationType.choices
    )
    period = models.CharField(
        _("loan period"), max_length=8, choices=LoanPeriod.choices, default=LoanPeriod.DAYS
    )
    loan_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    fixed_due_date = models.DateField(_("due date"), null=True, blank=True)
    max_loans = models.PositiveSmallIntegerField(_("most loans at a time"), default=10)
    max_renewals = models.PositiveSmallIntegerField(_("renewals"), default=2)
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)

    class Meta:
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")
        ordering = ["school", "patron_category", "circulation_type", "grade_min"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(period="days") | Q(loan_days__gte=1, loan_days__lte=366),
                name="loanrule_days_given",
                violation_error_message=_("Give the number of days (1–366)."),
            ),
            models.CheckConstraint(
                condition=~Q(period="date") | Q(fixed_due_date__isnull=False),
                name="loanrule_date_given",
                violation_error_message=_("Give the due date."),
            ),
            models.CheckConstraint(
                condition=Q(grade_min__isnull=True)
                | Q(grade_max__isnull=True)
                | Q(grade_max__gte=F("grade_min")),
                name="loanrule_grade_order",
                violation_error_message=_("The last grade comes before the first."),
            ),
            models.CheckConstraint(
                condition=Q(patron_category="student")
                | Q(grade_min__isnull=True, grade_max__isnull=True),
                name="loanrule_grades_for_students",
                violation_error_message=_("Only rules for students have grades."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_patron_category_display()} · {self.get_circulation_type_display()}"

    @property
    def lends(self) -> bool:
        return self.period != LoanPeriod.NO_LOAN

    def matches(self, category: str, grade: int | None, circulation_type: str) -> bool:
        if self.patron_category != category or self.circulation_type != circulation_type:
            return False
        if self.grade_min is None and self.grade_max is None:
            return True
        if grade is None:
            return False
        low = self.grade_min if self.grade_min is not None else 0
        high = self.grade_max if self.grade_max is not None else 99
        return low <= grade <= high

    @property
    def specificity(self) -> int:
        """Narrower grade ranges are more specific; a rule for all grades is the least."""
        if self.grade_min is None and self.grade_max is None:
            return 0
        low = self.grade_min if self.grade_min is not None else 0
        high = self.grade_max if self.grade_max is not None else 99
        return 1000 - (high - low)


class LoanState(models.TextChoices):
    ACTIVE = "active", _("on loan")
    LOST = "lost", _("lost while on loan")
    RETURNED = "returned", _("returned")
    WRITTEN_OFF = "written_off", _("written off")


OPEN_LOAN_STATES = (LoanState.ACTIVE, LoanState.LOST)


def open_condition(prefix: str = "") -> Q:
    """ "Open" as a condition, for a query that reaches loans through a relation
    (``prefix="members__patron__user__loans__"``); the QuerySet methods below use it too."""
    return Q(**{f"{prefix}returned_at__isnull": True})


def open_sql(alias: str) -> str:
    """``open_condition`` in a hand-written statement, for the loans table as ``alias``."""
    return f"{alias}.returned_at IS NULL"


def overdue_condition(on: dt.date, prefix: str = "") -> Q:
    """Open and due before ``on`` (due on ``on`` itself is not late yet)."""
    return open_condition(prefix) & Q(**{f"{prefix}due_date__lt": on})


class LoanQuerySet(models.QuerySet["Loan"]):
    """The one definition of "open", "returned" and "overdue" (rule 9 of the house).

    A loan is open exactly while ``returned_at`` is null (a CHECK ties that to ``state``, and
    the one-open-loan-per-copy index is on the same condition, so these filters use it).
    Overdue is decided here and only here, against a date the caller gives: the school's
    local date (``timezone.localdate()``), never ``date.today()`` in a template.
    """

    def open(self) -> LoanQuerySet:
        return self.filter(open_condition())

    def returned(self) -> LoanQuerySet:
        return self.filter(returned_at__isnull=False)

    def active(self) -> LoanQuerySet:
        """Open and not lost: what may be renewed."""
        return self.filter(returned_at__isnull=True, state=LoanState.ACTIVE)

    def overdue(self, on: dt.date) -> LoanQuerySet:
        """Open loans due before ``on`` (due on ``on`` itself is not late yet)."""
        return self.filter(overdue_condition(on))

    def with_lateness(self, on: dt.date) -> LoanQuerySet:
        """Each loan with ``late`` (overdue on ``on``), so a page shows it without deciding."""
        return self.annotate(
            late=models.ExpressionWrapper(overdue_condition(on), output_field=models.BooleanField())
        )

    def of_school(self, school: School | int) -> LoanQuerySet:
        return self.filter(school_id=school.pk if isinstance(school, School) else school)

    def of_patron(self, patron: Any) -> LoanQuerySet:
        return self.filter(patron=patron)


def is_overdue(due_date: dt.date, on: dt.date) -> bool:
    """The same rule as ``LoanQuerySet.overdue`` for one loan already read."""
    return due_date < on


class Loan(models.Model):
    """A copy lent to a person. Returned students' loans lose their patron (see actions)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="loans")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="loans")
    # Null only once returned and anonymised (a CHECK below).
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
    )
    patron_category = models.CharField(max_length=16, choices=LoanCategory.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=LoanState.choices, default=LoanState.ACTIVE
    )
    loan_date = models.DateField(_("lent on"))
    checked_out_at = models.DateTimeField(_("lent at"))
    due_date = models.DateField(_("due"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A class-set loan: one of the copies a teacher borrowed for a class in one action.
    group = models.ForeignKey(
        "patrons.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="class_set_loans",
        verbose_name=_("class"),
    )

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["patron", "returned_at"]),
            models.Index(fields=["school", "due_date"]),
            # Reports read a school's loans by the day lent, and count loans and distinct
            # borrowers by kind of borrower from this index alone (SQLite keeps the row id in
            # every index): the schools side by side reads no loan row. The librarian's day
            # reads its open loans by due date (most loans are returned: the partial index is
            # small).
            models.Index(
                fields=["school", "loan_date", "patron_category", "patron"],
                name="loan_school_lent_by",
            ),
            models.Index(
                fields=["school", "due_date"],
                condition=Q(returned_at__isnull=True),
                name="loan_open_due",
            ),
            models.Index(
                fields=["group", "school"],
                condition=Q(group__isnull=False, returned_at__isnull=True),
                name="loan_class_sets_out",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(returned_at__isnull=True),
                name="loan_one_open_per_item",
                violation_error_message=_("This copy is already on loan."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("loan_date")), name="loan_due_after_lent"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("checked_out_at")),
                name="loan_returned_after_lent",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "lost"], returned_at__isnull=True)
                | Q(state__in=["returned", "written_off"], returned_at__isnull=False),
                name="loan_open_iff_not_returned",
            ),
            models.CheckConstraint(
                condition=Q(patron__isnull=False) | Q(returned_at__isnull=False),
                name="loan_open_has_patron",
            ),
        ]

    def __str__(self) -> str:
        who = self.patron.username if self.patron_id and self.patron else "–"
        return f"{self.item.barcode} → {who} ({self.due_date:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def is_overdue(self, on: dt.date) -> bool:
        return self.is_open and is_overdue(self.due_date, on)


class LibraryLoan(models.Model):
    """A copy of ours lent to another library (an interlibrary loan to a partner): the copy is
    on loan to ``library`` until ``due_date``; checkin at the desk ends it (``actions.loans``).
    Not a ``Loan``: a loan is to a person, and every page about a person's loans reads it so."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="library_loans")
    library = models.CharField(_("library"), max_length=200)
    reference = models.CharField(_("their reference"), max_length=64, blank=True)
    loan_date = models.DateField(_("lent on"))
    due_date = models.DateField(_("due"))
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan to a library")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(returned_at__isnull=True),
                name="libraryloan_one_open_per_item",
                violation_error_message=_("This copy is already on loan."),
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("loan_date")), name="libraryloan_due_after_lent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.library} ({self.due_date:%Y-%m-%d})"


class LoanStatistic(models.Model):
    """What a student's loan keeps for statistics once the borrower is forgotten.

    Written when the loan ends (``actions.privacy.note_return``, ``write_off``): the grade and
    group the borrower was in. The loan row itself keeps the dates and the copy. (The table
    keeps the name it had when the model lived in ``patrons``.)
    """

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, related_name="statistic")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    group_name = models.CharField(max_length=64, blank=True, default="")
    school_year = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        db_table = "patrons_loanstatistic"
        verbose_name = _("loan statistic")
        verbose_name_plural = _("loan statistics")

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.grade} {self.group_name}"


class HoldState(models.TextChoices):
    WAITING = "waiting", _("waiting")
    READY = "ready", _("ready on the hold shelf")
    FULFILLED = "fulfilled", _("collected")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")


OPEN_HOLD_STATES = (HoldState.WAITING, HoldState.READY)


class Hold(models.Model):
    """A patron waiting for a record (the first copy that comes back) or for one copy.

    ``school`` is where the patron collects it; only that school's copies fill the hold.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="holds")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="holds")
    # The copy asked for, or (once ready) the copy waiting on the hold shelf.
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    item_specific = models.BooleanField(default=False)
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="holds"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=HoldState.choices, default=HoldState.WAITING
    )
    placed_at = models.DateTimeField(_("placed"))
    ready_at = models.DateTimeField(_("ready since"), null=True, blank=True)
    pickup_by = models.DateField(_("collect by"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["placed_at", "id"]
        indexes = [models.Index(fields=["record", "state", "placed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="ready"),
                name="hold_one_ready_per_item",
            ),
            models.UniqueConstraint(
                fields=["patron", "record"],
                condition=Q(state__in=["waiting", "ready"]),
                name="hold_one_open_per_patron_record",
                violation_error_message=_("This patron already has a hold on this title."),
            ),
            models.CheckConstraint(
                condition=~Q(state="ready")
                | Q(item__isnull=False, ready_at__isnull=False, pickup_by__isnull=False),
                name="hold_ready_has_copy",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "ready"], closed_at__isnull=True)
                | (~Q(state__in=["waiting", "ready"]) & Q(closed_at__isnull=False)),
                name="hold_open_iff_not_closed",
            ),
            models.CheckConstraint(
                condition=Q(item_specific=False) | Q(item__isnull=False),
                name="hold_specific_has_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record.title} ← {self.patron.username} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_HOLD_STATES


class RequestAnswer(models.Model):
    """The answer once given to a desk request that carried an idempotency key.

    A scan whose answer was lost on the way (a dropped connection, a timeout) is sent again by
    the desk with the same key; the answer recorded here is replayed instead of acting twice.
    Written in the same transaction as the action, so a key is recorded exactly when its action
    happened; one row per person and key (the unique constraint settles two copies of one
    request racing); rows older than ``circulation.once.KEEP`` are pruned.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="request_answers"
    )
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # what was asked: another request, same key
    status = models.PositiveSmallIntegerField()
    answer = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="request_answer_once_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.key}"


# Stocktaking and notices live in modules of their own; importing them here registers them.
from .models_notices import (  # noqa: E402
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeRecipients,
    NoticeSettings,
)
from .models_stocktaking import StocktakeScan, StocktakeSession  # noqa: E402

__all__ = [
    "OPEN_HOLD_STATES",
    "OPEN_LOAN_STATES",
    "Hold",
    "HoldState",
    "Loan",
    "LoanCategory",
    "LoanPeriod",
    "LoanQuerySet",
    "LoanRule",
    "LoanState",
    "LoanStatistic",
    "Notice",
    "NoticeChannel",
    "NoticeKind",
    "NoticeRecipients",
    "NoticeSettings",
    "RequestAnswer",
    "StocktakeScan",
    "StocktakeSession",
    "is_overdue",
    "loan_category_of",
    "open_condition",
    "overdue_condition",
]
