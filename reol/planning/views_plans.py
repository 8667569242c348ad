"""Annual plans: the groups of the school, a group's plan for the year, and one entry's page
(requests to the learning centre, materials, resources). Thin, as the other planning pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.forms import SuggestForm
from reol.bookings.errors import BookingConflict
from reol.bookings.selectors import available_copies, bookings_between, resources_of
from reol.catalog import search
from reol.catalog.models import MaterialType, Record
from reol.core import calendar as school_calendar
from reol.core import denials
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm

from . import access, forms, selectors, services
from .models import PlanEntry, ResourceLine
from .views import _form_errors, _int, _me, _school


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


def _plan_action(
    request: HttpRequest, user: User, entry: PlanEntry, action: str, form: Any
) -> HttpResponse | None:
    """The entry's own POST actions (save, delete) and its resource lines (add, remove)."""
    school, here = entry.school, reverse("planning-entry", args=[entry.pk])
    if action == "save" and form.is_valid():
        services.update_entry(user, entry, **form.service_values())
        messages.success(request, _("The plan is saved."))
        return redirect(here)
    if action == "delete":
        services.delete_entry(user, entry)
        messages.success(
            request, _("“%(title)s” is removed from the plan.") % {"title": entry.title}
        )
        return redirect("planning-group", pk=entry.group.pk)
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
            _("%(n)s × “%(title)s” is on the list.") % {"n": line.quantity, "title": record.title},
        )
        return redirect(f"{here}#resources")
    if action == "remove":
        line = get_object_or_404(
            ResourceLine, pk=_int(request.POST.get("line")), resource_list__entry=entry
        )
        services.remove_resource(user, line)
        return redirect(f"{here}#resources")
    return None


def _booking_action(
    request: HttpRequest, user: User, entry: PlanEntry, action: str, room_form: Any, share_form: Any
) -> HttpResponse | None:
    """The POST actions that book, share or publish the entry's resources."""
    here = reverse("planning-entry", args=[entry.pk])
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
        services.share_resources(user, entry, teacher, link=request.build_absolute_uri(here))
        messages.success(request, _("The list is sent to %(name)s.") % {"name": teacher})
        return redirect(f"{here}#resources")
    if action == "publish":
        services.publish_resources(user, entry)
        messages.success(request, _("The list is in the public catalogue."))
        return redirect(f"{here}#resources")
    return None


def _catalogue_hits(q: str, school: School, entry: PlanEntry) -> list[tuple[Any, int, str]]:
    """The catalogue's answers to ``q``, each with its free copies in the entry's period."""
    if not q:
        return []
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
    return [
        (
            h,
            available_copies(records[h.id], school, entry.starts, entry.ends),
            kinds.get(h.material_type, h.material_type),
        )
        for h in found
        if h.id in records
    ]


def _resources_context(request: HttpRequest, entry: PlanEntry) -> dict[str, Any]:
    """What the entry page shows beside its forms: requests, resource lines, search, bookings."""
    school, group = entry.school, entry.group
    lines = list(
        ResourceLine.objects.filter(resource_list__entry=entry).select_related("record", "booking")
    )
    q = request.GET.get("q", "")[:200].strip()
    short = [
        (line, free)
        for line in lines
        if line.booking_id is None
        and line.quantity
        > (free := available_copies(line.record, school, entry.starts, entry.ends))
    ]
    query = {
        "title": entry.title,
        "group": group.pk,
        "school_year": entry.school_year,
        "weeks": entry.weeks,
    }
    return {
        "requests": selectors.material_requests(entry),
        "request_form": SuggestForm(prefix="request"),
        "lines": lines,
        "unreserved": [line for line in lines if line.booking_id is None],
        "resources": getattr(entry, "resources", None) if selectors._has_resources(entry) else None,
        "q": q,
        "hits": _catalogue_hits(q, school, entry),
        "group_bookings": [
            b for b in bookings_between(school, entry.starts, entry.ends) if b.group_id == group.pk
        ],
        "holiday": school_calendar.holiday_warning(school, entry.starts, entry.ends),
        "meaning": school_calendar.describe(entry.starts, entry.ends),
        "short": short,
        "book_link": reverse("bookings-new") + "?" + urlencode(query),
    }


@login_required
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
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
            done = _plan_action(request, user, entry, action, form) or _booking_action(
                request, user, entry, action, room_form, share_form
            )
            if done is not None:
                return done
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
    context = {
        "entry": entry,
        "group": group,
        "school": school,
        "form": form,
        "room_form": room_form,
        "share_form": share_form,
        "may_edit": may_edit,
        "may_book": has_perm(user, Perm.BOOKING, school),
        "may_publish": has_perm(user, Perm.CATALOG_EDIT, school),
        "conflict": conflict,
    }
    context.update(_resources_context(request, entry))
    return render(request, "planning/entry.html", context, status=status)
