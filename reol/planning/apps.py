from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "reol.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
