from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    """The library world's protocols (SRU server, OAI-PMH provider): a front door.

    Nothing imports this app; it reads the catalogue through the catalogue's search interface
    and models, and writes only its own settings (which schools publish)."""

    name = "reol.protocols"
    label = "protocols"
    verbose_name = _("Protocols")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        register(
            NavEntry(
                _("Catalogue sharing"),
                "protocols-settings",
                Perm.SCHOOL_MANAGE,
                order=90,
                description=_(
                    "What other library systems may search and harvest, and the self-service "
                    "kiosks (SIP2)."
                ),
            )
        )
        register_actions(
            {
                "publication.save": _("Catalogue sharing changed"),
                "sip2_terminal.add": _("Self-service terminal added"),
                "sip2_terminal.disable": _("Self-service terminal switched off"),
            }
        )
