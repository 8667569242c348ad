"""Every write of reading promotion: covers, the cover service, the school's settings, reviews.

Each function checks who may do it, runs in one transaction and writes its audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at
from reol.patrons.models import GroupMember, Patron

from . import covers
from .models import Cover, CoverSource, ReadingSettings, Review, ReviewState
from .selectors import has_borrowed, reading_settings


class ReadingError(ValueError):
    """A refusal with its reason in words."""


def store(record: Record, source: str, found: covers.Resized | None) -> Cover:
    cover, _created = Cover.objects.update_or_create(
        record=record,
        defaults={
            "source": source,
            "image": found.data if found else b"",
            "content_type": "image/jpeg" if found else "",
            "width": found.width if found else 0,
            "height": found.height if found else 0,
            "digest": found.digest if found else "",
            "checked_at": timezone.now(),
        },
    )
    return cover


def upload_cover(actor: Actor, school: School, record: Record, raw: bytes) -> Cover:
    """A librarian's picture (a file or a phone photo) becomes the record's cover."""
    require(actor, Perm.CATALOG_EDIT, school)
    if record.municipality_id != school.municipality_id:
        raise ReadingError(_("This title is not in your municipality's catalogue."))
    resized = covers.resize(raw)  # before the transaction: decoding is the slow part
    with transaction.atomic():
        cover = store(record, CoverSource.UPLOAD, resized)
        audit.record(
            actor, "cover.upload", record, school=school, details={"bytes": len(resized.data)}
        )
    return cover


def remove_cover(actor: Actor, school: School, record: Record) -> None:
    require(actor, Perm.CATALOG_EDIT, school)
    if record.municipality_id != school.municipality_id:
        raise ReadingError(_("This title is not in your municipality's catalogue."))
    with transaction.atomic():
        deleted, _rows = Cover.objects.filter(record=record).delete()
        if deleted:
            audit.record(actor, "cover.remove", record, school=school)


def set_reading_settings(
    actor: Actor, school: School, *, reviews_enabled: bool, show_reviewer_names: bool
) -> ReadingSettings:
    require(actor, Perm.SCHOOL_MANAGE, school)
    with transaction.atomic():
        settings_row, _created = ReadingSettings.objects.update_or_create(
            school=school,
            defaults={
                "reviews_enabled": reviews_enabled,
                "show_reviewer_names": show_reviewer_names,
            },
        )
        audit.record(
            actor,
            "reading.settings",
            settings_row,
            school=school,
            details={"reviews": reviews_enabled, "names": show_reviewer_names},
        )
    return settings_row


def _signature(user: User, school: School) -> tuple[str, int | None]:
    """The class name and grade a review is signed with (the latest class at this school)."""
    patron = Patron.objects.filter(user=user, school=school).only("id", "grade").first()
    if patron is None:
        return "", None
    member = (
        GroupMember.objects.filter(patron=patron, group__kind="class")
        .select_related("group")
        .order_by("-group__school_year")
        .first()
    )
    return (member.group.name if member else "", patron.grade)


def submit_review(user: User, school: School, record: Record, stars: int, text: str) -> Review:
    """A student's review of a title they borrowed at ``school``: held for approval."""
    if "student" not in roles_at(user, school):
        raise ReadingError(_("Only students of the school can write reviews here."))
    if not reading_settings(school).reviews_enabled:
        raise ReadingError(_("Your school does not collect reviews."))
    if not 1 <= stars <= 5:
        raise ReadingError(_("Choose from one to five stars."))
    text = text.strip()
    if len(text) > 600:
        raise ReadingError(_("A review can be at most 600 characters."))
    if not has_borrowed(user, school, record):
        raise ReadingError(_("You can review a book once you have borrowed it."))
    group_name, grade = _signature(user, school)
    with transaction.atomic():
        review, _created = Review.objects.update_or_create(
            record=record,
            author=user,
            defaults={
                "school": school,
                "stars": stars,
                "text": text,
                "first_name": user.first_name,
                "group_name": group_name,
                "grade": grade,
                "state": ReviewState.PENDING,  # an edited review is approved again
                "reports": 0,
                "decided_at": None,
                "decided_by": None,
            },
        )
        audit.record(user, "review.submit", review, school=school, details={"stars": stars})
    return review


def decide_review(actor: Actor, review: Review, *, approve: bool) -> Review:
    require(actor, Perm.CATALOG_EDIT, review.school)
    with transaction.atomic():
        review.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
        review.decided_at = timezone.now()
        review.decided_by = actor if isinstance(actor, User) else None
        review.save(update_fields=["state", "decided_at", "decided_by"])
        audit.record(
            actor,
            "review.approve" if approve else "review.reject",
            review,
            school=review.school,
        )
    return review


def report_review(user: User, review: Review) -> Review:
    """Someone of the school finds a shown review hurtful: it goes back for approval."""
    if not roles_at(user, review.school):
        raise ReadingError(_("Only people of the school can report a review."))
    with transaction.atomic():
        review.reports += 1
        review.state = ReviewState.PENDING
        review.save(update_fields=["reports", "state"])
        audit.record(user, "review.report", review, school=review.school)
    return review
