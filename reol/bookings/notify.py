"""The e-mails of bookings: a confirmation when made, a reminder the day before.

Sent after the transaction that recorded them commits (``services._notify``), in the
teacher's own language. A failed send is logged, not raised: the booking stands.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from reol.core.models import User
from reol.core.text import one_line

from .models import Booking, BookingNotice

log = logging.getLogger(__name__)


def recipient(booking: Booking) -> User | None:
    """The teacher (else whoever booked), if they have an e-mail address."""
    person = booking.teacher or booking.booked_by
    if person is None or not person.email:
        return None
    return person


def send(booking_id: int, kind: str) -> None:
    from . import selectors

    booking = selectors.booking_with_lines(booking_id)
    if booking is None:
        return
    person = recipient(booking)
    if person is None:
        return
    language = person.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "booking": booking,
            "person": person,
            "things": selectors.booked_things(booking),
            "reminder": kind == BookingNotice.Kind.REMINDER,
        }
        if kind == BookingNotice.Kind.REMINDER:
            subject = _("Reminder: your booking starts tomorrow")
        else:
            subject = _("Booking confirmed")
        subject = one_line(f"{subject}: {booking}")  # a header is one line, whatever the title
        body = render_to_string("bookings/email.txt", context)
    try:
        send_mail(subject, body, None, [person.email])
    except Exception:  # the booking stands; the operator sees the log
        log.exception("could not send the %s of booking %s", kind, booking_id)
