from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpacConfig(AppConfig):
    """The public catalogue: a front door that nothing else imports."""

    name = "reol.opac"
    label = "opac"
    verbose_name = _("Public catalogue")

    def ready(self) -> None:
        from reol.accounts import embed

        embed.allow("/opac/")  # the catalogue, a reading list, holds: also inside a course
        from reol.core.audit import register_actions
        from reol.core.demo import extend_demo
        from reol.core.navigation import NavEntry, register, register_figures
        from reol.core.permissions import Perm

        from .dashboard import FIGURES
        from .demo import load_demo_reading_lists

        register(
            NavEntry(
                _("Reading lists"),
                "opac-staff-lists",
                Perm.CATALOG_EDIT,
                order=14,
                description=_("Lists of titles for a grade or a topic, shown in the catalogue."),
            ),
            # Everyone with a school borrows: teachers and students reach the public catalogue
            # and their own loans from the menu too (the permission is not asked for these).
            NavEntry(
                _("Find books"),
                "opac-home",
                Perm.STAFF_SHELL,
                order=190,
                everyone=True,
                description=_("The library catalogue, as students see it."),
            ),
            NavEntry(
                _("My loans"),
                "opac-me",
                Perm.STAFF_SHELL,
                order=191,
                everyone=True,
                description=_("What you have borrowed and what you are waiting for."),
            ),
        )
        register_figures(*FIGURES)
        extend_demo(load_demo_reading_lists)
        register_actions(
            {
                "reading_list.create": _("Reading list created"),
                "reading_list.update": _("Reading list changed"),
                "reading_list.delete": _("Reading list deleted"),
                "reading_list.entry_add": _("Title added to a reading list"),
                "reading_list.entry_update": _("Reading list note changed"),
                "reading_list.entry_remove": _("Title removed from a reading list"),
                "reading_list.entry_move": _("Reading list reordered"),
            }
        )
