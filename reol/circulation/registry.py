"""What circulation hands to the lower apps' registries once Django is ready (menu entries, audit
labels, figures, demo data, hooks). Imported only by ``CirculationConfig.ready()``, so the models it
reaches are loaded by then."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.panels import register_panel
from reol.core.permissions import Perm
from reol.patrons.borrowing import register_borrowing

from .actions.privacy import CirculationBorrowing
from .demo import load_demo_loans
from .views_holds import record_panel

MENU = (
    NavEntry(
        _("Desk"),
        "circulation-desk",
        Perm.CIRCULATION_DESK,
        order=5,
        description=_("Check copies out and in with the scanner."),
    ),
    NavEntry(
        _("Hold shelf"),
        "circulation-hold-shelf",
        Perm.CIRCULATION_DESK,
        order=6,
        description=_("Copies waiting for the students who asked for them."),
    ),
    NavEntry(
        _("Class sets"),
        "circulation-class-sets",
        Perm.CIRCULATION_DESK,
        order=7,
        description=_("Lend a set of copies to a whole class at once."),
    ),
    NavEntry(
        _("Stocktaking"),
        "circulation-stocktakes",
        Perm.CIRCULATION_DESK,
        order=8,
        description=_("Scan the shelves and see which copies are missing."),
    ),
    NavEntry(
        _("Notices"),
        "circulation-notices",
        Perm.CIRCULATION_DESK,
        order=9,
        description=_("Overdue letters and mails to students and guardians."),
    ),
    NavEntry(
        _("Loan rules"),
        "circulation-rules",
        Perm.SCHOOL_MANAGE,
        order=85,
        description=_("How long each kind of copy may be borrowed."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "loan.checkout": _("Copy lent"),
    "loan.checkin": _("Copy returned"),
    "item.retire": _("Copy left the collection"),
    "item.send_to_school": _("Copy sent to another school"),
    "loan.renew": _("Loan renewed"),
    "loan.override_hold": _("Copy lent past someone's hold"),
    "loan.override_title": _("Second copy of a title lent to a student"),
    "hold.place": _("Hold placed"),
    "hold.cancel": _("Hold cancelled"),
    "hold.expire": _("Hold expired, not collected"),
    "loan.receipt": _("Loan receipt e-mailed"),
    "loan.class_set": _("Class set lent"),
    "loan.device_swap": _("Device swapped for a loaner"),
    "item.out_of_service": _("Device taken out of service"),
    "item.back_in_service": _("Device back in service"),
    "item.retired": _("Device retired"),
    "item.lost": _("Device flagged as lost"),
    "loan.class_set_return": _("Class set returned"),
    "notice.overdue": _("Overdue reminder sent"),
    "notice.hold_ready": _("Hold-ready e-mail sent"),
    "notice.letters": _("Overdue letters printed"),
    "notice.settings": _("Notice settings changed"),
    "loan_rule.add": _("Loan rule added"),
    "loan_rule.change": _("Loan rule changed"),
    "loan_rule.remove": _("Loan rule removed"),
    "loan_rule.adopt": _("Built-in loan rules adopted"),
    "stocktake.open": _("Stocktaking started"),
    "stocktake.scan": _("Copy counted in stocktaking"),
    "stocktake.close": _("Stocktaking closed"),
    "stocktake.missing": _("Copy marked missing by stocktaking"),
    "loans.anonymise": _("Returned loans anonymised"),
    "loan.written_off": _("Loan written off as lost"),
}


def register_all() -> None:
    register_borrowing(CirculationBorrowing())
    register_panel("catalog.record", record_panel)
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
    # After the patrons' demo (patrons comes first in INSTALLED_APPS): loans need people.
    extend_demo(load_demo_loans)
