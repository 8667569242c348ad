"""What external hands to the lower apps' registries once Django is ready (menu entries, audit
labels, figures, demo data, hooks). Imported only by ``ExternalConfig.ready()``, so the models it
reaches are loaded by then."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.circulation.limits import register_due_date_cap, register_loan_listener
from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import Figure, NavEntry, register, register_figures
from reol.core.panels import register_panel
from reol.core.permissions import Perm

from .demo import load_demo_external
from .ill import lender_due_cap, on_loan_event
from .licences import count_expiring
from .views import records_panel

MENU = (
    NavEntry(
        _("Interlibrary loans"),
        "external-ill",
        Perm.EXTERNAL_MANAGE,
        order=40,
        description=_("Borrow from other libraries: requests, receipts, returns."),
    ),
    NavEntry(
        _("Lending to other libraries"),
        "external-lending",
        Perm.EXTERNAL_MANAGE,
        order=40,
        description=_("What partner libraries and our other schools ask of us."),
    ),
    NavEntry(
        _("External catalogues"),
        "external-targets",
        Perm.EXTERNAL_MANAGE,
        order=41,
        description=_("Libraries searched beside ours, and how to borrow from them."),
    ),
    NavEntry(
        _("Films and e-resources"),
        "external-licences",
        Perm.EXTERNAL_MANAGE,
        order=42,
        description=_("Licences: who may use them, and until when."),
    ),
    NavEntry(
        _("Information databases"),
        "external-databases",
        Perm.EXTERNAL_MANAGE,
        order=43,
        description=_("Encyclopaedias and news archives the school subscribes to."),
    ),
    NavEntry(
        _("Databases and news"),
        "external-reader-databases",
        Perm.STAFF_SHELL,
        order=194,  # in a student's short menu, after the catalogue, loans, suggestions
        everyone=True,
        description=_("Encyclopaedias and news archives for your grade and subject."),
    ),
    NavEntry(
        _("Search beyond the school"),
        "external-search",
        Perm.STAFF_SHELL,
        order=192,
        description=_("Find titles at the public library and other catalogues."),
    ),
)

FIGURES = (
    Figure(
        "external.licences_ending",
        _("Licences ending within a month"),
        Perm.EXTERNAL_MANAGE,
        count_expiring,
        url_name="external-licences",
        order=60,
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "external.target_save": _("External catalogue saved"),
    "external.target_remove": _("External catalogue switched off"),
    "ill.request": _("Interlibrary loan requested"),
    "ill.approved": _("Interlibrary loan approved"),
    "ill.sent": _("Interlibrary loan sent to the lender"),
    "ill.accepted": _("Interlibrary loan accepted by the lender"),
    "ill.refused": _("Interlibrary loan refused by the lender"),
    "ill.shipped": _("Interlibrary loan shipped"),
    "ill.received": _("Interlibrary loan received"),
    "ill.lent": _("Interlibrary loan lent"),
    "ill.returned": _("Interlibrary loan returned"),
    "ill.sent_back": _("Interlibrary loan sent back"),
    "ill.cancelled": _("Interlibrary loan cancelled"),
    "external.partner_token": _("Partner's ISO 18626 token made"),
    "ill.partner_request": _("Partner library asked to borrow"),
    "ill.partner_will_supply": _("Partner told: we will lend it"),
    "ill.partner_loaned": _("Lent to a partner library"),
    "ill.partner_unfilled": _("Partner told: we cannot lend it"),
    "ill.partner_returned": _("Partner sent our copy back"),
    "ill.partner_completed": _("Partner's loan completed"),
    "ill.partner_cancelled": _("Partner cancelled its request"),
    "external.database_save": _("Information database saved"),
    "external.database_remove": _("Information database removed"),
    "licence.save": _("Licence saved"),
    "licence.expiry_warned": _("Licence ending: librarian warned"),
}


def register_all() -> None:
    register(*MENU)
    register_figures(*FIGURES)
    register_actions(AUDIT_ACTIONS)
    # A borrowed copy is never lent past the lender's date; its loans move the request.
    register_due_date_cap(lender_due_cap)
    register_loan_listener(on_loan_event)
    extend_demo(load_demo_external)
    # The staff catalogue's search shows other libraries' answers beside its results.
    register_panel("catalog.records", records_panel)
