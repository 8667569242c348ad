"""The device pages: the list, a device, the CSV import, assigning to a class by scanning,
the swap at the desk, the year-end count, the lost export and the replacement plan. Thin:
parse, call a service or selector, render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.circulation.errors import CirculationError
from reol.core import csvsafe, denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, schools_with
from reol.core.uploads import declared_too_large
from reol.patrons.models import Group
from reol.patrons.selectors import groups_at
from reol.rosters.reader import TableError

from . import returns, selectors, services
from .importer import FIELDS, MAX_BYTES, import_devices
from .models import Device, DeviceState

LOST_COLUMNS = [
    "asset_tag",
    "serial_number",
    "mac_addresses",
    "model",
    "school",
    "lost_on",
    "last_borrower",
]


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _problem(error: Exception) -> str:
    if isinstance(error, CirculationError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    state = request.GET.get("state", "")
    rows = selectors.devices(request.user).filter(school=school).order_by("item__barcode")
    if state in DeviceState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "technology/home.html",
        {
            "devices": rows[:500],
            "count": rows.count(),
            "state": state,
            "states": DeviceState.choices,
            "groups": groups_at(school),
            "technology": has_perm(request.user, Perm.TECHNOLOGY, school),
        },
    )


@login_required
def device(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    found = denials.get_or_404(
        request, selectors.devices(request.user).filter(school=school), pk=pk
    )
    technology = has_perm(request.user, Perm.TECHNOLOGY, school)
    if request.method == "POST" and technology and "lost" in request.POST:
        try:
            services.flag_lost(_me(request), school, found.item.barcode)
            messages.success(request, _("%(tag)s is flagged as lost.") % {"tag": found})
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _problem(error))
        return redirect("technology-device", pk=pk)
    return render(
        request,
        "technology/device.html",
        {
            "device": found,
            "technology": technology,
            "orders": found.work_orders.all()[:50] if technology else [],
            "loan": selectors.device_loans(school).filter(item=found.item).first(),
            "loan_history": found.item.loans.exists(),
            "charging": returns.charges_on(school),
            "charge_list": found.charges.select_related("patron"),
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.TECHNOLOGY)
    report, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if declared_too_large(request, MAX_BYTES) or (upload and (upload.size or 0) > MAX_BYTES):
            error = _("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_BYTES // 2**20}
        elif upload is None:
            error = _("Choose the CSV file to import.")
        else:
            mapping = {k: request.POST.get(f"column_{k}", "").strip() for k in FIELDS}
            try:
                report = import_devices(
                    _me(request),
                    school,
                    upload.read(MAX_BYTES + 1),
                    mapping=mapping,
                    name=upload.name or "",
                )
            except TableError as problem:
                error = str(problem)
    return render(
        request,
        "technology/import.html",
        {"report": report, "error": error, "fields": FIELDS.items()},
    )


def _class_of(request: HttpRequest, pk: int) -> Group:
    school = school_for(request, Perm.CIRCULATION_DESK)
    return denials.get_or_404(request, Group.objects.filter(school=school), pk=pk)


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """One page for a class: scan a device, it goes to the proposed student, the next is
    proposed (another student can be chosen in the list)."""
    group = _class_of(request, pk)
    seats = selectors.class_seats(group)
    proposed = selectors.next_without_device(seats)
    chosen = request.GET.get("student") or request.POST.get("student")
    if chosen:
        proposed = next((s for s in seats if str(s.patron.user_id) == chosen), proposed)
    if request.method == "POST":
        tag = request.POST.get("tag", "").strip()
        if proposed is None:
            messages.error(request, _("Every student in the class has a device."))
        elif tag:
            try:
                services.assign_device(
                    _me(request), group.school, proposed.patron.user, tag, group=group
                )
                messages.success(
                    request,
                    _("%(tag)s lent to %(name)s.") % {"tag": tag, "name": proposed.patron.user},
                )
            except (ValidationError, CirculationError, PermissionDenied) as error:
                messages.error(request, f"{tag}: {_problem(error)}")
        return redirect("technology-assign", pk=pk)
    done = sum(1 for s in seats if s.loan is not None)
    return render(
        request,
        "technology/assign.html",
        {"group": group, "seats": seats, "proposed": proposed, "done": done},
    )


@login_required
def collect(request: HttpRequest, pk: int) -> HttpResponse:
    """The year-end count of a class: scan what comes back; what is still out is listed with
    its borrower, and the devices of students who have left."""
    group = _class_of(request, pk)
    if request.method == "POST":
        tag = request.POST.get("tag", "").strip()
        missing = request.POST.getlist("missing")
        try:
            got = services.collect_device(_me(request), group.school, tag, missing=missing)
            text = _("%(tag)s is back.") % {"tag": got.device}
            if got.missing:
                text += " " + _("Missing: %(what)s.") % {"what": ", ".join(got.missing)}
                messages.warning(request, text)
            else:
                messages.success(request, text)
        except (ValidationError, CirculationError, PermissionDenied) as error:
            messages.error(request, f"{tag}: {_problem(error)}")
        return redirect("technology-collect", pk=pk)
    count = selectors.year_end_count(group)
    accessories = sorted(
        {a for d in Device.objects.filter(school=group.school) for a in d.accessories}
    )
    return render(request, "technology/collect.html", {"count": count, "accessories": accessories})


@login_required
def swap(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    if request.method == "POST":
        try:
            done = services.swap_for_loaner(
                _me(request),
                school,
                request.POST.get("broken", ""),
                request.POST.get("loaner", ""),
                problem=request.POST.get("problem", ""),
            )
            messages.success(
                request,
                _("%(loaner)s lent to %(name)s instead of %(broken)s; work order %(n)d.")
                % {
                    "loaner": done.loaner,
                    "name": done.patron,
                    "broken": done.broken,
                    "n": done.order.pk,
                },
            )
            return redirect("technology-swap")
        except (ValidationError, CirculationError, PermissionDenied) as error:
            messages.error(request, _problem(error))
    return render(request, "technology/swap.html", {"values": request.POST})


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    """The replacement plan, for the active school or (a consultant) the municipality."""
    school = school_for(request, Perm.REPORTS_VIEW)
    whole = request.GET.get("scope") == "municipality"
    schools = schools_with(request.user, Perm.REPORTS_VIEW)
    schools = (
        schools.filter(municipality_id=school.municipality_id)
        if whole
        else schools.filter(pk=school.pk)
    )
    technology = has_perm(request.user, Perm.TECHNOLOGY, school)
    if request.method == "POST" and technology:
        _save_model(request, school)
        return redirect(request.get_full_path())
    today = timezone.localdate()
    return render(
        request,
        "technology/plan.html",
        {
            "plan": selectors.replacement_plan(schools, today),
            "whole": whole,
            "schools": schools,
            "technology": technology,
        },
    )


def _save_model(request: HttpRequest, school: School) -> None:
    """A model's expected life and replacement price, from the plan page."""
    record = denials.get_or_404(
        request,
        Record.objects.filter(municipality_id=school.municipality_id),
        pk=request.POST.get("record") or 0,
    )
    try:
        life = int(request.POST.get("life", ""))
        text = request.POST.get("price", "").replace(",", ".").strip()
        price = Decimal(text).quantize(Decimal("0.01")) if text else None
        services.save_device_model(
            _me(request), school, record, expected_life_years=life, replacement_price=price
        )
        messages.success(request, _("Saved."))
    except (ValueError, InvalidOperation):
        messages.error(request, _("Write the life in years and the price as numbers."))
    except ValidationError as error:
        messages.error(request, _problem(error))


@login_required
def lost_export(request: HttpRequest) -> HttpResponse:
    """Lost devices as CSV for the IT department's own tools."""
    school_for(request, Perm.TECHNOLOGY)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lost-devices.csv"'
    response.write(csvsafe.BOM)
    out = csvsafe.writer(response)
    out.writerow(LOST_COLUMNS)
    for row in selectors.lost_devices(schools_with(request.user, Perm.TECHNOLOGY)):
        out.writerow(
            [
                (row.item.barcode),
                (row.serial_number),
                " ".join(row.mac_addresses),
                (row.item.record.title),
                (row.school.code),
                row.lost_on.isoformat() if row.lost_on else "",
                (row.last_borrower.username if row.last_borrower else ""),
            ]
        )
    return response


@require_POST
@login_required
def pick_class(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    group = denials.get_or_404(
        request, Group.objects.filter(school=school), pk=request.POST.get("group") or 0
    )
    target = "technology-collect" if request.POST.get("to") == "collect" else "technology-assign"
    return redirect(reverse(target, args=[group.pk]))
