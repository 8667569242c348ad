from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "reol.rosters"
    label = "rosters"
    verbose_name = _("Roster imports")

    def ready(self) -> None:
        from reol.core.audit import register_actions
        from reol.core.navigation import NavEntry, register
        from reol.core.permissions import Perm
        from reol.core.tasks import register_interrupted

        register(
            NavEntry(
                _("Import students"),
                "rosters-upload",
                Perm.PEOPLE_MANAGE,
                order=61,
                description=_("Bring in students and classes from a file or OneRoster."),
            )
        )
        register_actions(
            {
                "roster.import": _("Students and classes imported"),
                "roster.preset.save": _("Column mapping saved"),
                "roster.preset.delete": _("Column mapping deleted"),
            }
        )
        from . import jobs

        register_interrupted(jobs.import_task.module_path, jobs.mark_interrupted)
