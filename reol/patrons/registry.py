"""What patrons hands to the lower apps' registries once Django is ready: its menu entries, audit
actions, demo patrons and sign-in matching by roster id. Imported only by
``PatronsConfig.ready()``, so the models it reaches are loaded by then.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.accounts import matching
from reol.accounts.models import MatchField
from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.permissions import Perm

from .demo import load_demo_patrons
from .selectors import people_by_roster_id

MENU = (
    NavEntry(
        _("Patrons"),
        "patrons-list",
        Perm.PEOPLE_VIEW,
        order=22,
        description=_("Students and staff who borrow: loans, blocks and cards."),
    ),
    NavEntry(
        _("Groups"),
        "patrons-groups",
        Perm.PEOPLE_VIEW,
        order=23,
        description=_("Classes and other groups of patrons."),
    ),
    NavEntry(
        _("My classes"),
        "patrons-my-classes",
        Perm.PLANNING,
        order=24,
        description=_("Your own classes: their loans and plans."),
    ),
    NavEntry(
        _("Year-end rollover"),
        "patrons-rollover",
        Perm.PEOPLE_MANAGE,
        order=86,
        description=_("Move students up a grade and let the leavers go."),
    ),
    NavEntry(
        _("Privacy"),
        "patrons-privacy",
        Perm.SCHOOL_MANAGE,
        order=87,
        description=_("What is kept about borrowers, and for how long."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "patron.create": _("Patron added"),
    "patron.update": _("Patron changed"),
    "patron.consent": _("Loan history consent changed"),
    "patron.block": _("Patron blocked"),
    "patron.unblock": _("Block lifted"),
    "patron.export": _("Patron's data exported"),
    "patron.erase": _("Patron erased"),
    "group.create": _("Group added"),
    "group.update": _("Group changed"),
    "group.member_add": _("Added to a group"),
    "group.member_remove": _("Removed from a group"),
    "group.view_loans": _("Class loans viewed"),
    "group.cards_assign": _("Card numbers given to a class"),
    "privacy.settings": _("Privacy settings changed"),
    "rollover.promote": _("Groups moved up a year"),
    "rollover.deactivate": _("Leavers deactivated"),
    "rollover.erase": _("Leavers erased"),
}


def register_all() -> None:
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
    extend_demo(load_demo_patrons)
    matching.register(MatchField.SOURCE_ID, people_by_roster_id)  # sign-in by roster id
