"""A course's page (sessions, registration, attendance, the arena), certificates, calendars."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reol.core.permissions import Perm

from .. import access, certificates, documents, forms, ical, selectors
from ..models import ArenaTask, Course, CourseFeed, Post, Reflection, Registration, Session
from ..services import courses
from .common import as_int, me, network_for, run


def _course(request: HttpRequest, pk: int) -> tuple[Course, bool]:
    course = get_object_or_404(Course.objects.select_related("network", "area"), pk=pk)
    network_for(request, course.network_id)
    coordinator = access.may(me(request), Perm.NETWORK_COORDINATE, course.network)
    if course.status == Course.Status.DRAFT and not coordinator:
        raise Http404
    return course, coordinator


def _actions(
    request: HttpRequest, course: Course, coordinator: bool
) -> tuple[bool, dict[str, object]]:
    user, action = me(request), request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    f: dict[str, object] = {
        "session_form": forms.SessionForm(data if action == "session" else None, prefix="session"),
        "material_form": forms.MaterialForm(
            data if action == "material" else None, prefix="material"
        ),
        "task_form": forms.TaskForm(data if action == "task" else None, prefix="task"),
    }
    if action in ("session", "material", "task"):
        if not coordinator:
            raise PermissionDenied
        call: Any = {
            "session": courses.add_session,
            "material": courses.add_material,
            "task": courses.add_task,
        }[action]
        return run(f[f"{action}_form"], lambda d: call(user, course, **d)), f
    try:
        _act(request, course, action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return True, f
    return bool(action), f


def _act(request: HttpRequest, course: Course, action: str) -> None:
    user, post = me(request), request.POST
    if action == "register":
        reg = courses.register(user, course)
        if reg.status == "registered":
            messages.success(request, _("You are registered."))
        else:
            messages.success(
                request,
                _("The course is full: you are on the waiting list, number %(n)s.")
                % {"n": selectors.waiting_position(reg)},
            )
    elif action == "cancel":
        reg = get_object_or_404(Registration, pk=as_int(post.get("registration")), course=course)
        moved = courses.cancel(user, reg)
        messages.success(request, _("The registration is cancelled."))
        if moved is not None:
            messages.info(
                request,
                _("%(name)s moved up from the waiting list.")
                % {"name": moved.user.get_full_name() or moved.user.username},
            )
    elif action == "attendance":
        session = get_object_or_404(Session, pk=as_int(post.get("session")), course=course)
        present = {as_int(v) for v in post.getlist("present")}
        courses.record_attendance(user, session, present)
        messages.success(request, _("Attendance saved."))
    elif action == "cancel_session":
        session = get_object_or_404(Session, pk=as_int(post.get("session")), course=course)
        courses.cancel_session(user, session)
        messages.success(request, _("The session is cancelled; the participants are told."))
    elif action == "feedback":
        session = get_object_or_404(Session, pk=as_int(post.get("session")), course=course)
        courses.give_feedback(
            user, session, rating=as_int(post.get("rating")), comment=post.get("comment", "")
        )
        messages.success(request, _("Thank you for your feedback."))
    elif action == "reflection":
        task = get_object_or_404(ArenaTask, pk=as_int(post.get("task")), course=course)
        courses.submit_reflection(user, task, post.get("text", ""))
        messages.success(request, _("Your reflection is submitted."))
    elif action == "post":
        session = get_object_or_404(Session, pk=as_int(post.get("session")), course=course)
        courses.post(user, session, post.get("text", ""))
        messages.success(request, _("Your message is posted."))


@login_required
def course(request: HttpRequest, pk: int) -> HttpResponse:
    course, coordinator = _course(request, pk)
    done, f = _actions(request, course, coordinator)
    if done:
        return redirect("competence-course", pk=course.pk)
    user = me(request)
    mine = selectors.registration_of(user, course)
    participant = mine is not None and mine.status == "registered"
    sessions = Session.objects.filter(course=course).prefetch_related(
        "materials",
        "tasks",
        Prefetch("posts", queryset=Post.objects.select_related("author")),
    )
    my_reflections = {
        r.task_id: r for r in Reflection.objects.filter(task__course=course, user=user)
    }
    context = {
        "course": course,
        "coordinator": coordinator,
        "mine": mine,
        "participant": participant,
        "position": selectors.waiting_position(mine) if mine and mine.status == "waiting" else None,
        "sessions": sessions,
        "course_materials": course.materials.filter(session__isnull=True),
        "course_tasks": course.tasks.filter(session__isnull=True),
        "reflections": my_reflections,
        "now": timezone.now(),
        "completed": user in selectors.completers(course) if participant else False,
        **f,
    }
    if coordinator:
        context |= {
            "registrations": selectors.live_registrations(course).order_by(
                "status", "seat", "waiting_since"
            ),
            "attended": {
                (a.session_id, a.user_id)
                for s in course.sessions.all()
                for a in s.attendance.filter(present=True)
            },
            "completers": selectors.completers(course),
            "feedback": selectors.feedback_summary(course),
        }
    return render(
        request, "competence/course.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate of the signed-in person, if they completed the course."""
    course, _coordinator = _course(request, pk)
    user = me(request)
    if user not in selectors.completers(course):
        raise Http404
    return certificates.certificate_response(course, user)


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    """The course's programme as a Word document, for whoever may see the course."""
    course, _coordinator = _course(request, pk)
    response = HttpResponse(
        documents.docx_of(documents.course_outline(course)), content_type=documents.DOCX
    )
    response["Content-Disposition"] = f'attachment; filename="programme-{course.pk}.docx"'
    return response


@login_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("course__network"), pk=pk)
    _course(request, session.course_id)
    response = HttpResponse(
        ical.sessions_ics([session], str(session.course)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The person's course calendar addresses: make one, copy it, revoke it."""
    user = me(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "create":
        feed = courses.create_feed(user)
        messages.success(request, _("Your calendar address is ready: copy it into your calendar."))
        return redirect(f"{reverse('competence-calendar')}#feed-{feed.pk}")
    if action == "revoke":
        found = get_object_or_404(CourseFeed, pk=as_int(request.POST.get("feed")), user=user)
        courses.revoke_feed(user, found)
        messages.success(request, _("The address is revoked: it shows nothing any more."))
        return redirect("competence-calendar")
    mine = CourseFeed.objects.filter(user=user).order_by("-created_at", "-pk")
    rows = [
        (f, request.build_absolute_uri(reverse("competence-feed", args=[f.token])))
        for f in mine.filter(revoked_at__isnull=True)
    ]
    return render(
        request,
        "competence/calendar.html",
        {"rows": rows, "revoked": list(mine.filter(revoked_at__isnull=False)[:20])},
        status=400 if action else 200,
    )


@require_GET
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's course sessions at a secret address: no sign-in, 404 when revoked."""
    found = (
        CourseFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if found is None or not found.user.is_active:
        raise Http404
    response = HttpResponse(ical.feed_ics(found.user), content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response
