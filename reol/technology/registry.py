"""What technology hands to the lower apps' registries once Django is ready (menu entries, audit
labels, figures, demo data, hooks). Imported only by ``TechnologyConfig.ready()``, so the models it
reaches are loaded by then."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.circulation.followups import register_checkin_followup
from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.panels import register_panel
from reol.core.permissions import Perm

from .demo import load_demo_devices
from .exports import register_export_sections
from .returns import accessories_question
from .views_charges import desk_panel, patron_panel

MENU = (
    NavEntry(
        _("Devices"),
        "technology-home",
        Perm.CIRCULATION_DESK,
        order=40,
        description=_("Chromebooks and equipment: who has which, year-end count."),
    ),
    NavEntry(
        _("Work orders"),
        "technology-orders",
        Perm.TECHNOLOGY,
        order=41,
        description=_("What is broken, and where its repair is."),
    ),
    NavEntry(
        _("Replacement plan"),
        "technology-plan",
        Perm.REPORTS_VIEW,
        order=42,
        description=_("Devices by model and age, and what replacing them will cost."),
    ),
    NavEntry(
        _("Licences"),
        "technology-licences",
        Perm.TECHNOLOGY,
        order=43,
        description=_("Software and digital resources: seats, costs, renewals."),
    ),
    NavEntry(
        _("Open charges"),
        "technology-open-charges",
        Perm.CHARGES,
        order=44,
        description=_("What borrowers still owe for replacements: pay or waive."),
    ),
    NavEntry(
        _("Report a problem"),
        "technology-report",
        Perm.STAFF_SHELL,
        order=192,  # after "Find books" and "My loans" in a student's short menu
        everyone=True,
        description=_("A broken device, room or piece of equipment: tell the library."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "device.import": _("Devices imported"),
    "device.assign": _("Device assigned for the school year"),
    "device.collect": _("Device collected"),
    "device.swap": _("Device swapped for a loaner"),
    "device.lost": _("Device flagged as lost"),
    "device_model.change": _("Device model changed"),
    "work_order.report": _("Problem reported"),
    "work_order.change": _("Work order moved on"),
    "work_order.update": _("Work order changed"),
    "work_order.cost": _("Work order cost added"),
    "licence.save": _("Licence saved"),
    "device.accessories": _("Device's accessories checked in"),
    "loan.charge": _("Damage or charge recorded on a loan"),
    "charge_policy.change": _("Replacement charges turned on or off"),
    "charge.pay": _("Payment recorded on a charge"),
    "charge.waive": _("Charge waived"),
}


def register_all() -> None:
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
    extend_demo(load_demo_devices)
    register_checkin_followup(accessories_question)
    register_panel("patrons.patron", patron_panel)
    register_panel("circulation.desk_patron", desk_panel)
    register_export_sections()
