from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    name = "reol.workshop"
    label = "workshop"
    verbose_name = _("Media workshop")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.demo import extend_demo
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        from .demo import load_demo_workshop

        register(
            NavEntry(
                _("Media workshop"),
                "workshop-library",
                Perm.WORKSHOP,
                order=44,
                description=_("Guidance to confirm, equipment kits and how-to guides."),
            ),
            NavEntry(
                _("Kits and guidance"),
                "workshop-teacher",
                Perm.BOOKING,
                order=45,
                description=_("Book an equipment kit or guidance in the media workshop."),
            ),
            NavEntry(
                _("Workshop guidance"),
                "workshop-student",
                Perm.STAFF_SHELL,
                order=193,
                everyone=True,
                description=_("Ask for guidance in the media workshop; how-to guides."),
            ),
        )
        register_actions(
            {
                "kit.create": _("Equipment kit added"),
                "guidance.book": _("Guidance booked"),
                "guidance.request": _("Guidance requested"),
                "guidance.change": _("Guidance session changed"),
                "guide.save": _("Guide saved"),
                "workshop.room": _("Workshop room chosen"),
            }
        )
        extend_demo(load_demo_workshop)
