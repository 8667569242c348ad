"""What planning hands to the lower apps' registries once Django is ready (menu entries, audit
labels, figures, demo data, hooks). Imported only by ``PlanningConfig.ready()``, so the models it
reaches are loaded by then."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register
from reol.core.permissions import Perm

from .demo import load_demo_plans

MENU = (
    NavEntry(
        _("Coordination calendar"),
        "planning-calendar",
        Perm.PLANNING,
        order=25,
        description=_("Who uses which topic, room and material, week by week."),
    ),
    NavEntry(
        _("Annual plans"),
        "planning-groups",
        Perm.PLANNING,
        order=26,
        description=_("Each class's topics for the school year."),
    ),
    NavEntry(
        _("Collaborations"),
        "planning-collaborations",
        Perm.PLANNING,
        order=27,
        description=_("Projects the learning centre runs with teachers."),
    ),
    NavEntry(
        _("Learning-centre team"),
        "planning-team",
        Perm.PLANNING,
        order=28,
        description=_("The school's goals and who does which task."),
    ),
    NavEntry(
        _("Calendar feeds"),
        "planning-feeds",
        Perm.PLANNING,
        order=29,
        description=_("Subscribe to the plans in your own calendar."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "plan.create": _("Plan entry added"),
    "planning.workshop_link": _("Workshop linked to a collaboration"),
    "planning.workshop_unlink": _("Workshop unlinked from a collaboration"),
    "plan.update": _("Plan entry changed"),
    "plan.delete": _("Plan entry removed"),
    "plan.heavy_use": _("Heavy-use period marked"),
    "plan.resource_add": _("Title put on a resource list"),
    "plan.resource_remove": _("Title taken off a resource list"),
    "plan.reserve": _("Resource list reserved"),
    "plan.book_room": _("Room booked for a topic"),
    "plan.share": _("Resource list shared"),
    "plan.publish": _("Resource list published as a reading list"),
    "planning.capacity": _("Heavy-use capacity changed"),
    "planning.digest": _("Weekly digest sent"),
    "collaboration.create": _("Collaboration added"),
    "collaboration.update": _("Collaboration changed"),
    "collaboration.delete": _("Collaboration deleted"),
    "goal.create": _("Development goal added"),
    "goal.update": _("Development goal changed"),
    "goal.delete": _("Development goal removed"),
    "task.create": _("Team task added"),
    "task.update": _("Team task changed"),
    "task.delete": _("Team task removed"),
    "feed.create": _("Calendar address made"),
    "feed.revoke": _("Calendar address revoked"),
}


def register_all() -> None:
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
    extend_demo(load_demo_plans)
