"""What acquisitions hands to the lower apps' registries once Django is ready: its menu entries,
its audit actions, its demo data and the due-date cap of copies under reconsideration. Imported
only by ``AcquisitionsConfig.ready()``, so the models it reaches are loaded by then.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.circulation.limits import register_due_date_cap
from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.permissions import Perm

from .availability import review_cap
from .demo import load_demo_acquisitions

MENU = (
    NavEntry(
        _("Acquisitions"),
        "acquisitions-home",
        Perm.ACQUISITIONS,
        order=40,
        description=_("Funds, orders, receiving and invoices."),
    ),
    NavEntry(
        _("Suggest a book"),
        "acquisitions-suggest",
        Perm.SCHOOL_VIEW,
        order=193,  # in a student's short menu, after the catalogue and loans
        everyone=True,
        description=_("Ask the library to buy a title, and follow what happens to it."),
    ),
    NavEntry(
        _("Selection lists"),
        "acquisitions-selections",
        Perm.PLANNING,
        order=41,
        description=_("Vote on titles the library may buy."),
    ),
    NavEntry(
        _("Reconsiderations"),
        "acquisitions-reconsiderations",
        Perm.ACQUISITIONS,
        order=42,
        description=_("Requests to reconsider a title, the review and the decision."),
    ),
    NavEntry(
        _("New in the library"),
        "acquisitions-new",
        Perm.SCHOOL_VIEW,
        order=46,
        description=_("Titles that arrived this week or month, by subject and grade."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "fund.create": _("Fund added"),
    "fund.allocate": _("Money allocated to a fund"),
    "fund.transfer": _("Money moved between funds"),
    "fund.rollover": _("Fund rolled over to the next year"),
    "fund.override": _("Fund spent past its balance (override)"),
    "vendor.save": _("Vendor saved"),
    "order.create": _("Order started"),
    "order.line": _("Order line added"),
    "order.send": _("Order sent"),
    "order.cancel_line": _("Order line cancelled"),
    "order.claim": _("Late order line claimed"),
    "order.receive": _("Copies received"),
    "invoice.create": _("Invoice entered"),
    "suggestion.create": _("Title suggested"),
    "suggestion.decide": _("Suggestion decided"),
    "selection.policy": _("Selection policy saved"),
    "selection.create": _("Selection list made"),
    "selection.add": _("Title put on a selection list"),
    "selection.vote": _("Vote on a selection list"),
    "selection.decide": _("Selection decided for a title"),
    "selection.close": _("Selection list closed"),
    "digest.subscribe": _("New-materials digest subscribed to"),
    "digest.unsubscribe": _("New-materials digest unsubscribed from"),
    "digest.send": _("New-materials digest sent"),
    "reconsideration.request": _("Reconsideration of a title asked for"),
    "reconsideration.review": _("Reconsideration under review"),
    "reconsideration.decide": _("Reconsideration decided"),
}


def register_all() -> None:
    register(*MENU)
    extend_demo(load_demo_acquisitions)
    register_due_date_cap(review_cap)
    register_actions(AUDIT_ACTIONS)
