"""Notices: each school's settings for reminders and hold-ready mails, and every notice sent
(unique per loan, level and day, so ``reol send-notices`` is idempotent; see ``notices``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class NoticeRecipients(models.TextChoices):
    STUDENT = "student", _("the student")
    GUARDIANS = "guardians", _("the guardians")
    STUDENT_AND_GUARDIANS = "both", _("the student and the guardians")
    TEACHER = "teacher", _("the class's teachers")


class NoticeSettings(models.Model):
    """How a school reminds borrowers. A school without a row uses the defaults below."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="notice_settings", verbose_name=_("school")
    )
    overdue_enabled = models.BooleanField(_("send overdue notices"), default=True)
    level1_days = models.PositiveSmallIntegerField(_("first reminder, days after due"), default=1)
    level2_days = models.PositiveSmallIntegerField(_("second reminder, days after due"), default=7)
    level3_days = models.PositiveSmallIntegerField(_("last reminder, days after due"), default=14)
    student_recipients = models.CharField(
        _("students' reminders go to"),
        max_length=16,
        choices=NoticeRecipients.choices,
        default=NoticeRecipients.STUDENT,
    )
    hold_ready_enabled = models.BooleanField(_("e-mail when a hold is ready"), default=True)

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(level1_days__gte=1)
                & Q(level2_days__gt=F("level1_days"))
                & Q(level3_days__gt=F("level2_days")),
                name="notice_levels_in_order",
                violation_error_message=_(
                    "Each reminder comes at least a day after the one before, the first at "
                    "least a day after the due date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.level1_days}/{self.level2_days}/{self.level3_days}"

    @property
    def levels(self) -> list[tuple[int, int]]:
        """(level, days after due), first reminder first."""
        return [(1, self.level1_days), (2, self.level2_days), (3, self.level3_days)]


class NoticeKind(models.TextChoices):
    OVERDUE = "overdue", _("overdue reminder")
    HOLD_READY = "hold_ready", _("hold ready")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter (no e-mail address)")


class Notice(models.Model):
    """One notice sent about one loan (a reminder at a level) or one hold (ready to collect).

    The unique constraints make ``reol send-notices`` idempotent: the same reminder for the same
    loan is never written twice on one day, whoever runs the command and however often.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    loan = models.ForeignKey(
        "circulation.Loan", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    hold = models.ForeignKey(
        "circulation.Hold", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)  # the loan's, when sent
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"))
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)
    recipients = models.TextField(_("recipients"), blank=True, default="")  # one a line
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["school", "sent_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "level", "sent_on"],
                condition=Q(loan__isnull=False),
                name="notice_once_per_loan_level_day",
            ),
            models.UniqueConstraint(
                fields=["hold", "kind", "sent_on"],
                condition=Q(hold__isnull=False),
                name="notice_once_per_hold_day",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="overdue",
                    loan__isnull=False,
                    hold__isnull=True,
                    level__gte=1,
                    level__lte=3,
                )
                | Q(kind="hold_ready", hold__isnull=False, loan__isnull=True, level=0),
                name="notice_kind_has_its_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.level} {self.sent_on}"
