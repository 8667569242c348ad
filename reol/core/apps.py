from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "reol.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # ``username__lower=Lower(Value(code))``: the LOWER() the unique indexes are built on.
        CharField.register_lookup(Lower)

        from . import sessions  # noqa: F401  (its signal receivers: sign-in and sign-out)
        from .navigation import NavEntry, register
        from .permissions import Perm

        register(
            NavEntry(
                _("Overview"),
                "staff-dashboard",
                Perm.STAFF_SHELL,
                order=0,
                description=_("The library's figures and everything you can do here."),
            ),
            NavEntry(
                _("People"),
                "people",
                Perm.PEOPLE_VIEW,
                order=60,
                description=_("Staff and students with access to Reol, and their roles."),
            ),
            NavEntry(
                _("Locations"),
                "locations",
                Perm.SCHOOL_VIEW,
                order=70,
                description=_("The school's shelves, rooms and other places for copies."),
            ),
            NavEntry(
                _("Opening calendar"),
                "opening-calendar",
                Perm.SCHOOL_MANAGE,
                order=80,
                description=_("Opening hours, holidays and school years."),
            ),
            NavEntry(
                _("School settings"),
                "school-settings",
                Perm.SCHOOL_MANAGE,
                order=90,
                description=_("The school's name, languages and defaults."),
            ),
            NavEntry(
                _("Audit log"),
                "audit-log",
                Perm.AUDIT_VIEW,
                order=95,
                description=_("Who changed what, and when."),
            ),
        )
