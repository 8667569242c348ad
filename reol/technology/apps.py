from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TechnologyConfig(AppConfig):
    name = "reol.technology"
    label = "technology"
    verbose_name = _("Technology")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
