from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "reol.competence"
    label = "competence"
    verbose_name = _("Competence")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
