"""The booking pages. Thin: parse the form, call a service or selector, render.

Alternatives offered with a conflict are links back to the booking form with the values
filled in, so trying another week or room is one click and a "Book" press (no JavaScript).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reol.circulation import rules as rulebook
from reol.core import calendar, denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, scope

from . import selectors, services
from .errors import BookingConflict, BookingError
from .forms import BookingForm, ResourceForm
from .models import Booking, BookingState, Resource
from .states import can_change


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _today() -> dt.date:
    return timezone.localdate()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My bookings (coming and recent) and, for library staff, the school's coming bookings."""
    school = school_for(request, Perm.BOOKING)
    today = _today()
    mine = list(
        selectors.bookings_for_teacher(_me(request)).filter(
            school=school, ends__gte=today - dt.timedelta(days=30)
        )[:100]
    )
    school_bookings = None
    if has_perm(request.user, Perm.CIRCULATION_DESK, school):
        school_bookings = list(
            selectors.bookings_between(school, today, today + dt.timedelta(days=90))[:200]
        )
    return render(
        request,
        "bookings/home.html",
        {"mine": mine, "school_bookings": school_bookings, "today": today},
    )


def _alternative_link(values: dict[str, Any], alternative: Any) -> str:
    query = {k: v for k, v in values.items() if v not in (None, "")}
    query["starts"] = alternative.starts.isoformat()
    query["ends"] = alternative.ends.isoformat()
    query.pop("weeks", None)
    query["quantity"] = alternative.quantity
    if alternative.resource is not None:
        query["resource"] = alternative.resource.pk
    return f"{reverse('bookings-new')}?{urlencode(query)}"


@login_required
def new(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.BOOKING)
    today = _today()
    me = _me(request)
    staff = has_perm(me, Perm.CIRCULATION_DESK, school)
    kwargs: dict[str, Any] = {
        "school": school,
        "teachers": selectors.bookers_at(school) if staff else None,
        "groups": selectors.groups_at(school),
        "today": today,
    }
    source = request.POST if request.method == "POST" else request.GET
    initial = {"quantity": 1, "teacher": me.pk}
    booking_now = request.method == "POST" and source.get("action", "") == "book"
    if booking_now:
        form = BookingForm(request.POST, **kwargs)
    else:
        form = BookingForm(initial={**initial, **source.dict()}, **kwargs)
    conflict: BookingConflict | None = None
    alternatives: list[tuple[str, str]] = []
    record_id = source.get("record", "")
    if booking_now and form.is_valid():
        outcome = _book_from_form(request, form, school, today)
        if isinstance(outcome, HttpResponse):
            return outcome
        conflict, alternatives = outcome
    starts, ends = _when(school, source, today)
    found = selectors.find_records(school, source.get("q", ""), starts, ends)
    return render(
        request,
        "bookings/new.html",
        {
            "form": form,
            "found": found,
            "chosen": _chosen(school, record_id, starts, ends),
            "searched": bool(source.get("q", "").strip()),
            "conflict": conflict,
            "alternatives": alternatives,
        },
    )


def _book_from_form(
    request: HttpRequest, form: BookingForm, school: School, today: dt.date
) -> HttpResponse | tuple[BookingConflict | None, list[tuple[str, str]]]:
    """Book what the valid form asks for: on success the redirect to the booking; else the
    conflict with its alternatives as links (other problems land on the form)."""
    me = _me(request)
    data = form.cleaned_data
    record = None
    if data.get("record"):
        record = selectors.record_at(school, data["record"])
    if data.get("record") and record is None:
        form.add_error(None, _("That title has no copies at this school."))
        return None, []
    request_line = services.BookingRequest(
        record=record, resource=data.get("resource"), quantity=data["quantity"]
    )
    try:
        booking = services.book(
            me,
            school,
            starts=data["starts"],
            ends=data["ends"],
            lines=[request_line],
            title=data.get("title") or "",
            group=data.get("group"),
            teacher=data.get("teacher") or me,
            start_time=data.get("start_time"),
            end_time=data.get("end_time"),
            today=today,
        )
    except BookingConflict as error:
        values = {k: request.POST.get(k, "") for k in form.fields}
        values["record"] = request.POST.get("record", "")
        return error, [(a.label, _alternative_link(values, a)) for a in error.alternatives]
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            form.add_error(None, error.messages)
        return None, []
    messages.success(request, _("Booked: %(booking)s.") % {"booking": booking})
    holiday = calendar.holiday_warning(school, booking.starts, booking.ends)
    if holiday:
        messages.warning(request, holiday)
    return redirect("bookings-detail", pk=booking.pk)


def _chosen(
    school: School, record_id: str, starts: dt.date | None, ends: dt.date | None
) -> selectors.RecordChoice | None:
    """The title picked on the form, with its copies here and how many are free then."""
    if not record_id.isdigit():
        return None
    chosen_record = selectors.record_at(school, int(record_id))
    if chosen_record is None:
        return None
    return selectors.RecordChoice(
        chosen_record,
        selectors.usable_copies(chosen_record, school).count(),
        max(0, selectors.copy_count(chosen_record, school, starts, ends).free)
        if starts and ends and ends >= starts
        else None,
    )


def _when(school: School, source: Any, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The days the form asks about (dates, or weeks in the chosen school year), for the free
    copies shown beside the titles found; ``(None, None)`` while they are not readable."""
    starts = _date(source.get("starts"))
    if starts is None and source.get("weeks", "").strip():
        year = source.get("school_year") or calendar.current_school_year(school, today)
        try:
            found = calendar.weeks_of_school_year(school, source["weeks"], year)
        except ValidationError:
            return None, None
        return found.starts, found.ends
    return starts, _date(source.get("ends")) or starts


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _booking(request: HttpRequest, pk: int) -> Booking:
    queryset = scope(Booking.objects.all(), request.user, Perm.BOOKING)
    found = denials.get_or_404(request, queryset, pk=pk)
    booking = selectors.booking_with_lines(found.pk)
    assert booking is not None
    return booking


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    me = _me(request)
    today = _today()
    desk = has_perm(me, Perm.CIRCULATION_DESK, booking.school)
    mine = me.pk in (booking.teacher_id, booking.booked_by_id)
    returns = selectors.return_state(booking)
    # Rooms and equipment are not lent through the desk: only bookings of copies check out.
    lends = any(line.resource_id is None for line in booking.lines.all())
    desk = desk and (lends or booking.state == BookingState.CHECKED_OUT)
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "things": selectors.booked_things(booking),
            "returns": returns,
            "may_check_out": desk
            and can_change(booking.state, BookingState.CHECKED_OUT)
            and booking.starts <= today <= booking.ends,
            "check_out_later": desk
            and booking.state == BookingState.PLANNED
            and today < booking.starts,
            "may_check_return": desk and booking.state == BookingState.CHECKED_OUT,
            "may_cancel": (has_perm(me, Perm.CIRCULATION_DESK, booking.school) or mine)
            and can_change(booking.state, BookingState.CANCELLED),
        },
    )


@login_required
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    response = HttpResponse(
        selectors.booking_ics(booking), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = _booking(request, pk)
    me = _me(request)
    try:
        if action == "cancel":
            services.cancel(me, booking)
            messages.success(request, _("The booking is cancelled."))
        elif action == "check_out":
            result = services.check_out(me, booking)
            messages.success(
                request,
                ngettext(
                    "Lent %(count)s copy to %(name)s.",
                    "Lent %(count)s copies to %(name)s.",
                    len(result.loans),
                )
                % {"count": len(result.loans), "name": _borrower(booking)}
                if result.loans
                else _("Checked out."),
            )
            for problem in result.problems:
                messages.warning(request, problem)
        elif action == "check_return":
            state = services.check_return(me, booking, close=request.POST.get("close") == "1")
            if state.complete:
                messages.success(request, _("Every copy is back; the booking is returned."))
            elif request.POST.get("close") == "1":
                messages.warning(request, _("The booking is closed with copies still out."))
            else:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s copy is not back yet.",
                        "%(count)s copies are not back yet.",
                        len(state.out),
                    )
                    % {"count": len(state.out)},
                )
    except BookingError as error:
        messages.error(request, error.message)
    return redirect("bookings-detail", pk=booking.pk)


def _borrower(booking: Booking) -> str:
    person = booking.teacher or booking.booked_by
    return (person.get_full_name() or person.username) if person else "?"


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@login_required
@require_POST
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "check_out")


@login_required
@require_POST
def check_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "check_return")


@login_required
def pick_list(request: HttpRequest) -> HttpResponse:
    """What to take off the shelves for the bookings starting on a day (tomorrow by default)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    day = _date(request.GET.get("day"))
    if day is None:  # the next day the school is open (Monday, on a Friday)
        tomorrow = _today() + dt.timedelta(days=1)
        day = rulebook.calendar_for(school, tomorrow).next_open(tomorrow, limit=14) or tomorrow
    return render(
        request,
        "bookings/pick_list.html",
        {
            "day": day,
            "picks": selectors.pick_list(school, day),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
    )


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.BOOKING)
    manage = has_perm(request.user, Perm.SCHOOL_MANAGE, school)
    form = None
    if manage:
        form = ResourceForm(request.POST or None, school=school)
        if request.method == "POST" and form.is_valid():
            try:
                resource = services.create_resource(_me(request), school, **form.cleaned_data)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("Added “%(name)s”.") % {"name": resource.name})
                return redirect("bookings-resources")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "bookings/resources.html",
        {"resources": selectors.resources_of(school), "form": form},
    )


@login_required
def resource(request: HttpRequest, pk: int) -> HttpResponse:
    found = denials.get_or_404(
        request,
        scope(Resource.objects.select_related("school", "location"), request.user, Perm.BOOKING),
        pk=pk,
    )
    manage = has_perm(request.user, Perm.SCHOOL_MANAGE, found.school)
    form = None
    if manage:
        initial = {
            "kind": found.kind,
            "name": found.name,
            "description": found.description,
            "units": found.units,
            "location": found.location_id,
            "active": found.active,
        }
        form = ResourceForm(request.POST or None, initial=initial, school=found.school)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_resource(_me(request), found, **form.cleaned_data)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("Saved."))
                return redirect("bookings-resource", pk=found.pk)
    elif request.method == "POST":
        raise PermissionDenied
    today = _today()
    return render(
        request,
        "bookings/resource.html",
        {
            "resource": found,
            "form": form,
            "bookings": selectors.bookings_for_resource(found).filter(ends__gte=today)[:100],
            "new_link": f"{reverse('bookings-new')}?{urlencode({'resource': found.pk})}",
        },
    )
