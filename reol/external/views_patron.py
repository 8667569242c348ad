"""Pages for everyone signed in: ask the library to borrow a title, see one's requests, open a
licensed film or resource."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reol.core import denials
from reol.core.auth import client_ip
from reol.core.models import User
from reol.core.permissions import Perm, has_perm

from . import ill, licences, selectors
from .forms import RequestForm
from .models import Licence


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _school(request: HttpRequest):  # type: ignore[no-untyped-def]
    school = getattr(request, "school", None)
    if not school:
        raise PermissionDenied(_("You have no role at any school."))
    return school


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = RequestForm(request.POST or request.GET or None)
    teacher = has_perm(request.user, Perm.PLANNING, school)
    if not teacher:
        del form.fields["week"]
        del form.fields["topic"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target_id = data.pop("target", None)
        target = (
            denials.get_or_404(
                request, selectors.targets_of(school).filter(enabled=True), pk=target_id
            )
            if target_id
            else None
        )
        try:
            ill.request_loan(_me(request), school, target=target, **data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you. The library will borrow it for you."))
            return redirect("external-mine")
    return render(request, "external/ask.html", {"form": form, "teacher": teacher})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    rows = selectors.my_requests(_me(request), school)[:100]
    return render(request, "external/mine.html", {"requests": rows})


def open_licence(request: HttpRequest, pk: int) -> HttpResponse:
    licence = denials.get_or_404(request, Licence.objects.select_related("record"), pk=pk)
    if request.session.session_key is None:
        request.session.save()  # a seat is held by the browser session (its digest only)
    holder = licences.seat_holder(request.session.session_key or "")
    try:
        url = licences.open_licence(licence, request.user, client_ip(request), holder)
    except licences.SeatsTaken as full:
        context = {"licence": licence, "message": str(full)}
        return render(request, "external/seats_full.html", context, status=409)
    return redirect(url)
