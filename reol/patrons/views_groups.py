"""Pages of a school's groups: the list, a group with its members and loans, class cards and
card numbers, and a teacher's own classes. Another school's group is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reol.core import calendar
from reol.core.middleware import school_for
from reol.core.permissions import Perm, has_perm, require, scope
from reol.core.selectors import card_or_username

from . import cards, forms, selectors, services
from .borrowing import borrowing
from .models import Group, GroupMember, Patron
from .views import _actor, _form_errors, _group, _patron, _pk

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
