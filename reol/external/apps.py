from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExternalConfig(AppConfig):
    """External collections: catalogues beyond the school, interlibrary loans, licences."""

    name = "reol.external"
    label = "external"
    verbose_name = _("External collections")

    def ready(self) -> None:
        from .registry import register_all

        register_all()
