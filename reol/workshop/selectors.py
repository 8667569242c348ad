"""Reads of the media workshop: kits, guidance sessions, guides (and the guides' search)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from reol.bookings.models import Resource
from reol.bookings.selectors import resource_free_units
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, has_perm, roles_at, schools_with
from reol.patrons.models import GroupMember

from .models import LANGUAGE_CODES, GuidanceSession, Guide, GuideText, Kit, SessionState

# Sessions the librarian still has to act on, and those ahead.
OPEN_STATES = (SessionState.REQUESTED, SessionState.AGREED, SessionState.CONFIRMED)


def kits_at(school: School) -> QuerySet[Kit]:
    return (
        Kit.objects.filter(school=school)
        .select_related("resource")
        .prefetch_related("devices__item")
        .order_by("resource__name", "pk")
    )


def kits(actor: Actor | AnonymousUser) -> QuerySet[Kit]:
    """Kits of the schools where ``actor`` may book."""
    return (
        Kit.objects.filter(school__in=schools_with(actor, Perm.BOOKING))
        .select_related("resource", "school")
        .order_by("pk")
    )


@dataclass(frozen=True)
class KitRow:
    kit: Kit
    free: int | None  # units free on the day asked about (None: no day asked)


def kit_rows(school: School, day: dt.date | None) -> list[KitRow]:
    return [
        KitRow(k, resource_free_units(k.resource, day, day) if day else None)
        for k in kits_at(school).filter(resource__active=True)
    ]


def teachers_of(student: User, school: School) -> QuerySet[User]:
    """The teachers of ``student``'s groups at ``school`` (the people who may agree)."""
    groups = GroupMember.objects.filter(
        patron__user=student,
        patron__school=school,
        role=GroupMember.Role.STUDENT,
        group__active=True,
    ).values("group")
    return (
        User.objects.filter(
            is_active=True,
            patrons__school=school,
            patrons__memberships__role=GroupMember.Role.TEACHER,
            patrons__memberships__group__in=groups,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def is_teacher_of(teacher: User, student: User, school: School) -> bool:
    return teachers_of(student, school).filter(pk=teacher.pk).exists()


def _sessions() -> QuerySet[GuidanceSession]:
    return GuidanceSession.objects.select_related("teacher", "student", "group", "school")


def sessions_for_library(actor: Actor | AnonymousUser) -> QuerySet[GuidanceSession]:
    """Every session of the schools where ``actor`` runs the workshop."""
    return _sessions().filter(school__in=schools_with(actor, Perm.WORKSHOP))


def sessions_of_teacher(user: User, school: School) -> QuerySet[GuidanceSession]:
    return _sessions().filter(school=school, teacher=user)


def sessions_of_student(user: User, school: School) -> QuerySet[GuidanceSession]:
    return _sessions().filter(school=school, student=user)


def sessions_visible(actor: Actor | AnonymousUser) -> QuerySet[GuidanceSession]:
    """What the API shows: all of a workshop school's sessions, else one's own."""
    if not isinstance(actor, User):
        return sessions_for_library(actor)
    return _sessions().filter(
        Q(school__in=schools_with(actor, Perm.WORKSHOP)) | Q(teacher=actor) | Q(student=actor)
    )


# --- Guides ------------------------------------------------------------------------------------


def readable_guides(actor: Actor | AnonymousUser, school: School) -> QuerySet[Guide]:
    """The guides a person at ``school`` reads: the school's own, and those shared in its
    municipality. Nobody reads them at a school where they hold no role."""
    if not roles_at(actor, school) and not has_perm(actor, Perm.WORKSHOP, school):
        return Guide.objects.none()
    return (
        Guide.objects.filter(
            Q(school=school) | Q(shared=True, school__municipality_id=school.municipality_id)
        )
        .select_related("school", "kit__resource")
        .prefetch_related(Prefetch("texts", queryset=GuideText.objects.order_by("language")))
        .order_by("pk")
    )


def fold(text: str) -> str:
    """Case-folded, so "Kamera" finds "kamera" and "ØVELSE" finds "øvelse" on every database."""
    return " ".join(text.casefold().split())


def search_guides(guides: QuerySet[Guide], query: str) -> QuerySet[Guide]:
    """Guides with a text (in any language) holding every word of ``query``.

    A database search over the case-folded title and body, not the Tantivy index: the
    knowledge base is a few hundred guides per school, and its texts change by hand.
    """
    words = fold(query).split()
    if not words:
        return guides
    match = GuideText.objects.filter(guide=OuterRef("pk"))
    for word in words[:8]:
        match = match.filter(folded__contains=word)
    return guides.filter(Exists(match))


def text_in(guide: Guide, language: str) -> GuideText | None:
    """The guide in ``language``, else in the first of da, nb, en it has (texts prefetched)."""
    texts = {t.language: t for t in guide.texts.all()}
    for code in (language[:2], *LANGUAGE_CODES):
        if code in texts:
            return texts[code]
    return None


def rooms_at(school: School) -> QuerySet[Resource]:
    """The school's bookable rooms, for choosing the workshop's."""
    return Resource.objects.filter(school=school, kind=Resource.Kind.ROOM, active=True).order_by(
        "name", "pk"
    )
