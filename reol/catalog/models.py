"""Records (bibliographic, shared by a municipality) and items (copies, owned by a school).

A Record keeps its whole MARC21 record (as MARC-in-JSON, so every field, indicator and
subfield survives a round trip) plus columns extracted from it for lists, forms and search.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reol.core.models import Location, Municipality, School


class MaterialType(models.TextChoices):
    BOOK = "book", _("book")
    EBOOK = "ebook", _("e-book")
    AUDIOBOOK = "audiobook", _("audiobook")
    FILM = "film", _("film")
    MUSIC = "music", _("music")
    PERIODICAL = "periodical", _("periodical")
    BOARD_GAME = "boardgame", _("board game")
    KIT = "kit", _("kit or topic box")
    DEVICE = "device", _("device")
    ERESOURCE = "eresource", _("e-resource")
    MAP = "map", _("map")
    OTHER = "other", _("other")


class Record(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("municipality"),
    )
    marc = models.JSONField(_("MARC record"), help_text=_("The full MARC21 record (MARC-in-JSON)."))
    control_number = models.CharField(_("control number (001)"), max_length=64, blank=True)
    control_source = models.CharField(_("control number source (003)"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    # The title as it sorts (extract.py): without a leading article 245's second indicator
    # marks ("The Hobbit" sorts under H). Empty for records saved before it was kept.
    sort_title = models.CharField(max_length=500, blank=True, editable=False)
    responsibility = models.CharField(_("statement of responsibility"), max_length=500, blank=True)
    contributors = models.JSONField(_("contributors"), default=list, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=255, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    material_type = models.CharField(
        _("material type"), max_length=16, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    audience = models.CharField(_("audience"), max_length=64, blank=True)
    age_min = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    reading_level = models.PositiveSmallIntegerField(
        _("reading level (LIX)"), null=True, blank=True
    )
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    ddc = models.CharField(_("DDC"), max_length=64, blank=True)
    dk5 = models.CharField(_("DK5"), max_length=64, blank=True)
    shelf_mark = models.CharField(_("shelf mark"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    series = models.CharField(_("series"), max_length=500, blank=True)
    cover_url = models.URLField(_("cover image"), max_length=500, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    licence_terms = models.TextField(_("licence terms"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["municipality", "title"])]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "control_source", "control_number"],
                condition=~Q(control_number="") & Q(merged_into__isnull=True),
                name="record_control_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_max__gte=models.F("age_min")),
                name="record_age_range_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog-record", args=[self.pk])


class RecordIsbn(models.Model):
    """A valid ISBN of a record, as ISBN-13: found whether typed as ISBN-10 or -13."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="isbns")
    isbn13 = models.CharField(max_length=13, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "isbn13"], name="recordisbn_unique")
        ]

    def __str__(self) -> str:
        return self.isbn13


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    ON_LOAN = "on_loan", _("on loan")
    ON_HOLD_SHELF = "on_hold_shelf", _("on the hold shelf")
    IN_TRANSIT = "in_transit", _("in transit")
    MISSING = "missing", _("missing")
    LOST = "lost", _("lost")
    DAMAGED = "damaged", _("damaged")
    WITHDRAWN = "withdrawn", _("withdrawn")


class CirculationType(models.TextChoices):
    NORMAL = "normal", _("normal loan")
    REFERENCE = "reference", _("reference only")
    CLASS_SET = "class_set", _("class set")
    TEACHER = "teacher", _("teachers only")
    DEVICE = "device", _("device")


class Item(models.Model):
    """A copy. Its barcode is unique across the installation, ignoring case: a scanner and a
    keyboard differ in case, and the desk finds "r00000001" as "R00000001"."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    # Indexed with the status (Meta.indexes) instead of alone.
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    barcode = models.CharField(_("barcode"), max_length=64, unique=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("location"),
    )
    shelf_mark = models.CharField(_("shelf mark (copy)"), max_length=100, blank=True)
    circulation_type = models.CharField(
        _("circulation type"),
        max_length=16,
        choices=CirculationType.choices,
        default=CirculationType.NORMAL,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2, null=True, blank=True)
    acquired_on = models.DateField(_("acquired"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # A copy that is here only for a while (borrowed from another library): the last day it may
    # be lent until. None for the library's own copies. Read by due-date caps without a query.
    temporary_until = models.DateField(_("here until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["barcode"]
        indexes = [
            # A school's copies, and how many it has in each status from the index alone: the
            # schools side by side counted 400,000 copies' rows for their status in 1.2 s,
            # from this index in 0.16 s (bench/reports.py at a municipality's size).
            models.Index(fields=["school", "status"], name="item_school_status"),
        ]
        constraints = [
            # Barcodes are ASCII (services.usable_barcode), where LOWER() agrees on SQLite
            # and PostgreSQL; the index also serves look-ups that ignore case.
            models.UniqueConstraint(
                Lower("barcode"),
                name="item_barcode_unique_ignoring_case",
                violation_error_message=_("That barcode is already in use."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="item_status_known"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def effective_shelf_mark(self) -> str:
        return self.shelf_mark or self.record.shelf_mark


class SearchOutbox(models.Model):
    """A record whose search document must be rebuilt; written in the same transaction.

    The search indexer applies rows in id order and remembers the last id it applied.
    """

    record_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.pk}: record {self.record_id}"


class BarcodeSequence(models.Model):
    """The next generated barcode number per municipality (taken under a row lock)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, primary_key=True)
    next_value = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.municipality}: {self.next_value}"


class BarcodeFormat(models.Model):
    """How a school's generated barcodes look: its prefix and the number of digits after it
    (the number comes from the municipality's BarcodeSequence). Without a row: "R" + 8."""

    DEFAULT_PREFIX, DEFAULT_DIGITS = "R", 8

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]*$", _("A prefix may have only the letters A–Z and digits.")
            )
        ],
    )
    digits = models.PositiveSmallIntegerField(
        _("digits"),
        default=DEFAULT_DIGITS,
        validators=[MinValueValidator(4), MaxValueValidator(12)],
    )

    class Meta:
        verbose_name = _("barcode format")
        constraints = [
            models.CheckConstraint(
                condition=Q(digits__gte=4) & Q(digits__lte=12), name="barcodeformat_digits_range"
            )
        ]

    def __str__(self) -> str:
        return self.example()

    def example(self, number: int = 1) -> str:
        return f"{self.prefix}{number:0{self.digits}d}"


class SruTarget(models.Model):
    """A catalogue to copy records from over SRU (a national catalogue, the public library)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    base_url = models.URLField(_("base URL"), max_length=500)
    version = models.CharField(
        _("SRU version"),
        max_length=8,
        default="1.2",
        choices=[("1.1", "1.1"), ("1.2", "1.2"), ("2.0", "2.0")],
    )
    isbn_index = models.CharField(_("ISBN index"), max_length=64, default="bath.isbn")
    record_schema = models.CharField(_("record schema"), max_length=64, default="marcxml")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("SRU target")
        verbose_name_plural = _("SRU targets")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """A MARC import started from the staff page; runs in the background and reports progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    counts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"


class SearchIndexState(models.Model):
    """How far one search index has applied the outbox (one row per index).

    ``gaps`` holds outbox ids below ``last_applied_id`` that were not yet visible when the
    indexer passed them (a transaction that took its id earlier but committed later, on
    PostgreSQL); the indexer looks for them again until they are old enough to be rollbacks.
    """

    name = models.CharField(max_length=64, unique=True)
    last_applied_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True)
    schema_version = models.PositiveIntegerField(default=0)
    reindexed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_applied_id}"


# Reading lists are the catalogue's too (a module of their own; imported here so Django sees them).
from .lists.models import ReadingList, ReadingListEntry  # noqa: E402, F401


class LabelRun(models.Model):
    """A big label run, made by the task queue's worker (``catalog.runs``); the PDF waits under
    ``var/labels/`` until the cataloguer fetches it. The copies are chosen (and counted, and
    confirmed) when the run is asked for, so the sheet holds exactly what was confirmed."""

    State = ImportJob.State

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, default="spine")
    sheet = models.JSONField(default=dict)  # the LabelLayout's fields
    skip = models.PositiveIntegerField(default=0)
    item_ids = models.JSONField(default=list)  # in print order
    count = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=16, choices=ImportJob.State.choices, default=ImportJob.State.QUEUED
    )
    path = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("count")), name="label_run_done_le_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.kind} labels ({self.state})"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.count)) if self.count else 0


class ReindexRun(models.Model):
    """A rebuild of the search index from the database, run by the task queue's worker.

    While one is running the indexer (``reol search run``) lets go of the index's writer, so
    the worker can take it; ``updated_at`` is the run's heartbeat (a run that stopped beating
    long ago no longer holds the indexer back)."""

    State = ImportJob.State

    started_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=ImportJob.State.choices, default=ImportJob.State.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state"], name="reindex_run_state")]

    def __str__(self) -> str:
        return f"reindex {self.created_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0
