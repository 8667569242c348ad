import logging

from django.apps import AppConfig
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "reol.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.demo import extend_demo
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm
        from reol.core.tasks import register_interrupted

        from .demo import load_demo_catalogue

        # pymarc logs every oddity of real-world records; the importer reports them instead.
        logging.getLogger("pymarc").setLevel(logging.ERROR)
        register(
            NavEntry(
                _("Catalogue"),
                "catalog-records",
                Perm.SCHOOL_VIEW,
                order=10,
                description=_("Find titles and copies, and edit what the school owns."),
            ),
            NavEntry(
                _("Add by ISBN"),
                "catalog-add-isbn",
                Perm.CATALOG_EDIT,
                order=11,
                description=_("Scan an ISBN and take the record from a national catalogue."),
            ),
            NavEntry(
                _("Import MARC"),
                "catalog-import",
                Perm.CATALOG_EDIT,
                order=12,
                description=_("Load a file of records from another library system."),
            ),
            NavEntry(
                _("Labels"),
                "catalog-labels",
                Perm.CATALOG_EDIT,
                order=13,
                description=_("Print spine and barcode labels on a label sheet."),
            ),
            NavEntry(
                _("Search index"),
                "catalog-search-index",
                Perm.STAFF_MANAGE,
                order=14,
                description=_("See whether search is up to date, and rebuild its index."),
            ),
        )
        extend_demo(load_demo_catalogue)
        register_actions(_audit_actions())
        from . import jobs, runs

        register_interrupted(jobs.import_task.module_path, jobs.mark_interrupted)
        register_interrupted(runs.label_task.module_path, runs.mark_labels_interrupted)
        register_interrupted(runs.reindex_task.module_path, runs.mark_reindex_interrupted)


def _audit_actions() -> dict[str, str | Promise]:
    """What the audit log calls the catalogue's events."""
    return {
        "record.create": _("Record added"),
        "record.update": _("Record changed"),
        "record.merge": _("Records merged"),
        "item.add": _("Copies added"),
        "item.status": _("Copy status changed"),
        "item.update": _("Copy changed"),
        "catalog.import": _("MARC file imported"),
        "sru_target.save": _("Copy-cataloguing source saved"),
        "sru_target.remove": _("Copy-cataloguing source removed"),
        "barcode_format.save": _("Barcode format changed"),
        "labels.run": _("Labels queued"),
        "search.reindex": _("Search index rebuild queued"),
    }
