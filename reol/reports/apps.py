from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reol.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm

        from . import circulation, collection, dashboards, pd
        from . import technology as technology_reports

        circulation.register_all()
        collection.register_all()
        dashboards.register_all()
        technology_reports.register_all()
        pd.register_all()
        register(
            NavEntry(
                _("Reports"),
                "reports-index",
                Perm.REPORTS_VIEW,
                order=60,
                description=_("Loans, collection and the schools side by side, as charts."),
            ),
        )
        register_actions(
            {
                "reports.weeding": _("Copies withdrawn from the weeding list"),
                "reports.weeding_rule": _("Weeding guidance changed"),
                "evaluation.start": _("Self-evaluation started"),
                "evaluation.criterion": _("Self-evaluation criterion filled in"),
                "evaluation.criterion_add": _("Self-evaluation criterion added"),
            }
        )
