"""Pages of the patrons app. Thin: find the object through ``core.permissions.scope``, parse a
form, call a service, render. Another school's patron or group is a 404; a missing permission at
one's own school is a 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reol.core import calendar, denials
from reol.core import services as core_services
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.panels import render_panels
from reol.core.permissions import Perm, has_perm, require, scope
from reol.core.selectors import card_or_username

from . import cards, forms, privacy, rollover, selectors, services
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


@login_required
def patron_export(request: HttpRequest, pk: int, fmt: str = "html") -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    data = privacy.export_patron(_actor(request), patron.user)
    return _export_response(request, data, patron.user, fmt)


def _export_response(
    request: HttpRequest, data: dict[str, Any], person: User, fmt: str
) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        name = slugify(person.username) or "patron"
        response["Content-Disposition"] = f'attachment; filename="reol-{name}.json"'
        return response
    labels = {
        "username": _("Username"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail"),
        "card_barcode": _("Card barcode"),
        "preferred_language": _("Preferred language"),
        "joined": _("Added"),
        "last_sign_in": _("Last signed in"),
        "school": _("School"),
        "category": _("Category"),
        "grade": _("Grade"),
        "guardian_emails": _("Guardians' e-mail addresses"),
        "guardian_language": _("Guardians' language"),
        "valid_until": _("Valid until"),
        "notes": _("Notes"),
        "roster_id": _("Roster id"),
        "keeps_loan_history": _("Keeps loan history"),
        "active": _("Active"),
        "left_on": _("Left on"),
        "created": _("Added"),
    }

    def rows(values: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (str(labels.get(k, k)), _shown(k, v))
            for k, v in values.items()
            if k not in ("groups", "blocks")
        ]

    def shown(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: _shown(k, v) for k, v in item.items()} for item in items]

    return render(
        request,
        "patrons/export.html",
        {
            "data": {
                **data,
                "exported_at": _shown("exported_at", data["exported_at"]),
                "roles": shown(data["roles"]),
                "loans": shown(data["loans"]),
                "holds": shown(data["holds"]),
                "audit": shown(data["audit"]),
            },
            "person": person,
            "person_rows": rows(data["person"]),
            "patrons": [
                {
                    **p,
                    "rows": rows(p),
                    "groups": shown(p["groups"]),
                    "blocks": shown(p["blocks"]),
                }
                for p in data["patrons"]
            ],
        },
    )


_WHEN = {"joined", "last_sign_in", "created", "made", "lifted", "returned", "placed", "at"}
_WHEN |= {"exported_at", "lent"}
_DAYS = {"valid_until", "left_on", "due"}


def _shown(key: str, value: Any) -> Any:
    """A value of the export as a person reads it: labels in their language, yes/no, local
    dates (the JSON download keeps the codes and ISO values)."""
    from reol.core.languages import language_name
    from reol.core.models import Role

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    choices: dict[str, Any] = {
        "category": PatronCategory,
        "reason": Block.Reason,
    }
    if key == "role":
        for roles in (Role, GroupMember.Role):
            if value in roles.values:
                return roles(value).label
    if key == "state":
        return borrowing().state_labels.get(value, value)
    kind = choices.get(key)
    if kind is not None and value in kind.values:
        return kind(value).label
    if key in ("preferred_language", "guardian_language"):
        return language_name(value)
    if key in _WHEN | _DAYS and isinstance(value, str):
        try:
            if key in _DAYS or len(value) == 10:
                return date_format(dt.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "SHORT_DATETIME_FORMAT")
        except ValueError:
            return value
    return value


@login_required
def patron_erase(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    outstanding = list(privacy.outstanding_loans(patron.user, school))
    form = forms.EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = str(patron.user)
        try:
            privacy.erase_patron(_actor(request), patron, mark_lost=form.cleaned_data["mark_lost"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Everything about %(name)s at this school is erased.") % {"name": name}
            )
            return redirect("patrons-list")
    return render(
        request,
        "patrons/patron_erase.html",
        {"school": school, "patron": patron, "loans": outstanding, "form": form},
    )


# --- Groups ------------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    can_manage = has_perm(request.user, Perm.PEOPLE_MANAGE, school)
    year = calendar.current_school_year(school, timezone.localdate())
    form = forms.GroupForm(request.POST or None, initial={"school_year": year})
    if request.method == "POST":
        require(request.user, Perm.PEOPLE_MANAGE, school)
        if form.is_valid():
            try:
                group = services.create_group(_actor(request), school, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": group.name})
                return redirect("patrons-group", pk=group.pk)
    show = request.GET.get("show", "active")
    groups = scope(
        selectors.groups_at(school, active={"active": True, "inactive": False}.get(show)),
        request.user,
        Perm.PEOPLE_VIEW,
    )
    return render(
        request,
        "patrons/group_list.html",
        {"school": school, "groups": groups, "form": form, "can_manage": can_manage, "show": show},
    )


def _group_context(group: Group) -> dict[str, Any]:
    return {
        "group": group,
        "students": list(selectors.members_of(group, GroupMember.Role.STUDENT)),
        "teachers": list(selectors.members_of(group, GroupMember.Role.TEACHER)),
        "loans": list(borrowing().open_loans_of_group(group)),
        "unprintable": _unprintable(group),
        "today": timezone.localdate(),
    }


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_VIEW)
    group = _group(request, school, pk)
    can_manage = has_perm(request.user, Perm.PEOPLE_MANAGE, school)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Perm.PEOPLE_MANAGE, school)
        if form.is_valid():
            code = form.cleaned_data["person"].strip()
            patron = (
                Patron.objects.filter(school=school)
                .filter(card_or_username(code, prefix="user__"))
                .select_related("user")
                .first()
            )
            if patron is None:
                form.add_error("person", _("No patron at this school has that username or card."))
            else:
                try:
                    services.add_member(
                        _actor(request), group, patron, role=form.cleaned_data["role"]
                    )
                except ValidationError as error:
                    _form_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is in %(group)s.") % {"name": patron.user, "group": group.name},
                    )
                    return redirect("patrons-group", pk=group.pk)
    services.record_group_view(_actor(request), group)
    return render(
        request,
        "patrons/group_detail.html",
        {
            "school": school,
            "form": form,
            "can_manage": can_manage,
            "without_card": services.students_without_card(group),
            **_group_context(group),
        },
    )


@login_required
@require_POST
def group_remove_member(request: HttpRequest, pk: int, patron_pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    group = _group(request, school, pk, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, patron_pk, Perm.PEOPLE_MANAGE)
    if services.remove_member(_actor(request), group, patron):
        messages.success(
            request,
            _("%(name)s is no longer in %(group)s.") % {"name": patron.user, "group": group.name},
        )
    return redirect("patrons-group", pk=group.pk)


def _group_for_cards(request: HttpRequest, pk: int) -> Group:
    """The group whose library cards the signed-in person may print: staff who see the school's
    people, or a teacher of that very group. The one place this is decided."""
    school = school_for(request, Perm.STAFF_SHELL)
    if has_perm(request.user, Perm.PEOPLE_VIEW, school):
        return _group(request, school, pk)
    taught = selectors.groups_taught_by(_actor(request), school).filter(pk=pk).first()
    if taught is None:
        raise PermissionDenied(_("You may print the cards of your own classes only."))
    return taught


def _unprintable(group: Group) -> list[Patron]:
    members = selectors.members_of(group, GroupMember.Role.STUDENT).filter(patron__active=True)
    return [
        m.patron
        for m in members
        if cards.code_for(m.patron.user.card_barcode, m.patron.user.username) is None
    ]


@login_required
def group_cards(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group_for_cards(request, _pk(pk))
    members = selectors.members_of(group, GroupMember.Role.STUDENT).filter(patron__active=True)
    sheet = []
    for m in members:
        code = cards.code_for(m.patron.user.card_barcode, m.patron.user.username)
        if code is None:
            # A barcode that does not scan back finds nobody at the desk: no card at all is
            # better; the group page lists these students and offers card numbers.
            continue
        sheet.append(
            cards.Card(
                name=m.patron.user.get_full_name() or m.patron.user.username,
                group=f"{group.name} · {group.school_year}",
                school=group.school.name,
                code=code,
            )
        )
    pdf = cards.render(sheet, title=_("Library cards %(group)s") % {"group": group.name})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="cards-{slugify(group.name) or group.pk}.pdf"'
    )
    return response


@login_required
@require_POST
def group_assign_cards(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    group = _group(request, school, pk, Perm.PEOPLE_MANAGE)
    given = services.assign_cards(_actor(request), group)
    messages.success(
        request,
        ngettext(
            "%(count)s student has a card number now.",
            "%(count)s students have a card number now.",
            len(given),
        )
        % {"count": len(given)},
    )
    return redirect("patrons-group", pk=group.pk)


# --- A teacher's classes ------------------------------------------------------------------------


@login_required
def my_classes(request: HttpRequest) -> HttpResponse:
    """The loans out to the classes the signed-in teacher teaches; nobody else's classes."""
    school = school_for(request, Perm.STAFF_SHELL)
    groups = list(selectors.groups_taught_by(_actor(request), school).order_by("grade", "name"))
    for group in groups:
        services.record_group_view(_actor(request), group)
    return render(
        request,
        "patrons/my_classes.html",
        {
            "school": school,
            "classes": [_group_context(g) for g in groups],
            "today": timezone.localdate(),
        },
    )


# --- Privacy settings ------------------------------------------------------------------------


@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    current = selectors.privacy_of(school)
    form = forms.PrivacyForm(
        request.POST or None,
        initial={
            "anonymise_after_days": current.anonymise_after_days,
            "leaver_retention_days": current.leaver_retention_days,
            "random_card_numbers": current.random_card_numbers,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "anonymise":
            count = privacy.anonymise_loans(_actor(request), school=school)
            messages.success(
                request,
                _("%(count)s returned loans no longer name their borrower.") % {"count": count},
            )
            return redirect("patrons-privacy")
        if form.is_valid():
            try:
                services.set_privacy_settings(_actor(request), school, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("patrons-privacy")
    return render(
        request,
        "patrons/privacy.html",
        {"school": school, "form": form, "keeps_history": school.keep_loan_history},
    )


# --- Year-end rollover -------------------------------------------------------------------------


def _leaving_ids(request: HttpRequest) -> list[int] | None:
    chosen = request.POST.getlist("leaving") or request.GET.getlist("leaving")
    if not chosen and "chosen" not in request.GET and "chosen" not in request.POST:
        return None
    return [int(v) for v in chosen if v.isdigit()]


@login_required
def rollover_page(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    actor = _actor(request)
    today = timezone.localdate()
    leaving = _leaving_ids(request)
    current = rollover.plan(school, leaving=leaving, today=today)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "deactivate":
                count = rollover.deactivate_leavers(actor, school, current.leaving, today=today)
                messages.success(
                    request, _("%(count)s leavers are no longer active.") % {"count": count}
                )
            elif action == "promote" and current.leaving:
                messages.error(
                    request,
                    _("Deactivate the leavers first (step 3), or untick their groups in step 1."),
                )
            elif action == "promote":
                to_year = request.POST.get("to_year", "").strip()[:16] or current.next_year
                done = rollover.promote_groups(
                    actor, school, from_year=current.school_year, to_year=to_year
                )
                messages.success(
                    request,
                    _("%(count)s groups moved up to %(year)s.")
                    % {"count": len(done.moved), "year": to_year},
                )
                for name, why in done.skipped:
                    messages.warning(
                        request,
                        _("%(group)s was not moved: %(why)s.") % {"group": name, "why": why},
                    )
            elif action == "erase":
                result = rollover.erase_leavers(
                    actor, school, mark_lost=request.POST.get("mark_lost") == "on", today=today
                )
                messages.success(
                    request, _("%(count)s leavers are erased.") % {"count": result.erased}
                )
                if result.kept_for_loans:
                    messages.warning(
                        request,
                        _("Not erased yet, because they still have loans: %(names)s.")
                        % {"names": ", ".join(result.kept_for_loans[:20])},
                    )
        except ValidationError as error:
            _error_message(request, error)
        if leaving is None:
            return redirect("patrons-rollover")
        chosen = "".join(f"&leaving={pk}" for pk in leaving)
        return redirect(f"{reverse('patrons-rollover')}?chosen=1{chosen}")
    return render(
        request,
        "patrons/rollover.html",
        {
            "school": school,
            "plan": current,
            "due": rollover.leavers_due(school, today),
            "privacy": selectors.privacy_of(school),
            "inactive_groups": selectors.groups_at(school, active=False)[:50],
        },
    )


@login_required
def rollover_loans(request: HttpRequest) -> HttpResponse:
    """The leavers' outstanding loans, one printable section per class (step 2)."""
    school = school_for(request, Perm.PEOPLE_MANAGE)
    current = rollover.plan(school, leaving=_leaving_ids(request))
    return render(
        request,
        "patrons/rollover_loans.html",
        {
            "school": school,
            "plan": current,
            "classes": rollover.leavers_loans(current.leaving),
            "today": timezone.localdate(),
        },
    )


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


@login_required
def self_export(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    user = _actor(request)
    return _export_response(request, privacy.export_patron(user, user), user, fmt)
