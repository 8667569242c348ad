from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcquisitionsConfig(AppConfig):
    name = "reol.acquisitions"
    label = "acquisitions"
    verbose_name = _("Acquisitions")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
