"""Reading promotion: covers, reading levels in words, and students' reviews.

A cover belongs to a catalogue record (records are shared by the municipality, so one cover
serves every school). The image is stored once, already resized, in the database: it is small
(at most ``covers.MAX_BYTES``), travels with the one-file backup, and needs no media server.
A record without a stored cover gets a generated one (``covers.generated_svg``), never a blank.

A review is a student's stars and a few words about a title they borrowed. It is held until a
librarian of the student's school approves it, and is shown only at that school.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Record
from reol.core.models import School


class CoverSource(models.TextChoices):
    UPLOAD = "upload", _("uploaded at the library")
    PROVIDER = "provider", _("from the cover service")
    NONE = "none", _("none found")  # the provider had nothing: do not ask again for a while


class Cover(models.Model):
    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="reading_cover")
    source = models.CharField(max_length=16, choices=CoverSource.choices)
    image = models.BinaryField(blank=True, default=b"")  # JPEG, resized once
    content_type = models.CharField(max_length=32, blank=True)
    width = models.PositiveSmallIntegerField(default=0)
    height = models.PositiveSmallIntegerField(default=0)
    digest = models.CharField(max_length=16, blank=True)  # the image's URL version
    checked_at = models.DateTimeField()  # when it was stored or last looked for

    class Meta:
        verbose_name = _("cover")
        verbose_name_plural = _("covers")
        constraints = [
            models.CheckConstraint(
                condition=Q(source="none", digest="") | (~Q(source="none") & ~Q(digest="")),
                name="cover_image_iff_found",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.source}"


class CoverProvider(models.Model):
    """Where a municipality looks up covers by ISBN: an HTTP address with ``{isbn}`` in it.

    Off by default (no request leaves Reol until someone turns it on). ``{isbn}`` is the ISBN-13,
    ``{isbn10}`` the ISBN-10 where one exists.
    """

    municipality = models.OneToOneField(
        "core.Municipality", on_delete=models.CASCADE, related_name="cover_provider"
    )
    url_template = models.CharField(
        _("address"),
        max_length=300,
        help_text=_("For example https://covers.example.org/{isbn}.jpg"),
    )
    enabled = models.BooleanField(_("look up covers"), default=False)

    class Meta:
        verbose_name = _("cover service")
        constraints = [
            models.CheckConstraint(
                condition=Q(url_template__startswith="https://")
                | Q(url_template__startswith="http://"),
                name="cover_provider_http",
            ),
        ]

    def __str__(self) -> str:
        return self.url_template


class ReadingSettings(models.Model):
    """A school's choices about students' voices in the catalogue."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="reading")
    reviews_enabled = models.BooleanField(_("students may write reviews"), default=True)
    show_reviewer_names = models.BooleanField(
        _("show the reviewer's first name and class"),
        default=False,
        help_text=_("Otherwise a review is signed only with the grade."),
    )

    class Meta:
        verbose_name = _("reading settings")

    def __str__(self) -> str:
        return str(self.school)


class ReviewState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("shown")
    REJECTED = "rejected", _("not shown")


class Review(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="reviews")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    text = models.TextField(_("what did you think?"), max_length=600, blank=True)
    # The signature as it was when written: first name, class and grade (the class may change).
    first_name = models.CharField(max_length=150, blank=True)
    group_name = models.CharField(max_length=40, blank=True)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reports = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "author"], name="review_one_per_reader"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected"]), name="review_state"
            ),
        ]
        indexes = [models.Index(fields=["school", "state", "record"])]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.stars}"


class PictureDoor(models.Model):
    """A big picture tile on the catalogue's front page that opens a saved search ("Horses").

    The librarian composes them per school: the words and filters of the search, the label in
    each language, a picture (an uploaded one, or a symbol on a colour), and the ages it is for.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="picture_doors")
    label_da = models.CharField(_("label in Danish"), max_length=40, blank=True)
    label_nb = models.CharField(_("label in Norwegian"), max_length=40, blank=True)
    label_en = models.CharField(_("label in English"), max_length=40, blank=True)
    words = models.CharField(_("search words"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    age_band = models.CharField(_("for ages"), max_length=8, blank=True)
    easy = models.BooleanField(_("only easy to read"), default=False)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    colour = models.CharField(max_length=7, blank=True)
    image = models.BinaryField(blank=True, default=b"")
    digest = models.CharField(max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("picture door")
        verbose_name_plural = _("picture doors")
        ordering = ["school", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(label_da="", label_nb="", label_en=""), name="door_has_a_label"
            ),
            models.CheckConstraint(
                condition=~Q(words="", subject="", easy=False), name="door_opens_a_search"
            ),
        ]

    def __str__(self) -> str:
        return self.label_en or self.label_da or self.label_nb


class Campaign(models.Model):
    """A reading campaign at a school: a summer challenge, a reading week, "5 books, 5 lands"."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    goal = models.PositiveSmallIntegerField(_("books for each reader"), default=5)
    leaderboard = models.BooleanField(_("show the classes side by side"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reading campaign")
        verbose_name_plural = _("reading campaigns")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates"
            ),
            models.CheckConstraint(condition=Q(goal__gte=1, goal__lte=500), name="campaign_goal"),
        ]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A student who joined a campaign: their opt-in to keep what they read in it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaigns"
    )
    group_name = models.CharField(max_length=40, blank=True)  # their class when they joined
    from_loans = models.BooleanField(_("count my loans"), default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.user_id}"


class LogSource(models.TextChoices):
    HAND = "hand", _("logged by hand")
    LOAN = "loan", _("from a loan")


class ReadingLog(models.Model):
    """One book a participant read in a campaign."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="logs")
    record = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(max_length=8, choices=LogSource.choices, default=LogSource.HAND)
    logged_on = models.DateField()

    class Meta:
        ordering = ["-logged_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "record"],
                condition=Q(record__isnull=False),
                name="log_a_record_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DisplayKind(models.TextChoices):
    LIBRARIAN = "librarian", _("the librarian recommends")
    TEACHER = "teacher", _("a teacher recommends")
    WEEK = "week", _("the week's display")


class Display(models.Model):
    """A shelf of recommended titles on the catalogue's front page, and as a printed poster."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="displays")
    kind = models.CharField(_("kind"), max_length=16, choices=DisplayKind.choices)
    title = models.CharField(_("title"), max_length=120)
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    starts_on = models.DateField(_("shown from"))
    ends_on = models.DateField(_("shown until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    records: models.ManyToManyField[Record, DisplayItem] = models.ManyToManyField(
        Record, through="DisplayItem", related_name="+"
    )

    class Meta:
        verbose_name = _("display")
        verbose_name_plural = _("displays")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="display_dates"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__lte=13), name="display_grade"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DisplayItem(models.Model):
    display = models.ForeignKey(Display, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("why"), max_length=140, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["display", "record"], name="display_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.display_id}:{self.record_id}"
