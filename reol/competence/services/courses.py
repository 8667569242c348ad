"""Courses: sessions, registration with a waiting list, attendance, feedback, the arena.

Registration and cancellation lock the course row (``select_for_update``; SQLite's
``IMMEDIATE`` transactions serialise writers anyway) and the database keeps one seat per
person (``registration_seat_once``), so two people racing for the last place cannot both get
it: one is registered, the other waits. Cancelling a seat hands it, in the same transaction, to
the person who has waited longest.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import User
from reol.core.permissions import SYSTEM, Actor, Perm

from .. import access
from ..models import (
    ArenaTask,
    Attendance,
    CompetenceArea,
    Course,
    CourseFeed,
    Feedback,
    Material,
    Network,
    Post,
    Reflection,
    Registration,
    Session,
)


def _mail_later(user: User, subject: str, body: str) -> None:
    if user.email:
        transaction.on_commit(
            lambda: send_mail(subject, body, None, [user.email], fail_silently=True)
        )


@transaction.atomic
def create_course(
    actor: Actor,
    network: Network,
    *,
    title: str,
    description: str = "",
    area: CompetenceArea | None = None,
    capacity: int = 20,
) -> Course:
    access.require(actor, Perm.NETWORK_COORDINATE, network)
    if area is not None and area.network_id != network.pk:
        raise PermissionDenied
    if capacity < 1:
        raise ValidationError({"capacity": _("A course has at least one place.")})
    course = Course.objects.create(
        network=network, title=title, description=description, area=area, capacity=capacity
    )
    audit.record(actor, "course.create", course)
    return course


@transaction.atomic
def add_session(
    actor: Actor,
    course: Course,
    *,
    title: str,
    starts: dt.datetime,
    ends: dt.datetime,
    place: str = "",
    online_url: str = "",
) -> Session:
    access.require(actor, Perm.NETWORK_COORDINATE, course.network)
    if ends <= starts:
        raise ValidationError({"ends": _("A session ends after it starts.")})
    if not place.strip() and not online_url.strip():
        raise ValidationError(_("Give a place, an online link, or both."))
    last = course.sessions.order_by("-number").first()
    session = Session.objects.create(
        course=course,
        number=(last.number + 1) if last else 1,
        title=title,
        starts=starts,
        ends=ends,
        place=place.strip(),
        online_url=online_url.strip(),
    )
    audit.record(actor, "course.session", course, details={"session": session.number})
    return session


@transaction.atomic
def cancel_session(actor: Actor, session: Session) -> Session:
    """Call a session off: it stays in the programme and the calendars, marked cancelled, and
    the participants are told by mail."""
    locked = (
        Session.objects.select_for_update().select_related("course__network").get(pk=session.pk)
    )
    access.require(actor, Perm.NETWORK_COORDINATE, locked.course.network)
    if locked.cancelled_at is not None:
        return locked
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    audit.record(
        actor, "course.session_cancelled", locked.course, details={"session": locked.number}
    )
    for reg in locked.course.registrations.filter(status="registered").select_related("user"):
        _mail_later(
            reg.user,
            _("Cancelled: %(s)s") % {"s": locked},
            _("%(s)s on %(t)s is cancelled.")
            % {"s": locked, "t": timezone.localtime(locked.starts).strftime("%Y-%m-%d %H:%M")},
        )
    return locked


def _free_seat(course: Course) -> int | None:
    taken = set(course.registrations.filter(seat__isnull=False).values_list("seat", flat=True))
    return next((n for n in range(1, course.capacity + 1) if n not in taken), None)


@transaction.atomic
def register(actor: User, course: Course) -> Registration:
    """Register ``actor`` for a course: a seat while there is one, else the waiting list."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    access.require(actor, Perm.COMPETENCE, course.network)
    if course.status != Course.Status.OPEN:
        raise ValidationError(_("This course is not open for registration."))
    if course.registrations.exclude(status="cancelled").filter(user=actor).exists():
        raise ValidationError(_("You are registered already."))
    seat = _free_seat(course)
    now = timezone.now()
    registration = Registration.objects.create(
        course=course,
        user=actor,
        status="registered" if seat else "waiting",
        seat=seat,
        waiting_since=None if seat else now,
    )
    audit.record(actor, f"course.{registration.status}", course)
    if seat:
        _mail_later(
            actor,
            _("You are registered: %(c)s") % {"c": course.title},
            _("You have a place on %(c)s.") % {"c": course.title},
        )
    return registration


@transaction.atomic
def cancel(actor: Actor, registration: Registration) -> Registration | None:
    """Cancel a registration; a freed seat goes to the first on the waiting list, who is
    returned (and mailed)."""
    course = Course.objects.select_for_update().get(pk=registration.course_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    own = isinstance(actor, User) and actor.pk == registration.user_id
    if not own:
        access.require(actor, Perm.NETWORK_COORDINATE, course.network)
    if registration.status == Registration.Status.CANCELLED:
        return None
    seat = registration.seat
    registration.status, registration.seat = Registration.Status.CANCELLED, None
    registration.save(update_fields=["status", "seat"])
    audit.record(actor, "course.cancel", course, details={"user": registration.user.username})
    if seat is None:
        return None
    first = (
        course.registrations.select_for_update()
        .filter(status="waiting")
        .order_by("waiting_since", "id")
        .first()
    )
    if first is None:
        return None
    first.status, first.seat = Registration.Status.REGISTERED, seat
    first.save(update_fields=["status", "seat"])
    audit.record(actor, "course.moved_up", course, details={"user": first.user.username})
    _mail_later(
        first.user,
        _("A place for you: %(c)s") % {"c": course.title},
        _("Someone cancelled: you now have a place on %(c)s.") % {"c": course.title},
    )
    return first


@transaction.atomic
def record_attendance(actor: Actor, session: Session, present: set[int]) -> int:
    """Mark the registered participants in ``present`` as present, the others as absent."""
    access.require(actor, Perm.NETWORK_COORDINATE, session.course.network)
    # Read under the row's lock: a session cancelled meanwhile takes no attendance.
    if Session.objects.select_for_update().get(pk=session.pk).cancelled_at is not None:
        raise ValidationError(_("The session is cancelled: nobody attends it."))
    registered = set(
        session.course.registrations.filter(status="registered").values_list("user_id", flat=True)
    )
    for uid in registered:
        Attendance.objects.update_or_create(
            session=session, user_id=uid, defaults={"present": uid in present}
        )
    audit.record(
        actor,
        "course.attendance",
        session.course,
        details={"session": session.number, "present": len(present & registered)},
    )
    return len(present & registered)


def _participant(actor: User, course: Course) -> None:
    if not course.registrations.filter(user=actor, status="registered").exists():
        raise PermissionDenied(_("Only the course's participants can do this."))


@transaction.atomic
def give_feedback(actor: User, session: Session, *, rating: int, comment: str = "") -> Feedback:
    _participant(actor, session.course)
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose 1 to 5.")})
    if session.starts > timezone.now():
        raise ValidationError(_("Feedback opens when the session has started."))
    feedback, _c = Feedback.objects.update_or_create(
        session=session, user=actor, defaults={"rating": rating, "comment": comment}
    )
    audit.record(actor, "course.feedback", session.course, details={"session": session.number})
    return feedback


@transaction.atomic
def add_material(
    actor: Actor,
    course: Course,
    *,
    title: str,
    url: str = "",
    text: str = "",
    session: Session | None = None,
) -> Material:
    access.require(actor, Perm.NETWORK_COORDINATE, course.network)
    material = Material.objects.create(
        course=course, session=session, title=title, url=url, text=text
    )
    audit.record(actor, "course.material", course)
    return material


@transaction.atomic
def add_task(
    actor: Actor,
    course: Course,
    *,
    title: str,
    instructions: str = "",
    session: Session | None = None,
) -> ArenaTask:
    access.require(actor, Perm.NETWORK_COORDINATE, course.network)
    task = ArenaTask.objects.create(
        course=course, session=session, title=title, instructions=instructions
    )
    audit.record(actor, "course.task", course)
    return task


@transaction.atomic
def submit_reflection(actor: User, task: ArenaTask, text: str) -> Reflection:
    _participant(actor, task.course)
    if not text.strip():
        raise ValidationError({"text": _("Write your reflection.")})
    reflection, _c = Reflection.objects.update_or_create(
        task=task, user=actor, defaults={"text": text.strip()}
    )
    audit.record(actor, "course.reflection", task.course)
    return reflection


@transaction.atomic
def post(actor: User, session: Session, text: str) -> Post:
    if not access.may(actor, Perm.NETWORK_COORDINATE, session.course.network):
        _participant(actor, session.course)
    if not text.strip():
        raise ValidationError({"text": _("Write a message.")})
    message = Post.objects.create(session=session, author=actor, text=text.strip())
    audit.record(actor, "course.post", session.course, details={"session": session.number})
    return message


def send_reminders(
    now: dt.datetime | None = None, ahead: dt.timedelta = dt.timedelta(days=2)
) -> int:
    """Mail each participant of a session starting within ``ahead``, once per session."""
    now = now or timezone.now()
    sent = 0
    due = Session.objects.held().filter(
        reminded_at__isnull=True, starts__gt=now, starts__lte=now + ahead
    )
    for session in due.select_related("course"):
        with transaction.atomic():
            claimed = Session.objects.filter(pk=session.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            audit.record(
                SYSTEM, "course.reminders", session.course, details={"session": session.number}
            )
            where = session.place or session.online_url
            for reg in session.course.registrations.filter(status="registered").select_related(
                "user"
            ):
                _mail_later(
                    reg.user,
                    _("Reminder: %(s)s") % {"s": session},
                    _("%(s)s starts %(t)s, %(w)s.")
                    % {
                        "s": session,
                        "t": timezone.localtime(session.starts).strftime("%Y-%m-%d %H:%M"),
                        "w": where,
                    },
                )
                sent += 1
    return sent


@transaction.atomic
def create_feed(actor: User) -> CourseFeed:
    feed = CourseFeed.objects.create(user=actor, token=secrets.token_urlsafe(32))
    audit.record(actor, "course.feed", feed)
    return feed


@transaction.atomic
def revoke_feed(actor: User, feed: CourseFeed) -> None:
    """Turn a course calendar address off for good: it answers 404 from now on."""
    if feed.user_id != actor.pk:
        raise PermissionDenied
    updated = CourseFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit.record(actor, "course.feed_revoked", feed)
