"""Reads of reading promotion: cover addresses, reading-level badges, reviews at a school."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, Record
from reol.catalog.search.labels import subject_label
from reol.circulation.models import Loan
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, roles_at
from reol.patrons.models import Patron

from . import covers, levels
from .models import Cover, CoverProvider, CoverSource, ReadingSettings, Review, ReviewState

# What a cover needs of a record: load these with ``.only(...)``.
COVER_FIELDS = ("id", "title", "contributors", "subjects", "material_type", "cover_url")


@dataclass(frozen=True)
class CoverView:
    url: str
    generated: bool
    width: int  # the image's pixels (a generated cover is 200×300)
    height: int


def _author(record: Record) -> str:
    people: list[dict[str, Any]] = record.contributors or []
    return str(people[0].get("name", "")) if people else ""


def _subject(record: Record) -> str:
    subjects: list[str] = record.subjects or []
    return subjects[0] if subjects else record.material_type


# What a cover needs of a record's stored cover, read with the record in one join
# (``Record.objects.select_related(COVER_JOIN).only(*COVER_FIELDS, *COVER_JOIN_FIELDS)``).
COVER_JOIN = "reading_cover"
COVER_JOIN_FIELDS = tuple(
    f"reading_cover__{name}" for name in ("source", "digest", "width", "height")
)


def with_covers(records: QuerySet[Record]) -> QuerySet[Record]:
    """``records`` with what ``cover_views`` needs, in the same query (no image bytes)."""
    return records.select_related(COVER_JOIN).only(*COVER_FIELDS, *COVER_JOIN_FIELDS)


def _stored_covers(records: list[Record]) -> dict[int, dict[str, Any]]:
    joined = Record._meta.get_field(COVER_JOIN)
    if records and all(joined.is_cached(r) for r in records):  # type: ignore[union-attr]
        found = {}
        for r in records:
            cover = getattr(r, COVER_JOIN, None)
            if cover is not None and cover.source != CoverSource.NONE:
                found[r.pk] = {"digest": cover.digest, "width": cover.width, "height": cover.height}
        return found
    return {
        row["record_id"]: dict(row)
        for row in Cover.objects.filter(record__in=[r.pk for r in records])
        .exclude(source=CoverSource.NONE)
        .values("record_id", "digest", "width", "height")
    }


def cover_views(records: Iterable[Record]) -> dict[int, CoverView]:
    """Each record's cover address: its stored image, else its generated cover.

    No query when the records came through ``with_covers``; one otherwise.
    """
    records = list(records)
    stored = _stored_covers(records)
    found: dict[int, CoverView] = {}
    for record in records:
        row = stored.get(record.pk)
        if row is not None:
            url = reverse("reading-cover", args=[record.pk, row["digest"]])
            found[record.pk] = CoverView(url, False, row["width"], row["height"])
        elif record.cover_url:  # a national catalogue's cover address, catalogued in the MARC
            found[record.pk] = CoverView(record.cover_url, False, 2, 3)
        else:
            version = covers.generated_version(record.title, _author(record), _subject(record))
            url = reverse("reading-cover", args=[record.pk, version])
            found[record.pk] = CoverView(url, True, 200, 300)
    return found


def cover_view(record: Record) -> CoverView:
    return cover_views([record])[record.pk]


def generated_for(record: Record) -> tuple[str, str]:
    """The generated cover's SVG and its version."""
    author, subject = _author(record), _subject(record)
    return (
        covers.generated_svg(record.title, author, subject),
        covers.generated_version(record.title, author, subject),
    )


def reader_grade(user: Any, school: School | None) -> int | None:
    """The grade a signed-in student is in at ``school`` (None for anyone else)."""
    if not school or not isinstance(user, User):
        return None
    if "student" not in roles_at(user, school):
        return None
    return Patron.objects.filter(user=user, school=school).values_list("grade", flat=True).first()


def is_teacher_or_staff(user: Any, school: School | None) -> bool:
    if not school or not isinstance(user, User):
        return False
    return has_perm(user, Perm.STAFF_SHELL, school)


def level_badge(lix: int | None, grade: int | None, staff: bool) -> levels.LevelBadge | None:
    return levels.badge(lix, grade, staff)


def may_see_reviews(user: Any, school: School | None) -> bool:
    """Reviews never leave the school: only its own signed-in people read them."""
    if not school or not isinstance(user, User):  # a lazy "no school" is falsy, not None
        return False
    return bool(roles_at(user, school))


def reading_settings(school: School) -> ReadingSettings:
    found = ReadingSettings.objects.filter(school=school).first()
    return found or ReadingSettings(school=school)


def has_borrowed(user: User, school: School, record: Record) -> bool:
    """Whether ``user`` has a copy of ``record`` from here, or had one and keeps a history.

    Returned loans lose their borrower unless the student (and school) keep a loan history,
    so a reader reviews while the book is at home, or later if they chose to keep a history:
    Reol keeps no trace of who read what just to allow a review.
    """
    items = Item.objects.filter(record=record, school=school)
    return Loan.objects.of_patron(user).filter(item__in=items).exists()


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    average: float | None


def review_summary(record: Record, school: School) -> ReviewSummary:
    row = Review.objects.filter(record=record, school=school, state=ReviewState.APPROVED).aggregate(
        n=Count("id"), avg=Avg("stars")
    )
    return ReviewSummary(row["n"], round(row["avg"], 1) if row["avg"] is not None else None)


def shown_reviews(record: Record, school: School) -> list[Review]:
    return list(
        Review.objects.filter(record=record, school=school, state=ReviewState.APPROVED)[:20]
    )


def my_review(user: Any, record: Record) -> Review | None:
    if not isinstance(user, User):
        return None
    return Review.objects.filter(record=record, author=user).first()


def waiting_reviews(school: School) -> list[Review]:
    return list(
        Review.objects.filter(school=school, state=ReviewState.PENDING)
        .select_related("record")
        .order_by("-reports", "created_at")[:200]
    )


@dataclass(frozen=True)
class TopTitle:
    record_id: int
    title: str
    average: float
    count: int


def top_of_class(school: School, grade: int, *, size: int = 10) -> list[TopTitle]:
    """The titles a grade rated highest at ``school`` (at least two approved reviews each)."""
    rows = (
        Review.objects.filter(school=school, grade=grade, state=ReviewState.APPROVED)
        .values("record_id", "record__title")
        .annotate(avg=Avg("stars"), n=Count("id"))
        .filter(Q(n__gte=2))
        .order_by("-avg", "-n", "record__title")[:size]
    )
    return [TopTitle(r["record_id"], r["record__title"], round(r["avg"], 1), r["n"]) for r in rows]


def cover_service_on(municipality_id: int) -> bool:
    return CoverProvider.objects.filter(municipality_id=municipality_id, enabled=True).exists()


def records_wanting_covers(municipality_id: int, retry_after: dt.timedelta) -> QuerySet[Record]:
    """Records with an ISBN and no cover yet, or whose service had none ``retry_after`` ago;
    oldest first, so a run that stops half-way is continued where it stopped."""
    asked_lately = Q(reading_cover__source=CoverSource.NONE) & Q(
        reading_cover__checked_at__gt=timezone.now() - retry_after
    )
    has_one = Q(reading_cover__source__in=[CoverSource.UPLOAD, CoverSource.PROVIDER])
    return (
        Record.objects.filter(municipality_id=municipality_id, isbns__isnull=False)
        .exclude(has_one | asked_lately)
        .distinct()
        .order_by("pk")
    )


def rated_grades(school: School) -> list[int]:
    """The grades with approved reviews at ``school`` (the grades a teacher may look at)."""
    found = Review.objects.filter(school=school, state=ReviewState.APPROVED, grade__isnull=False)
    return sorted({grade for grade in found.values_list("grade", flat=True) if grade is not None})


@dataclass(frozen=True)
class Extras:
    """What reading promotion adds to a hit or a tile: its cover and its level in words."""

    cover: CoverView
    level: levels.LevelBadge | None


def extras_for(records: Iterable[Record], user: Any, school: School | None) -> dict[int, Extras]:
    """Covers and level badges of ``records`` (loaded with ``COVER_FIELDS`` and the LIX)."""
    records = list(records)
    grade = reader_grade(user, school)
    staff = is_teacher_or_staff(user, school)
    found = cover_views(records)
    return {r.pk: Extras(found[r.pk], levels.badge(r.reading_level, grade, staff)) for r in records}


def reviews_context(
    user: Any, school: School | None, record: Record, draft: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The record page's reviews section, or None where reviews are not shown to this person;
    ``draft`` is what the student typed that the form could not take, to show it again."""
    if not may_see_reviews(user, school):
        return None
    assert school is not None
    chosen = reading_settings(school)
    if not chosen.reviews_enabled:
        return None
    summary = review_summary(record, school)
    is_student = "student" in roles_at(user, school)
    return {
        "summary": summary,
        "rounded": round(summary.average or 0),
        "shown": shown_reviews(record, school),
        "names": chosen.show_reviewer_names,
        "mine": my_review(user, record),
        "may_write": is_student and has_borrowed(user, school, record),
        "draft": draft,
    }


def _about(subject: str) -> str:
    """A subject inside a sentence: its subdivisions joined as a reader knows them
    (``subject_label``); its first letter small when no other is capital ("Heste" → "heste"),
    else as catalogued: "the Vikings – Juvenile literature", "Rowling, J. K." (the trial saw
    "the vikings -- juvenile literature")."""
    label = subject_label(subject)
    if label[1:] == label[1:].lower():
        return label[:1].lower() + label[1:]
    return label


def alike_reasons(record: Record, others: list[int]) -> dict[int, str]:
    """Why each of ``others`` is like ``record``, in a few words ("also about horses")."""
    mine_subjects = {s.casefold(): s for s in record.subjects or []}
    mine_authors = {str(c.get("name", "")).casefold() for c in record.contributors or []}
    reasons: dict[int, str] = {}
    for other in Record.objects.filter(pk__in=others).only(
        "id", "subjects", "contributors", "series"
    ):
        shared = [s for s in other.subjects or [] if s.casefold() in mine_subjects]
        same_author = next(
            (
                str(c.get("name", ""))
                for c in other.contributors or []
                if str(c.get("name", "")).casefold() in mine_authors and c.get("name")
            ),
            "",
        )
        if record.series and other.series and record.series == other.series:
            reasons[other.pk] = _("in the same series")
        elif same_author:
            reasons[other.pk] = _("also by %(name)s") % {"name": same_author}
        elif shared:
            reasons[other.pk] = _("also about %(subject)s") % {"subject": _about(shared[0])}
    return reasons
