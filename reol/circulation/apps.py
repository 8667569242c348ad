from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "reol.circulation"
    label = "circulation"
    verbose_name = _("Circulation")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
