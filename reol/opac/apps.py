from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpacConfig(AppConfig):
    """The public catalogue: a front door that nothing else imports."""

    name = "reol.opac"
    label = "opac"
    verbose_name = _("Public catalogue")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        register(NavEntry(_("Reading lists"), "opac-staff-lists", Perm.CATALOG_EDIT, order=14))
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
