"""Pages of the patrons app. Thin: find the object through ``core.permissions.scope``, parse a
form, call a service, render. Another school's patron or group is a 404; a missing permission at
one's own school is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import calendar, denials
from reol.core import services as core_services
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.panels import render_panels
from reol.core.permissions import Perm, has_perm, scope

from . import forms, selectors, services
from .borrowing import borrowing
from .models import Block, Group, GroupMember, Patron, PatronCategory

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _patron(request: HttpRequest, school: School, pk: int, perm: Perm = Perm.PEOPLE_VIEW) -> Patron:
    patrons = scope(Patron.objects.filter(school=school), request.user, perm)
    return denials.get_or_404(request, patrons.select_related("user", "school"), pk=pk)


def _group(request: HttpRequest, school: School, pk: int, perm: Perm = Perm.PEOPLE_VIEW) -> Group:
    groups = scope(Group.objects.filter(school=school), request.user, perm)
    return denials.get_or_404(request, groups.select_related("school"), pk=pk)


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Patrons -----------------------------------------------------------------------------------


@login_required
def patron_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    group_id = request.GET.get("group", "")
    show = request.GET.get("show", "active")
    group = None
    if group_id.isdigit():
        group = Group.objects.filter(school=school, pk=int(group_id)).first()
    active = {"active": True, "inactive": False}.get(show)
    patrons = scope(
        selectors.patrons_at(school, query=query, category=category, group=group, active=active),
        request.user,
        Perm.PEOPLE_VIEW,
    )
    page = Paginator(patrons, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patrons/patron_list.html",
        {
            "school": school,
            "page": page,
            "query": query,
            "category": category,
            "categories": PatronCategory.choices,
            "group": group,
            "groups": selectors.groups_at(school),
            "show": show,
            "can_manage": has_perm(request.user, Perm.PEOPLE_MANAGE, school),
        },
    )


@login_required
def patron_add(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    form = forms.PatronForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patron = services.create_patron(
                _actor(request),
                school,
                category=data["category"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                card_barcode=data["card_barcode"] or None,
                pin=data["pin"] or None,
                grade=data["grade"],
                guardian_emails=data["guardian_emails"],
                preferred_language=data["preferred_language"],
                guardian_language=data["guardian_language"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is a patron now.") % {"name": patron.user})
            return redirect("patrons-detail", pk=patron.pk)
    return render(request, "patrons/patron_add.html", {"school": school, "form": form})


@login_required
def patron_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    patron = _patron(request, school, pk)
    return _patron_page(request, school, patron)


def _patron_page(
    request: HttpRequest, school: School, patron: Patron, block_form: Any = None
) -> HttpResponse:
    """The patron's page; after a refused block it comes back with the form as typed and its
    errors at its fields (and in the summary at the top), answered 400."""
    # Every staff view of a person's record is in the audit log (like the desk and people page).
    core_services.record_person_view(_actor(request), patron.user, school)
    memberships = (
        GroupMember.objects.filter(patron=patron)
        .select_related("group")
        .order_by("-group__school_year", "group__name")
    )
    return render(
        request,
        "patrons/patron_detail.html",
        {
            "school": school,
            "patron": patron,
            "person": patron.user,
            "memberships": memberships,
            "blocks": Block.objects.filter(patron=patron).select_related("created_by", "lifted_by"),
            "loans": list(borrowing().open_loans(patron.user, school)),
            "history": list(borrowing().kept_history(patron.user, school)[:50]),
            "block_form": block_form or forms.BlockForm(),
            "can_manage": has_perm(request.user, Perm.PEOPLE_MANAGE, school),
            "can_audit": has_perm(request.user, Perm.AUDIT_VIEW, school),
            "today": timezone.localdate(),
            "panels": render_panels("patrons.patron", request, patron, school),
        },
        status=400 if block_form else 200,
    )


@login_required
def patron_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    person = patron.user
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "card_barcode": person.card_barcode or "",
        "category": patron.category,
        "grade": patron.grade,
        "guardian_emails": patron.guardian_emails,
        "preferred_language": patron.preferred_language,
        "guardian_language": patron.guardian_language,
        "valid_until": patron.valid_until,
        "keeps_loan_history": patron.keeps_loan_history,
        "notes": patron.notes,
        "active": patron.active,
    }
    form = forms.PatronEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consent = data.pop("keeps_loan_history")
        changes = {k: v for k, v in data.items() if v != initial[k]}
        try:
            if changes:
                services.update_patron(_actor(request), patron, **changes)
            if consent != patron.keeps_loan_history:
                services.set_loan_history_consent(_actor(request), patron, consent)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("patrons-detail", pk=patron.pk)
    return render(
        request, "patrons/patron_edit.html", {"school": school, "patron": patron, "form": form}
    )


@login_required
@require_POST
def block_add(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    form = forms.BlockForm(request.POST)
    if form.is_valid():
        try:
            services.add_block(
                _actor(request),
                patron,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s may not borrow until the block is lifted.") % {"name": patron.user},
            )
            return redirect("patrons-detail", pk=patron.pk)
    return _patron_page(request, school, patron, block_form=form)


@login_required
@require_POST
def block_lift(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    block = denials.get_or_404(
        request,
        scope(
            Block.objects.filter(patron__school=school),
            request.user,
            Perm.PEOPLE_MANAGE,
            "patron__school",
        ),
        pk=pk,
    )
    try:
        services.lift_block(_actor(request), block)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The block is lifted."))
    return redirect("patrons-detail", pk=block.patron_id)


# --- The patron's own page ---------------------------------------------------------------------


@login_required
def self_service(request: HttpRequest) -> HttpResponse:
    """A student's or teacher's own library record: consent to keep history, own history, export."""
    user = _actor(request)
    patrons = list(Patron.objects.filter(user=user).select_related("school"))
    if request.method == "POST":
        patron = next((p for p in patrons if str(p.pk) == request.POST.get("patron")), None)
        if patron is None:
            raise Http404
        try:
            services.set_loan_history_consent(user, patron, request.POST.get("keep") == "yes")
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("patrons-self")
    rows = [
        {
            "patron": p,
            "groups": selectors.groups_of(user, p.school),
            "history": list(borrowing().kept_history(user, p.school)[:100]),
            "consents_alone": calendar.consents_alone(p.grade),
        }
        for p in patrons
    ]
    return render(request, "patrons/self.html", {"rows": rows})
