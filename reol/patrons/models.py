"""Patrons and groups: who borrows at a school, in which classes, and what the library keeps.

The person (name, username, card barcode, password/PIN) is ``core.User``; their role at a school,
which decides what they may do, is ``core.Membership``. A ``Patron`` is the library's record of a
person *at one school*: category, grade, guardians, validity, blocks, and their consent to keep
loan history. A ``Group`` is a class ("5.B"), a team or a whole grade in one school year.

Invariants kept by the database:

* one patron per person and school; one group name per school and school year;
* a roster source id is unique per school (for patrons and for groups), so re-imports match;
* grades are 0–13; a person is in a group once;
* an open block has no lift time; a lifted block was lifted after it was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School

GRADE_MAX = 13


class PatronCategory(models.TextChoices):
    STUDENT = "student", _("student")
    TEACHER = "teacher", _("teacher")
    STAFF = "staff", _("staff")
    EXTERNAL = "external", _("external")


class Group(models.Model):
    """A class, team or grade of one school in one school year."""

    class Kind(models.TextChoices):
        CLASS = "class", _("class")
        TEAM = "team", _("team")
        GRADE = "grade", _("grade")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    school_year = models.CharField(_("school year"), max_length=16)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLASS)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    # The roster system's id (OneRoster sourcedId, or a CSV column); "" when made by hand.
    source_id = models.CharField(max_length=128, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["school", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="group_name_unique_per_year"
            ),
            models.UniqueConstraint(
                fields=["school", "source_id"],
                condition=~Q(source_id=""),
                name="group_source_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__lte=GRADE_MAX), name="group_grade_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Patron(models.Model):
    """A person as a borrower at one school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patrons"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="patrons")
    category = models.CharField(_("category"), max_length=16, choices=PatronCategory.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    groups: models.ManyToManyField[Group, GroupMember] = models.ManyToManyField(
        Group, through="GroupMember", related_name="patrons", blank=True
    )
    # One address per line; a student's guardians get notices when the school says so.
    guardian_emails = models.TextField(_("guardians' e-mail addresses"), blank=True, default="")
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )
    # The guardians are written to in theirs (a Norwegian family at a Danish school); empty:
    # the patron's language, else the school's (``selectors.guardian_language``).
    guardian_language = models.CharField(
        _("guardians' language"), max_length=8, blank=True, default=""
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    source_id = models.CharField(max_length=128, blank=True, default="")
    # The student's (or guardian's) consent to keep loan history, when the school allows it.
    keeps_loan_history = models.BooleanField(_("keep my loan history"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # Set when a leaver is deactivated: erased after the school's retention period.
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patron")
        verbose_name_plural = _("patrons")
        ordering = ["school", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="patron_one_per_school"),
            models.UniqueConstraint(
                fields=["school", "source_id"],
                condition=~Q(source_id=""),
                name="patron_source_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__lte=GRADE_MAX),
                name="patron_grade_range",
            ),
        ]
        indexes = [models.Index(fields=["school", "category", "active"])]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.school.code})"

    @property
    def guardians(self) -> list[str]:
        return [line.strip() for line in self.guardian_emails.splitlines() if line.strip()]


class GroupMember(models.Model):
    """A patron in a group: as a student, or as one of its teachers."""

    class Role(models.TextChoices):
        STUDENT = "student", _("student")
        TEACHER = "teacher", _("teacher")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.STUDENT)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "patron"], name="groupmember_once"),
        ]

    def __str__(self) -> str:
        return f"{self.patron} ∈ {self.group} ({self.role})"


class Block(models.Model):
    """Why a patron may not borrow now; open until lifted."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("long overdue loans")
        LOST = "lost", _("lost copies not replaced")
        EXPIRED = "expired", _("card expired")
        CONDUCT = "conduct", _("agreed with the school")
        OTHER = "other", _("other")

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="blocks")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=models.F("created_at")),
                name="block_lifted_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patron}: {self.get_reason_display()}"


class PrivacySettings(models.Model):
    """A school's privacy periods. A school without a row uses the defaults (the field defaults).

    Whether the school keeps students' loan history at all is ``School.keep_loan_history``
    (core's school setting); these are the periods around it.
    """

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="privacy")
    # Returned loans of students who have not opted in lose their borrower this many days after
    # return; 0 = at return (the default).
    anonymise_after_days = models.PositiveSmallIntegerField(
        _("anonymise returned loans after (days)"), default=0
    )
    # Leavers (deactivated at year end) are erased this many days after they left.
    leaver_retention_days = models.PositiveSmallIntegerField(
        _("erase leavers after (days)"), default=90
    )
    # New card numbers are random digits (and a check digit) rather than the next in sequence,
    # so that one card does not tell the numbers of the others.
    random_card_numbers = models.BooleanField(_("random card numbers"), default=False)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymise_after_days__lte=3650) & Q(leaver_retention_days__lte=3650),
                name="privacy_periods_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.anonymise_after_days}/{self.leaver_retention_days}"
