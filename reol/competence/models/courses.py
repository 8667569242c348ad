"""Course series: sessions, registrations with a waiting list, attendance, feedback, and the
online learning arena (materials, tasks and reflections, a discussion per session).

Invariants kept by the database: a registered person holds a numbered seat (1 … capacity is
the service's rule; that no two hold one seat is the database's), a waiting or cancelled one
holds none; a person has at most one live registration per course; a session ends after it
starts and has a place or a link (a cancelled session keeps its row, so calendars learn of it);
attendance and feedback are once per person and session.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .mapping import CompetenceArea
from .networks import Network

USER = settings.AUTH_USER_MODEL


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for registration")
        CLOSED = "closed", _("closed")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        CompetenceArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("competence area"),
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=20)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_capacity"),
            models.CheckConstraint(condition=~Q(title=""), name="course_title"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(models.QuerySet["Session"]):
    def held(self) -> SessionQuerySet:
        """The sessions that take place: a cancelled one counts for no one's completion."""
        return self.filter(cancelled_at__isnull=True)


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="session_number_once"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="session_ends_after"),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="session_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.number}. {self.title}"


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="course_registrations")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    seat = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    waiting_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_person",
            ),
            models.UniqueConstraint(
                fields=["course", "seat"],
                condition=Q(seat__isnull=False),
                name="registration_seat_once",
            ),
            models.CheckConstraint(
                condition=(Q(status="registered") & Q(seat__gte=1))
                | (Q(status__in=["waiting", "cancelled"]) & Q(seat__isnull=True)),
                name="registration_seat_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.user}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session} · {self.user}"


class Feedback(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("how useful was it (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.rating}"


class Material(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="material_title")]

    def __str__(self) -> str:
        return self.title


class ArenaTask(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="tasks")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="arenatask_title")]

    def __str__(self) -> str:
        return self.title


class Reflection(models.Model):
    task = models.ForeignKey(ArenaTask, on_delete=models.CASCADE, related_name="reflections")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("reflection"))
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="reflection_once"),
            models.CheckConstraint(condition=~Q(text=""), name="reflection_text"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.user}"


class Post(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="post_text")]

    def __str__(self) -> str:
        return self.text[:60]


class CourseFeed(models.Model):
    """A person's secret calendar address with the sessions of their courses."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="course_feeds")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.pk}"
