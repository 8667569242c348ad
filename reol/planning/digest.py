"""The weekly digest: each school's learning-centre staff get the coming week's heavy-use
classes and bookings by e-mail, each in their own language.

Sent once per school and week: a ``DigestSent`` row (unique on school and week) is written in
the same transaction as the sending, so running the command again — or twice at once — sends
nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.core import audit, calendar
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm
from reol.core.text import one_line

from . import access, selectors
from .models import DigestSent


def coming_monday(today: dt.date | None = None) -> dt.date:
    """The Monday of next week (from a Monday too: the digest goes out the week before)."""
    today = today or timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def recipients(school: School) -> list[User]:
    """The school's learning-centre staff with an e-mail address."""
    return list(
        access.people_with(school, Perm.PLANNING, access.CENTRE_STAFF_PERM).exclude(email="")
    )


@dataclass
class Result:
    school: School
    week: dt.date
    sent: int
    skipped: bool  # sent already for this week


def send_digest(school: School, monday: dt.date, actor: Actor = SYSTEM) -> Result:
    """Send ``school``'s digest for the week starting ``monday`` unless it went already."""
    from reol.bookings.selectors import bookings_between

    monday = monday - dt.timedelta(days=monday.weekday())
    friday = monday + dt.timedelta(days=4)
    if DigestSent.objects.filter(school=school, week=monday).exists():
        return Result(school, monday, 0, True)
    heavy = selectors.heavy_use_between(school, monday, friday)
    bookings = list(bookings_between(school, monday, monday + dt.timedelta(days=6)))
    people = recipients(school)
    year, number = calendar.week_of(monday)
    try:
        with transaction.atomic():
            row = DigestSent.objects.create(school=school, week=monday, recipients=len(people))
            messages = []
            for person in people:
                language = person.preferred_language or school.default_language
                with translation.override(language):
                    context = {
                        "school": school,
                        "person": person,
                        "week": number,
                        "year": year,
                        "monday": monday,
                        "friday": friday,
                        "heavy": heavy,
                        "bookings": bookings,
                        "capacity": selectors.capacity(school),
                    }
                    subject = _("Week %(week)s at %(school)s: heavy-use classes and bookings") % {
                        "week": number,
                        "school": school.name,
                    }
                    body = render_to_string("planning/digest.txt", context)
                messages.append(
                    EmailMessage(
                        one_line(subject), body, None, [person.email], reply_to=_reply_to(school)
                    )
                )
            audit.record(
                actor,
                "planning.digest",
                row,
                school=school,
                details={"week": f"{year}-W{number:02d}", "recipients": len(people)},
            )
            if messages:
                get_connection().send_messages(messages)
    except IntegrityError:  # another run sent it at the same moment
        return Result(school, monday, 0, True)
    return Result(school, monday, len(people), False)


def _reply_to(school: School) -> list[str]:
    return [school.email] if school.email else []
