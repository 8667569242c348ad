"""Planning: the classes' annual plans, the coordination calendar's settings, topic resource
lists, teaching collaborations, the learning-centre team's goals and tasks, and calendar feeds.

Invariants kept by the database:

* a plan entry ends on or after it starts and has a title;
* a resource-list line asks for at least one copy, and a title is on a list once;
* a collaboration ends on or after it starts; a development goal's title is unique per school
  and school year;
* a resource feed names a resource and no other feed does; a feed's token is unique;
* the weekly digest is sent once per school and week.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Record
from reol.core import calendar
from reol.core.models import School
from reol.patrons.models import Group


class PlanningSettings(models.Model):
    """A school's planning settings; a school without a row uses the defaults."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="planning")
    heavy_use_capacity = models.PositiveSmallIntegerField(
        _("heavy-use classes per week"),
        default=3,
        help_text=_(
            "How many classes the learning-centre staff can serve as heavy users in a week."
        ),
    )

    class Meta:
        verbose_name = _("planning settings")
        verbose_name_plural = _("planning settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(heavy_use_capacity__lte=500), name="planning_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.heavy_use_capacity}"


class PlanEntry(models.Model):
    """A topic or project in a group's annual plan ("Vikingerne", history, weeks 41–43)."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("topic")
        PROJECT = "project", _("project")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="plan_entries")
    school_year = models.CharField(_("school year"), max_length=16)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(_("title"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    goals = models.TextField(_("goals"), blank=True)
    materials = models.TextField(
        _("materials or help wanted"),
        blank=True,
        help_text=_("What the class expects from the library: books, films, rooms, guidance."),
    )
    heavy_use = models.BooleanField(_("heavy user of the library"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan entry")
        verbose_name_plural = _("plan entries")
        ordering = ["starts", "group__name", "id"]
        indexes = [models.Index(fields=["school", "starts", "ends"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=F("starts")), name="planentry_order"),
            models.CheckConstraint(condition=~Q(title=""), name="planentry_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.title}"

    @property
    def weeks(self) -> str:
        return calendar.week_label(self.starts, self.ends)


class ResourceList(models.Model):
    """A topic's "materialekasse": the titles and how many copies the class needs.

    Shared with a teacher (who is told by e-mail) and published on the OPAC as a reading list
    (made through the OPAC's own services; the list's id is kept to update it).
    """

    entry = models.OneToOneField(PlanEntry, on_delete=models.CASCADE, related_name="resources")
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    reading_list = models.ForeignKey(
        "catalog.ReadingList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("resource list")
        verbose_name_plural = _("resource lists")

    def __str__(self) -> str:
        return str(self.entry)


class ResourceLine(models.Model):
    resource_list = models.ForeignKey(ResourceList, on_delete=models.CASCADE, related_name="lines")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("copies"), default=1)
    # The booking that reserves these copies for the topic's weeks (none until reserved).
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("resource list line")
        verbose_name_plural = _("resource list lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_list", "record"], name="resourceline_record_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=500), name="resourceline_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.record_id}"


class Collaboration(models.Model):
    """A course or a guidance session the learning centre plans and teaches with teachers."""

    class Kind(models.TextChoices):
        COURSE = "course", _("course")
        GUIDANCE = "guidance", _("guidance")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(_("school year"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COURSE)
    title = models.CharField(_("title"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("teachers")
    )
    goals = models.TextField(_("goals"), blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    materials = models.TextField(_("materials used"), blank=True)
    rooms = models.ManyToManyField(
        "bookings.Resource", related_name="+", blank=True, verbose_name=_("rooms used")
    )
    evaluation = models.TextField(_("evaluation afterwards"), blank=True)
    workshops = models.ManyToManyField(
        "competence.Workshop",
        related_name="+",
        blank=True,
        verbose_name=_("workshops and meetings"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["-starts", "id"]
        indexes = [models.Index(fields=["school", "school_year"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=F("starts")), name="collaboration_order"),
            models.CheckConstraint(condition=~Q(title=""), name="collaboration_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class DevelopmentGoal(models.Model):
    """One of the school's development goals for a school year, which the team's tasks serve."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(_("school year"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        ordering = ["school", "school_year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "title"], name="developmentgoal_unique"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="developmentgoal_title"),
        ]

    def __str__(self) -> str:
        return self.title


class TeamTask(models.Model):
    """Who on the learning-centre team is responsible for what, and which goals it serves."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(_("school year"), max_length=16)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    goals = models.ManyToManyField(
        DevelopmentGoal, related_name="tasks", blank=True, verbose_name=_("development goals")
    )

    class Meta:
        verbose_name = _("team task")
        verbose_name_plural = _("team tasks")
        ordering = ["school", "school_year", "title", "id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="teamtask_title")]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A secret address serving a calendar as iCalendar, until its owner revokes it.

    The token is 32 random bytes (URL-safe) and the address is the only credential, as with any
    calendar client's "secret address": it is kept so the owner can copy it again for another
    device; revoking it (or losing the role the feed needs) makes it answer 404.
    """

    class Kind(models.TextChoices):
        COORDINATION = "coordination", _("coordination calendar")
        TEACHER_BOOKINGS = "teacher_bookings", _("my bookings")
        RESOURCE = "resource", _("a room's or equipment's bookings")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("calendar"), max_length=20, choices=Kind.choices)
    resource = models.ForeignKey(
        "bookings.Resource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("room or equipment"),
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="resource") & Q(resource__isnull=False))
                | (~Q(kind="resource") & Q(resource__isnull=True)),
                name="calendarfeed_resource_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["coordination", "teacher_bookings", "resource"]),
                name="calendarfeed_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class DigestSent(models.Model):
    """The weekly digest went to a school's staff for the week starting ``week``."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "week"], name="digest_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.week}"
