"""The media workshop: equipment kits, guidance sessions and a knowledge base of how-to guides.

* ``Kit``: equipment lent as a set (a camera kit: camera, tripod, microphone). It *is* a
  bookings ``Resource`` of kind equipment (one row each, one to one), so a kit is booked,
  checked for clashes and shown on the pick list by the bookings app, with its rules; the kit
  only adds what is in it (a contents list and, where they are catalogued, the devices).
* ``GuidanceSession``: the librarian guides a class, a group or a student in the workshop.
  A teacher books one; a student asks for one, and a teacher of that student must agree before
  the librarian confirms. The lifecycle is ``states.SESSION_TRANSITIONS``.
* ``Guide`` + ``GuideText``: a how-to guide for equipment or one of the school's learning
  platforms, in up to three languages (one ``GuideText`` per language); shown in the reader's
  language, else the first of da, nb, en that exists. A guide belongs to a school, and can be
  shared with every school of its municipality.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reol.bookings.models import Booking, Resource
from reol.core.models import School
from reol.technology.models import Device

LANGUAGES = (("da", _("Danish")), ("nb", _("Norwegian Bokmål")), ("en", _("English")))
LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)


class Kit(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="workshop_kits", verbose_name=_("school")
    )
    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="kit")
    contents = models.TextField(
        _("contents"), blank=True, default="", help_text=_("One thing a line.")
    )
    devices = models.ManyToManyField(Device, blank=True, related_name="kits")

    class Meta:
        verbose_name = _("equipment kit")
        verbose_name_plural = _("equipment kits")
        ordering = ["school", "resource__name"]

    def __str__(self) -> str:
        return self.resource.name

    @property
    def content_lines(self) -> list[str]:
        return [line.strip() for line in self.contents.splitlines() if line.strip()]


class WorkshopRoom(models.Model):
    """The room where a school's guidance sessions are held: a bookings ``Resource`` of kind
    room, booked (with the bookings' rules) when a session with a time is confirmed."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="workshop_room")
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="+", verbose_name=_("room")
    )

    def __str__(self) -> str:
        return f"{self.school_id}: {self.resource_id}"


class SessionState(models.TextChoices):
    REQUESTED = "requested", _("requested by the student")
    AGREED = "agreed", _("agreed by the teacher")
    CONFIRMED = "confirmed", _("confirmed")
    DECLINED = "declined", _("declined")
    HELD = "held", _("held")
    CANCELLED = "cancelled", pgettext_lazy("an event called off", "cancelled")


class GuidanceSession(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="guidance_sessions", verbose_name=_("school")
    )
    topic = models.CharField(_("topic"), max_length=200)
    details = models.TextField(_("what we need help with"), blank=True, default="")
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("from time"), null=True, blank=True)
    end_time = models.TimeField(_("to time"), null=True, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guidance_sessions",
        verbose_name=_("teacher"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guidance_requests",
        verbose_name=_("student"),
    )
    group = models.ForeignKey(
        "patrons.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_sessions",
        verbose_name=_("class or group"),
    )
    state = models.CharField(_("state"), max_length=16, choices=SessionState.choices)
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    # The workshop's room, booked through the bookings when the session was confirmed.
    room_booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="guidance"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guidance session")
        verbose_name_plural = _("guidance sessions")
        ordering = ["day", "start_time", "id"]
        indexes = [models.Index(fields=["school", "state", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=SessionState.values), name="guidance_state_known"
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(
                    start_time__isnull=False,
                    end_time__isnull=False,
                    end_time__gt=models.F("start_time"),
                ),
                name="guidance_times_pair",
            ),
            # Only a student's request waits for a teacher.
            models.CheckConstraint(
                condition=~Q(state="requested") | Q(student__isnull=False),
                name="guidance_request_has_student",
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class Guide(models.Model):
    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("equipment")
        PLATFORM = "platform", _("learning platform")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="guides", verbose_name=_("school")
    )
    kind = models.CharField(_("about"), max_length=16, choices=Kind.choices)
    shared = models.BooleanField(
        _("shared with the municipality"),
        default=False,
        help_text=_("Every school of the municipality can read it."),
    )
    kit = models.ForeignKey(
        Kit, on_delete=models.SET_NULL, null=True, blank=True, related_name="guides"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        ordering = ["school", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["equipment", "platform"]), name="guide_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"guide {self.pk}"


class GuideText(models.Model):
    """A guide in one language. ``folded`` is title and body case-folded, for the search."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    folded = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("guide text")
        verbose_name_plural = _("guide texts")
        ordering = ["guide", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "language"], name="guidetext_one_per_language"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES), name="guidetext_language_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title
