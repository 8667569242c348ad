from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "reol.bookings"
    label = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from reol.circulation.limits import register_due_date_cap
        from reol.core.audit import register_actions
        from reol.core.demo import extend_demo
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        from .demo import load_demo_bookings
        from .lending import latest_due_date

        register(
            NavEntry(
                _("Bookings"),
                "bookings-home",
                Perm.BOOKING,
                order=30,
                description=_("Book rooms, equipment and class sets ahead."),
            ),
            NavEntry(
                _("Pick list"),
                "bookings-pick-list",
                Perm.CIRCULATION_DESK,
                order=31,
                description=_("What to take from the shelves for the day's bookings."),
            ),
            NavEntry(
                _("Rooms and equipment"),
                "bookings-resources",
                Perm.SCHOOL_MANAGE,
                order=32,
                description=_("What can be booked, and its rules."),
            ),
        )
        register_actions(
            {
                "booking.create": _("Booking made"),
                "booking.cancel": _("Booking cancelled"),
                "booking.check_out": _("Booking checked out"),
                "booking.return": _("Booking returned"),
                "booking.remind": _("Booking reminder sent"),
                "resource.create": _("Room or equipment added"),
                "resource.change": _("Room or equipment changed"),
            }
        )
        extend_demo(load_demo_bookings)
        # A booked copy is never lent (or renewed) past the booking's start.
        register_due_date_cap(latest_due_date)
