"""What competence hands to the lower apps' registries once Django is ready (menu entries, audit
labels, figures, demo data, hooks). Imported only by ``CompetenceConfig.ready()``, so the models it
reaches are loaded by then."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reol.core.audit import register_actions
from reol.core.demo import extend_demo
from reol.core.navigation import NavEntry, register, register_landing
from reol.core.permissions import Perm

from .access import landing
from .demo import load_demo_network

MENU = (
    NavEntry(
        _("Competence and courses"),
        "competence-home",
        Perm.COMPETENCE,
        order=60,
        description=_("Networks' competence surveys, courses and job-shadowing."),
    ),
    NavEntry(
        _("Workshops"),
        "competence-workshops",
        Perm.PD_WORK,
        order=61,
        description=_("Workshops and meetings with subject committees, and follow-ups."),
    ),
    NavEntry(
        _("Training records"),
        "competence-records",
        Perm.TRAINING_RECORDS,
        order=62,
        description=_("Staff's courses, hours of development, certificates and gaps."),
    ),
    NavEntry(
        _("Library schedule"),
        "competence-schedule",
        Perm.SCHOOL_VIEW,
        order=63,
        description=_("Who staffs the library when: staff and volunteers, week by week."),
    ),
)

AUDIT_ACTIONS: dict[str, str | Promise] = {
    "network.create": _("Network set up"),
    "network.coordinator": _("Network coordinator appointed"),
    "network.add_municipality": _("Municipality joined a network"),
    "network.add_library": _("Library joined a network"),
    "network.add_staff": _("Library staff member added"),
    "network.area": _("Competence area saved"),
    "survey.create": _("Competence survey created"),
    "survey.open": _("Competence survey published"),
    "survey.closed": _("Competence survey closed"),
    "survey.answer": _("Competence survey answered"),
    "course.create": _("Course created"),
    "course.session": _("Course session added"),
    "course.registered": _("Registered for a course"),
    "course.waiting": _("Put on a course's waiting list"),
    "course.cancel": _("Course registration cancelled"),
    "course.moved_up": _("Moved up from a course's waiting list"),
    "course.attendance": _("Course attendance recorded"),
    "course.feedback": _("Course feedback given"),
    "course.material": _("Course material added"),
    "course.task": _("Course task added"),
    "course.reflection": _("Reflection submitted"),
    "course.post": _("Course discussion message"),
    "course.reminders": _("Course reminders sent"),
    "course.feed": _("Course calendar address made"),
    "course.feed_revoked": _("Course calendar address revoked"),
    "course.session_cancelled": _("Course session cancelled"),
    "shadowing.offer": _("Job-shadowing placement offered"),
    "shadowing.request": _("Job-shadowing requested"),
    "shadowing.match": _("Job-shadowing matched"),
    "shadowing.decline": _("Job-shadowing request declined"),
    "shadowing.report": _("Job-shadowing reflection written"),
    "project.create": _("Development project started"),
    "project.update": _("Development project changed"),
    "project.milestone": _("Project milestone added"),
    "project.task": _("Project task added"),
    "project.tick": _("Project milestone or task done"),
    "pd.workshop": _("Workshop recorded"),
    "pd.follow_up": _("Follow-up task added"),
    "pd.follow_up_done": _("Follow-up task done"),
    "schedule.shift": _("Library shift planned"),
    "schedule.shift_removed": _("Library shift removed"),
    "schedule.feed": _("Library schedule calendar address made"),
}


def register_all() -> None:
    register(*MENU)
    register_actions(AUDIT_ACTIONS)
    extend_demo(load_demo_network)
    register_landing(landing)
