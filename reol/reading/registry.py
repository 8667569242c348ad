"""What reading promotion hands to the lower apps' registries once Django is ready: its menu
entries, audit actions, demo picture doors, the record page's panel and the cover fetch for new
records. Imported only by ``ReadingConfig.ready()``, so the models it reaches are loaded by then.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.catalog.signals import records_added
from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.panels import register_panel
from reol.core.permissions import Perm

from .cover_service import on_records_added
from .demo import load_demo_doors
from .views import record_panel

MENU = (
    NavEntry(
        _("Reviews"),
        "reading-reviews",
        Perm.CATALOG_EDIT,
        order=45,
        description=_("Students' reviews waiting to be read before they are shown."),
    ),
    NavEntry(
        _("Picture doors"),
        "reading-doors",
        Perm.CATALOG_EDIT,
        order=46,
        description=_("Big picture tiles on the catalogue's front page."),
    ),
    NavEntry(
        _("Reading campaigns"),
        "reading-staff-campaigns",
        Perm.CATALOG_EDIT,
        order=47,
        description=_("Reading challenges with goals, progress bars and class results."),
    ),
    NavEntry(
        _("Displays"),
        "reading-displays",
        Perm.PLANNING,
        order=48,
        description=_("Recommendations on the catalogue's front page and as a poster."),
    ),
    NavEntry(
        _("Reading promotion"),
        "reading-settings",
        Perm.SCHOOL_MANAGE,
        order=86,
        description=_("Reviews in the catalogue and the cover service."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "cover.upload": _("Cover uploaded"),
    "cover.remove": _("Cover removed"),
    "cover.provider": _("Cover service set"),
    "reading.settings": _("Reading settings changed"),
    "review.submit": _("Review written"),
    "review.approve": _("Review approved"),
    "review.reject": _("Review not approved"),
    "review.report": _("Review reported"),
    "door.create": _("Picture door added"),
    "campaign.create": _("Reading campaign created"),
    "display.create": _("Display made"),
    "display.add": _("Title added to a display"),
    "display.remove": _("Title removed from a display"),
    "campaign.join": _("Joined a reading campaign"),
    "campaign.leave": _("Left a reading campaign"),
    "door.delete": _("Picture door removed"),
    "door.move": _("Picture door moved"),
}


def register_all() -> None:
    extend_demo(load_demo_doors)
    # new records' covers from the municipality's cover service, by the worker
    records_added.connect(on_records_added, dispatch_uid="reading.covers")
    register_panel("catalog.record", record_panel)
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
