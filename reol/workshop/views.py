"""The workshop's pages: the librarian's overview, the teacher's page (kits and sessions), a
student's requests, and the guides (read and search by anyone at the school; written by the
library). Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.bookings.errors import BookingConflict
from reol.core.fields import ManyLinesField, OneLineField
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, roles_at
from reol.patrons.selectors import groups_at

from . import selectors, services
from .models import LANGUAGES, Guide, SessionState


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _school(request: HttpRequest) -> School:
    """The active school, for anyone with a role there (students included)."""
    school = getattr(request, "school", None)
    if not school or not roles_at(request.user, school):
        raise PermissionDenied(_("You have no role at any school."))
    return school


class _Texts(forms.Form):
    """The pages' free text: one-line fields one line, control characters (NUL, ESC) refused
    in all (a pupil's NUL in a topic was a 500 on PostgreSQL, and went into the room's
    booking and its calendar)."""

    topic = OneLineField(required=False)
    name = OneLineField(required=False)
    note = OneLineField(required=False)
    details = ManyLinesField(required=False)
    description = ManyLinesField(required=False)
    contents = ManyLinesField(required=False)


def _texts(data: Any) -> dict[str, str]:
    form = _Texts(data)
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


def _errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _time(value: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _when(data: Any) -> dict[str, Any]:
    """The day and times typed (a day that is no date is None: the service says so, beside
    any other problem of the form)."""
    return {
        "day": _day(data.get("day")),
        "start_time": _time(data.get("start_time")),
        "end_time": _time(data.get("end_time")),
    }


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """The librarian's overview: sessions to confirm, requests waiting for a teacher, kits."""
    school = school_for(request, Perm.WORKSHOP)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            texts = _texts(request.POST)
            services.create_kit(
                _me(request),
                school,
                name=texts["name"],
                description=texts["description"],
                units=int(request.POST.get("units") or 1),
                contents=texts["contents"],
                device_tags=request.POST.get("devices", "").replace(",", " ").split(),
            )
            messages.success(request, _("The kit can be booked now."))
            return redirect("workshop-library")
        except (ValidationError, ValueError) as error:
            errors = (
                _errors(error) if isinstance(error, ValidationError) else {"units": [str(error)]}
            )
    sessions = selectors.sessions_for_library(request.user).filter(
        school=school, state__in=selectors.OPEN_STATES, day__gte=timezone.localdate()
    )
    return render(
        request,
        "workshop/library.html",
        {
            "to_confirm": [s for s in sessions if s.state == SessionState.AGREED],
            "waiting": [s for s in sessions if s.state == SessionState.REQUESTED],
            "confirmed": [s for s in sessions if s.state == SessionState.CONFIRMED],
            "kits": selectors.kits_at(school),
            "may_add_kit": has_perm(request.user, Perm.SCHOOL_MANAGE, school),
            "library_actions": [
                (SessionState.CONFIRMED, _("Confirm")),
                (SessionState.DECLINED, _("Decline")),
            ],
            "held_actions": [
                (SessionState.HELD, _("Mark as held")),
                (SessionState.CANCELLED, _("Cancel")),
            ],
            "errors": errors,
            "values": request.POST,
            "room": services.room_of(school),
            "rooms": selectors.rooms_at(school),
        },
    )


@login_required
@require_POST
def room(request: HttpRequest) -> HttpResponse:
    """Choose the room guidance is held in (booked when a session is confirmed)."""
    school = school_for(request, Perm.WORKSHOP)
    raw = request.POST.get("room", "")
    chosen = selectors.rooms_at(school).filter(pk=raw).first() if raw.isdigit() else None
    if raw and chosen is None:
        raise Http404
    services.set_room(_me(request), school, chosen)
    messages.success(request, _("Saved."))
    return redirect("workshop-library")


@login_required
def teacher(request: HttpRequest) -> HttpResponse:
    """A teacher's page: book a kit (through the bookings) or a session; answer requests."""
    school = school_for(request, Perm.BOOKING)
    me = _me(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        group_id = request.POST.get("group", "")
        group = groups_at(school).filter(pk=group_id).first() if group_id.isdigit() else None
        try:
            texts = _texts(request.POST)
            services.book_session(
                me,
                school,
                topic=texts["topic"],
                group=group,
                details=texts["details"],
                **_when(request.POST),
            )
            messages.success(request, _("Guidance booked; the library will confirm it."))
            return redirect("workshop-teacher")
        except ValidationError as error:
            errors = _errors(error)
    day = _day(request.GET.get("day")) or timezone.localdate()
    mine = selectors.sessions_of_teacher(me, school).filter(day__gte=timezone.localdate())
    return render(
        request,
        "workshop/teacher.html",
        {
            "kits": selectors.kit_rows(school, day),
            "day": day,
            "requests": [s for s in mine if s.state == SessionState.REQUESTED],
            "sessions": [s for s in mine if s.state != SessionState.REQUESTED],
            "groups": groups_at(school),
            "teacher_actions": [
                (SessionState.AGREED, _("Agree")),
                (SessionState.DECLINED, _("Decline")),
            ],
            "errors": errors,
            "values": request.POST,
        },
    )


@login_required
def student(request: HttpRequest) -> HttpResponse:
    """A student's page: ask for guidance (a teacher of theirs must agree) and follow it."""
    school = _school(request)
    me = _me(request)
    errors: dict[str, list[str]] = {}
    teachers = selectors.teachers_of(me, school)
    if request.method == "POST":
        chosen = request.POST.get("teacher", "")
        try:
            texts = _texts(request.POST)
            services.request_session(
                me,
                school,
                teacher=teachers.filter(pk=chosen).first() if chosen.isdigit() else None,  # type: ignore[arg-type]
                topic=texts["topic"],
                details=texts["details"],
                **_when(request.POST),
            )
            messages.success(request, _("Asked. Your teacher answers first, then the library."))
            return redirect("workshop-student")
        except ValidationError as error:
            errors = _errors(error)
    return render(
        request,
        "workshop/student.html",
        {
            "sessions": selectors.sessions_of_student(me, school).order_by("-day", "-pk")[:50],
            "teachers": teachers,
            "errors": errors,
            "values": request.POST,
        },
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    """Agree, decline, confirm, hold or cancel a session (whoever may; else 404 or 403)."""
    school = _school(request)
    session = selectors.sessions_visible(request.user).filter(school=school, pk=pk).first()
    if session is None or state not in SessionState.values:
        raise Http404
    try:
        moved = services.move_session(
            _me(request), session, state, note=_texts(request.POST)["note"]
        )
        messages.success(
            request, _("The session is now %(state)s.") % {"state": SessionState(state).label}
        )
        if moved.room_booking is not None and state == SessionState.CONFIRMED:
            messages.info(request, _("The workshop's room is booked for it."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except BookingConflict as clash:  # the room is taken: the session stays as it was
        messages.error(request, _("Not confirmed: %(clash)s") % {"clash": clash.message})
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return redirect(back)  # not "/\evil.example", which browsers read as "//evil.example"
    return redirect("workshop-student")


# --- Guides ------------------------------------------------------------------------------------


@login_required
def guides(request: HttpRequest) -> HttpResponse:
    """The knowledge base, in the reader's language; ``q`` searches every language."""
    school = _school(request)
    query = request.GET.get("q", "").strip()
    language = get_language() or "da"
    found = selectors.search_guides(selectors.readable_guides(request.user, school), query)
    rows = [(g, selectors.text_in(g, language)) for g in found[:200]]
    return render(
        request,
        "workshop/guides.html",
        {
            "rows": rows,
            "query": query,
            "may_write": has_perm(request.user, Perm.WORKSHOP, school),
        },
    )


def _readable(request: HttpRequest, pk: int) -> Guide:
    found = selectors.readable_guides(request.user, _school(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def guide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _readable(request, pk)
    language = get_language() or "da"
    text = selectors.text_in(found, language)
    return render(
        request,
        "workshop/guide.html",
        {
            "guide": found,
            "text": text,
            "other_languages": [t for t in found.texts.all() if t != text],
            "may_write": found.school_id == request.school.pk  # type: ignore[attr-defined]
            and has_perm(request.user, Perm.WORKSHOP, found.school),
        },
    )


@login_required
def edit_guide(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    school = school_for(request, Perm.WORKSHOP)
    existing = None
    if pk is not None:
        existing = Guide.objects.filter(school=school, pk=pk).prefetch_related("texts").first()
        if existing is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        texts = {
            code: (request.POST.get(f"title_{code}", ""), request.POST.get(f"body_{code}", ""))
            for code, _name in LANGUAGES
        }
        kit_id = request.POST.get("kit", "")
        kit = selectors.kits_at(school).filter(pk=kit_id).first() if kit_id.isdigit() else None
        try:
            saved = services.save_guide(
                _me(request),
                school,
                kind=request.POST.get("kind", ""),
                shared=request.POST.get("shared") == "on",
                kit=kit,
                texts=texts,
                guide=existing,
            )
            messages.success(request, _("The guide is saved."))
            return redirect("workshop-guide", pk=saved.pk)
        except ValidationError as error:
            errors = _errors(error)
    values: dict[str, Any] = dict(request.POST.items())
    if existing is not None and request.method != "POST":
        values = {"kind": existing.kind, "shared": existing.shared, "kit": existing.kit_id}
        for t in existing.texts.all():
            values[f"title_{t.language}"], values[f"body_{t.language}"] = t.title, t.body
    languages = [
        (code, name, values.get(f"title_{code}", ""), values.get(f"body_{code}", ""))
        for code, name in LANGUAGES
    ]
    return render(
        request,
        "workshop/guide_edit.html",
        {
            "guide": existing,
            "languages": languages,
            "kinds": Guide.Kind.choices,
            "kits": selectors.kits_at(school),
            "errors": errors,
            "values": values,
        },
    )
