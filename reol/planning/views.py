"""Planning pages. Thin: parse, look up through scoped selectors, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.forms import SuggestForm
from reol.catalog import search
from reol.catalog.models import MaterialType, Record
from reol.competence import access as competence_access
from reol.core import calendar as school_calendar
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, scope

from . import access, forms, ical, selectors, services, workshops
from .models import CalendarFeed, Collaboration, DevelopmentGoal, PlanEntry, ResourceLine, TeamTask


def _school(request: HttpRequest, perm: Perm = Perm.PLANNING) -> School:
    return school_for(request, perm)


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _people_queryset(school: School, *, staff_only: bool = False) -> Any:
    """Who plans at the school (or, ``staff_only``, its learning-centre staff)."""
    if staff_only:
        return access.people_with(school, Perm.PLANNING, access.CENTRE_STAFF_PERM)
    return access.people_with(school, Perm.PLANNING)


# --- The coordination calendar ----------------------------------------------------------------


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    staff = access.is_centre_staff(user, school)
    capacity_form = forms.CapacityForm(
        request.POST or None, initial={"heavy_use_capacity": selectors.capacity(school)}
    )
    if request.method == "POST" and capacity_form.is_valid():
        try:
            services.set_heavy_use_capacity(
                user, school, capacity_form.cleaned_data["heavy_use_capacity"]
            )
        except ValidationError as error:
            _form_errors(capacity_form, error)
        else:
            messages.success(request, _("The weekly capacity is saved."))
            return redirect(request.get_full_path())
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    # this school year and the next are always offered, planned for or not
    offered = school_calendar.current_and_next(school)
    years = sorted({*selectors.school_years(school), *offered, year})
    try:
        first, last = school_calendar.school_year_bounds(school, year)
    except ValidationError:
        raise Http404 from None
    grade_text = request.GET.get("grade", "")
    grade = int(grade_text) if grade_text.isdigit() else None
    subject = request.GET.get("subject", "")[:100]
    staff_text = request.GET.get("staff", "")
    people = selectors.staff_members(school)
    staff_member = next((p for p in people if str(p.pk) == staff_text), None)
    cal = selectors.coordination(
        school,
        first,
        last,
        school_year=year,
        grade=grade,
        subject=subject,
        staff=staff_member,
    )
    grades = sorted(
        {
            g
            for g in school.groups.filter(school_year=year).values_list("grade", flat=True)
            if g is not None
        }
    )
    subjects = sorted(
        set(
            PlanEntry.objects.filter(school=school, school_year=year)
            .exclude(subject="")
            .values_list("subject", flat=True)
        ),
        key=str.casefold,
    )
    this_week = school_calendar.week_of(timezone.localdate())
    return render(
        request,
        "planning/calendar.html",
        {
            "school": school,
            "cal": cal,
            "year": year,
            "years": years,
            "grades": grades,
            "grade": grade,
            "subjects": subjects,
            "subject": subject,
            "people": people,
            "staff_member": staff_member,
            "this_week": this_week,
            "is_staff": staff,
            "capacity_form": capacity_form,
            "list_only": request.GET.get("view") == "list",
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Annual plans -----------------------------------------------------------------------------


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    years = selectors.school_years(school)
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    all_groups = list(school.groups.filter(school_year=year).order_by("grade", "name"))
    mine = set(access.groups_taught(user, school).values_list("pk", flat=True))
    counts: dict[int, int] = {}
    for group_id in PlanEntry.objects.filter(group__in=all_groups).values_list(
        "group_id", flat=True
    ):
        counts[group_id] = counts.get(group_id, 0) + 1
    rows = [(g, g.pk in mine, counts.get(g.pk, 0)) for g in all_groups]
    rows.sort(key=lambda r: (not r[1], r[0].grade or 0, r[0].name))
    return render(
        request,
        "planning/groups.html",
        {"school": school, "rows": rows, "year": year, "years": years},
    )


@login_required
def group_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    group = denials.get_or_404(request, access.visible_groups(user).select_related("school"), pk=pk)
    school = group.school
    may_edit = access.may_edit_plan(user, group)
    staff = access.is_centre_staff(user, school)
    form = forms.EntryForm(
        request.POST or None,
        staff=staff,
        initial={"kind": "topic", "school_year": group.school_year},
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("You may edit the plans of the groups you teach."))
        if form.is_valid():
            try:
                entry = services.create_entry(user, group, **form.service_values())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is in %(group)s's plan, weeks %(weeks)s.")
                    % {"title": entry.title, "group": group.name, "weeks": entry.weeks},
                )
                holiday = school_calendar.holiday_warning(school, entry.starts, entry.ends)
                if holiday:
                    messages.warning(request, holiday)
                if entry.ends < timezone.localdate():
                    # Allowed (a plan may record what was done), but often a slip of the year.
                    messages.warning(
                        request,
                        _("Weeks %(weeks)s of %(year)s are already over.")
                        % {"weeks": entry.weeks, "year": entry.school_year},
                    )
                return redirect("planning-entry", pk=entry.pk)
    first, last = school_calendar.school_year_bounds(school, group.school_year)
    return render(
        request,
        "planning/group_plan.html",
        {
            "group": group,
            "school": school,
            "entries": list(selectors.group_plan(group)),
            "teachers": selectors.group_teachers(group),
            "form": form,
            "may_edit": may_edit,
            "first": first,
            "last": last,
        },
        status=400 if request.method == "POST" else 200,
    )


def _entry_initial(entry: PlanEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "title": entry.title,
        "subject": entry.subject,
        "weeks": "",
        "school_year": entry.school_year,
        "starts": entry.starts,
        "ends": entry.ends,
        "goals": entry.goals,
        "materials": entry.materials,
        "heavy_use": entry.heavy_use,
    }


@login_required
@require_POST
def entry_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A teacher asks the library to buy materials for this topic (a suggestion, linked)."""
    user = _me(request)
    entry = denials.get_or_404(request, selectors.plan_entries(user), pk=pk)
    form = SuggestForm(request.POST, prefix="request")
    if form.is_valid():
        try:
            services.request_materials(user, entry, **form.cleaned_data)
        except AcquisitionError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The library has your request for this topic."))
    return redirect(reverse("planning-entry", args=[entry.pk]) + "#requests")


@login_required
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    from reol.bookings.errors import BookingConflict
    from reol.bookings.selectors import available_copies, bookings_between, resources_of

    user = _me(request)
    entry = denials.get_or_404(request, selectors.plan_entries(user), pk=pk)
    school, group = entry.school, entry.group
    may_edit = access.may_edit_plan(user, group)
    staff = access.is_centre_staff(user, school)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.EntryForm(
        request.POST if action == "save" else None, staff=staff, initial=_entry_initial(entry)
    )
    room_form = forms.RoomForm(
        request.POST if action == "room" else None,
        resources=resources_of(school, active_only=True),
    )
    share_form = forms.ShareForm(
        request.POST if action == "share" else None, people=access.teachers_at(school)
    )
    conflict: BookingConflict | None = None
    status = 200
    if action:
        if not may_edit:
            raise PermissionDenied(_("You may edit the plans of the groups you teach."))
        here = reverse("planning-entry", args=[entry.pk])
        try:
            if action == "save" and form.is_valid():
                services.update_entry(user, entry, **form.service_values())
                messages.success(request, _("The plan is saved."))
                return redirect(here)
            if action == "delete":
                services.delete_entry(user, entry)
                messages.success(
                    request, _("“%(title)s” is removed from the plan.") % {"title": entry.title}
                )
                return redirect("planning-group", pk=group.pk)
            if action == "add":
                record = denials.get_or_404(
                    request,
                    Record.objects.filter(municipality=school.municipality),
                    pk=_int(request.POST.get("record")),
                )
                line = services.add_resource(
                    user,
                    entry,
                    record,
                    request.POST.get("quantity", "1"),
                )
                messages.success(
                    request,
                    _("%(n)s × “%(title)s” is on the list.")
                    % {"n": line.quantity, "title": record.title},
                )
                return redirect(f"{here}#resources")
            if action == "remove":
                line = get_object_or_404(
                    ResourceLine, pk=_int(request.POST.get("line")), resource_list__entry=entry
                )
                services.remove_resource(user, line)
                return redirect(f"{here}#resources")
            if action == "reserve":
                booking = services.reserve_resources(user, entry)
                messages.success(
                    request,
                    _("Reserved for weeks %(weeks)s (booking %(id)s).")
                    % {"weeks": entry.weeks, "id": booking.pk},
                )
                return redirect(f"{here}#resources")
            if action == "room" and room_form.is_valid():
                data = room_form.cleaned_data
                booking = services.book_room(
                    user,
                    entry,
                    data["resource"],
                    day=data["day"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                )
                messages.success(
                    request,
                    _("%(room)s is booked on %(day)s.")
                    % {"room": data["resource"].name, "day": data["day"]},
                )
                return redirect(f"{here}#rooms")
            if action == "share" and share_form.is_valid():
                teacher = share_form.cleaned_data["teacher"]
                services.share_resources(
                    user, entry, teacher, link=request.build_absolute_uri(here)
                )
                messages.success(request, _("The list is sent to %(name)s.") % {"name": teacher})
                return redirect(f"{here}#resources")
            if action == "publish":
                services.publish_resources(user, entry)
                messages.success(request, _("The list is in the public catalogue."))
                return redirect(f"{here}#resources")
        except BookingConflict as error:
            conflict = error
        except ValidationError as error:
            target = {"save": form, "room": room_form, "share": share_form}.get(action)
            if target is not None:
                _form_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(f"{here}#resources")
        status = 409 if conflict else 400
    entry = denials.get_or_404(request, selectors.plan_entries(user), pk=pk)
    lines = list(
        ResourceLine.objects.filter(resource_list__entry=entry).select_related("record", "booking")
    )
    resources = getattr(entry, "resources", None) if selectors._has_resources(entry) else None
    q = request.GET.get("q", "")[:200].strip()
    hits: list[tuple[Any, int, str]] = []
    if q:
        found = search.search(
            search.SearchQuery(
                text=q,
                municipality_id=school.municipality_id,
                size=10,
                facets=False,
                language=get_language() or "da",
            )
        ).hits
        records = {r.pk: r for r in Record.objects.filter(pk__in=[h.id for h in found])}
        kinds = {str(value): str(label) for value, label in MaterialType.choices}
        hits = [
            (
                h,
                available_copies(records[h.id], school, entry.starts, entry.ends),
                kinds.get(h.material_type, h.material_type),
            )
            for h in found
            if h.id in records
        ]
    group_bookings = [
        b for b in bookings_between(school, entry.starts, entry.ends) if b.group_id == group.pk
    ]
    short = [
        (line, free)
        for line in lines
        if line.booking_id is None
        and line.quantity
        > (free := available_copies(line.record, school, entry.starts, entry.ends))
    ]
    book_link = (
        reverse("bookings-new")
        + "?"
        + urlencode(
            {
                "title": entry.title,
                "group": group.pk,
                "school_year": entry.school_year,
                "weeks": entry.weeks,
            }
        )
    )
    return render(
        request,
        "planning/entry.html",
        {
            "requests": selectors.material_requests(entry),
            "request_form": SuggestForm(prefix="request"),
            "entry": entry,
            "group": group,
            "school": school,
            "form": form,
            "room_form": room_form,
            "share_form": share_form,
            "may_edit": may_edit,
            "may_book": has_perm(user, Perm.BOOKING, school),
            "may_publish": has_perm(user, Perm.CATALOG_EDIT, school),
            "lines": lines,
            "unreserved": [line for line in lines if line.booking_id is None],
            "resources": resources,
            "q": q,
            "hits": hits,
            "conflict": conflict,
            "group_bookings": group_bookings,
            "holiday": school_calendar.holiday_warning(school, entry.starts, entry.ends),
            "meaning": school_calendar.describe(entry.starts, entry.ends),
            "short": short,
            "book_link": book_link,
        },
        status=status,
    )


# --- Collaborations ---------------------------------------------------------------------------


def _collaboration_form(
    request: HttpRequest, school: School, **kwargs: Any
) -> forms.CollaborationForm:
    from reol.bookings.selectors import resources_of

    return forms.CollaborationForm(
        request.POST or None,
        groups=school.groups.filter(active=True).order_by("-school_year", "grade", "name"),
        people=_people_queryset(school),
        rooms=resources_of(school),
        **kwargs,
    )


@login_required
def collaborations(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    years = sorted({*selectors.school_years(school), school_calendar.current_school_year(school)})
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    form = _collaboration_form(request, school)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_collaboration(user, school, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The collaboration is saved."))
            return redirect("planning-collaboration", pk=created.pk)
    return render(
        request,
        "planning/collaborations.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "rows": list(selectors.collaborations(school, year)),
            "summary": selectors.collaboration_summary(school, year),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def collaboration(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    found = denials.get_or_404(
        request,
        scope(Collaboration.objects.select_related("school", "group"), user, Perm.PLANNING),
        pk=pk,
    )
    school = found.school
    may_edit = services.may_edit_collaboration(user, found)
    initial = {
        "kind": found.kind,
        "title": found.title,
        "subject": found.subject,
        "group": found.group,
        "teachers": list(found.teachers.all()),
        "starts": found.starts,
        "ends": found.ends,
        "goals": found.goals,
        "materials": found.materials,
        "rooms": list(found.rooms.all()),
        "evaluation": found.evaluation,
    }
    form = _collaboration_form(request, school, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.delete_collaboration(user, found)
            messages.success(request, _("The collaboration is deleted."))
            return redirect("planning-collaborations")
        if form.is_valid():
            try:
                services.update_collaboration(user, found, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The collaboration is saved."))
                return redirect("planning-collaboration", pk=found.pk)
    return render(
        request,
        "planning/collaboration.html",
        {
            "c": found,
            "form": form,
            "may_edit": may_edit,
            "is_staff": access.is_centre_staff(user, school),
            "workshop_choices": workshops.workshops_of(school)[:100] if may_edit else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def collaboration_workshop(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a workshop of the school to a collaboration, or unlink one."""
    user = _me(request)
    found = denials.get_or_404(
        request, scope(Collaboration.objects.select_related("school"), user, Perm.PLANNING), pk=pk
    )
    workshop = denials.get_or_404(
        request, workshops.workshops_of(found.school), pk=_int(request.POST.get("workshop"))
    )
    if request.POST.get("action") == "unlink":
        workshops.unlink_workshop(user, found, workshop)
    else:
        workshops.link_workshop(user, found, workshop)
    messages.success(request, _("The collaboration is saved."))
    return redirect("planning-collaboration", pk=found.pk)


# --- The team's goals and tasks ---------------------------------------------------------------


@login_required
def team(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    staff = access.is_centre_staff(user, school)
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    years = sorted({*selectors.school_years(school), year})
    goals_qs = DevelopmentGoal.objects.filter(school=school, school_year=year)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    # Two forms on one page: each its own ids (auto_id), so every label names its own field.
    goal_form = forms.GoalForm(request.POST if action == "goal" else None, auto_id="id_goal_%s")
    task_form = forms.TaskForm(
        request.POST if action == "task" else None,
        auto_id="id_task_%s",
        people=_people_queryset(school, staff_only=True),
        goals=goals_qs,
    )
    if action:
        access.require_centre_staff(user, school)
        here = f"{reverse('planning-team')}?year={year}"
        try:
            if action == "goal" and goal_form.is_valid():
                services.save_goal(user, school, school_year=year, **goal_form.cleaned_data)
                return redirect(here)
            if action == "task" and task_form.is_valid():
                data = task_form.cleaned_data
                services.save_task(
                    user,
                    school,
                    school_year=year,
                    title=data["title"],
                    description=data["description"],
                    responsible=data["responsible"],
                    goals=list(data["goals"]),
                )
                return redirect(here)
            if action == "delete-goal":
                services.delete_goal(
                    user, denials.get_or_404(request, goals_qs, pk=_int(request.POST.get("goal")))
                )
                return redirect(here)
            if action == "delete-task":
                services.delete_task(
                    user,
                    denials.get_or_404(
                        request,
                        TeamTask.objects.filter(school=school),
                        pk=_int(request.POST.get("task")),
                    ),
                )
                return redirect(here)
        except ValidationError as error:
            _form_errors(goal_form if action == "goal" else task_form, error)
    tasks = list(
        TeamTask.objects.filter(school=school, school_year=year)
        .select_related("responsible")
        .prefetch_related("goals")
        .order_by("responsible__last_name", "title")
    )
    goals = list(goals_qs.prefetch_related("tasks__responsible"))
    return render(
        request,
        "planning/team.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "goals": goals,
            "tasks": tasks,
            "goal_form": goal_form,
            "task_form": task_form,
            "is_staff": staff,
        },
        status=400 if action else 200,
    )


# --- Calendar feeds ---------------------------------------------------------------------------


@login_required
def feeds(request: HttpRequest) -> HttpResponse:
    from reol.bookings.selectors import resources_of

    school = _school(request, Perm.STAFF_SHELL)
    user = _me(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.FeedForm(
        request.POST if action == "create" else None, resources=resources_of(school)
    )
    if action == "create" and form.is_valid():
        try:
            feed = services.create_feed(
                user,
                school,
                form.cleaned_data["kind"],
                resource=form.cleaned_data["resource"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Your calendar address is ready: copy it into your calendar.")
            )
            return redirect(f"{reverse('planning-feeds')}#feed-{feed.pk}")
    elif action == "revoke":
        feed = get_object_or_404(CalendarFeed, pk=_int(request.POST.get("feed")), user=user)
        services.revoke_feed(user, feed)
        messages.success(request, _("The address is revoked: it shows nothing any more."))
        return redirect("planning-feeds")
    rows = [
        (f, request.build_absolute_uri(reverse("planning-feed", args=[f.token])))
        for f in selectors.my_feeds(user).filter(Q(revoked_at__isnull=True))
    ]
    revoked = list(selectors.my_feeds(user).filter(revoked_at__isnull=False)[:20])
    return render(
        request,
        "planning/feeds.html",
        {
            "school": school,
            "rows": rows,
            "revoked": revoked,
            "form": form,
            "courses": competence_access.networks_with(user, Perm.COMPETENCE).exists(),
        },
        status=400 if action else 200,
    )


@require_GET
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A calendar at its secret address: no sign-in, 404 when revoked or unknown."""
    found = selectors.live_feed(token)
    if found is None:
        raise Http404
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=5):
        CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    response = HttpResponse(ical.feed_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="reol-{found.kind}.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
