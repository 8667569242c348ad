import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "reol.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        # pymarc logs every oddity of real-world records; the importer reports them instead.
        logging.getLogger("pymarc").setLevel(logging.ERROR)
        register(
            NavEntry(_("Catalogue"), "catalog-records", Perm.SCHOOL_VIEW, order=10),
            NavEntry(_("Add by ISBN"), "catalog-add-isbn", Perm.CATALOG_EDIT, order=11),
            NavEntry(_("Import MARC"), "catalog-import", Perm.CATALOG_EDIT, order=12),
            NavEntry(_("Labels"), "catalog-labels", Perm.CATALOG_EDIT, order=13),
        )
