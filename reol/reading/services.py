"""Every write of reading promotion: covers, the cover service, the school's settings, reviews.

Each function checks who may do it, runs in one transaction and writes its audit event.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at
from reol.patrons.models import GroupMember, Patron

from . import covers
from .models import Cover, CoverProvider, CoverSource, ReadingSettings, Review, ReviewState
from .selectors import has_borrowed, reading_settings

PROVIDER_TIMEOUT = 5.0  # seconds per request to the cover service
PROVIDER_MAX_BYTES = 2 * 1024 * 1024
RETRY_AFTER = dt.timedelta(days=30)  # a record the service had nothing for is asked again then


class ReadingError(ValueError):
    """A refusal with its reason in words."""


def _store(record: Record, source: str, found: covers.Resized | None) -> Cover:
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
        cover = _store(record, CoverSource.UPLOAD, resized)
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


def set_cover_provider(
    actor: Actor, school: School, url_template: str, *, enabled: bool
) -> CoverProvider:
    """The municipality's cover service (set by an administrator of one of its schools)."""
    require(actor, Perm.STAFF_MANAGE, school)
    template = url_template.strip()
    if not template.startswith(("https://", "http://")) or "{isbn" not in template:
        raise ReadingError(
            _("The address must start with https:// and contain {isbn} or {isbn10}.")
        )
    with transaction.atomic():
        provider, _created = CoverProvider.objects.update_or_create(
            municipality=school.municipality,
            defaults={"url_template": template, "enabled": enabled},
        )
        audit.record(
            actor,
            "cover.provider",
            provider,
            school=school,
            details={"url_template": template, "enabled": enabled},
        )
    return provider


def _isbn10(isbn13: str) -> str:
    if not isbn13.startswith("978"):
        return ""
    core = isbn13[3:12]
    total = sum((10 - i) * int(c) for i, c in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def _download(url: str) -> bytes | None:
    if not url.startswith(("https://", "http://")):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": "Reol cover lookup"})  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=PROVIDER_TIMEOUT) as answer:  # noqa: S310
            if answer.status != 200:
                return None
            data: bytes = answer.read(PROVIDER_MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        return None
    return data if 0 < len(data) <= PROVIDER_MAX_BYTES else None


def fetch_cover(record: Record, *, force: bool = False) -> Cover | None:
    """Ask the municipality's cover service for ``record``'s cover by each of its ISBNs.

    A stored upload is never replaced; a record the service had nothing for is asked again
    after ``RETRY_AFTER``. Returns the cover row (found or "none"), or None when not asked.
    """
    provider = CoverProvider.objects.filter(
        municipality_id=record.municipality_id, enabled=True
    ).first()
    if provider is None:
        return None
    known = Cover.objects.filter(record=record).first()
    if known is not None and not force:
        if known.source != CoverSource.NONE:
            return known
        if timezone.now() - known.checked_at < RETRY_AFTER:
            return known
    if known is not None and known.source == CoverSource.UPLOAD:
        return known
    found: covers.Resized | None = None
    for isbn in record.isbns.values_list("isbn13", flat=True):
        url = provider.url_template.replace("{isbn10}", _isbn10(isbn)).replace("{isbn}", isbn)
        data = _download(url)
        if data is None:
            continue
        try:
            found = covers.resize(data)
        except covers.CoverError:
            continue
        # Services answer "no cover" with a 1×1 pixel or a tiny placeholder: resize refuses it.
        break
    with transaction.atomic():
        return _store(record, CoverSource.PROVIDER if found else CoverSource.NONE, found)


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
