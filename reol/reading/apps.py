from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadingConfig(AppConfig):
    name = "reol.reading"
    label = "reading"
    verbose_name = _("Reading promotion")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
