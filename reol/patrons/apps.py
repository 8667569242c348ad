from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatronsConfig(AppConfig):
    name = "reol.patrons"
    label = "patrons"
    verbose_name = _("Patrons")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
