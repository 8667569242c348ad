"""The page where a school chooses what it shares with other library systems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.core.models import School
from reol.core.permissions import Perm, schools_with

from . import selectors, services
from .forms import TerminalForm
from .models import SipTerminal


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    schools = list(schools_with(request.user, Perm.SCHOOL_MANAGE).select_related("municipality"))
    if not schools:
        raise PermissionDenied
    terminal_form = TerminalForm(prefix="terminal")
    if request.method == "POST" and "terminal-login" in request.POST:
        refused = _add_terminal(request, schools)
        if refused is None:
            return redirect("protocols-settings")
        terminal_form = refused
    elif request.method == "POST" and "disable" in request.POST:
        found = SipTerminal.objects.filter(pk=request.POST["disable"], school__in=schools).first()
        if found is not None:
            services.disable_terminal(request.user, found)  # type: ignore[arg-type]
            messages.success(request, _("%(login)s is switched off.") % {"login": found.login})
        return redirect("protocols-settings")
    elif request.method == "POST":
        for school in schools:
            services.set_publication(
                request.user,  # type: ignore[arg-type]
                school,
                sru=f"sru-{school.pk}" in request.POST,
                oai=f"oai-{school.pk}" in request.POST,
            )
        messages.success(request, _("Saved what your schools share."))
        return redirect("protocols-settings")
    rows = []
    for school in schools:
        code = school.municipality.code
        rows.append(
            {
                "school": school,
                "publication": selectors.publication(school),
                "sru_url": request.build_absolute_uri(
                    reverse("sru-school", args=[code, school.code])
                ),
                "oai_url": request.build_absolute_uri(reverse("oai", args=[code])),
            }
        )
    terminals = SipTerminal.objects.filter(school__in=schools).select_related("school")
    return render(
        request,
        "protocols/settings.html",
        {"rows": rows, "terminals": terminals, "terminal_form": terminal_form},
    )


def _add_terminal(request: HttpRequest, schools: list[School]) -> TerminalForm | None:
    """Add a terminal at the first school the person manages (the one the page is for)."""
    form = TerminalForm(request.POST, prefix="terminal")
    if form.is_valid():
        try:
            services.add_terminal(
                request.user,  # type: ignore[arg-type]
                schools[0],
                login=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                encoding=form.cleaned_data["encoding"],
                require_pin=form.cleaned_data["require_pin"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return form
        messages.success(request, _("The terminal is added."))
        return None
    return form
