"""The librarian's pages: external catalogues, interlibrary loans, licences, and the staff
search beyond the school. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.circulation.errors import CirculationError
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, has_perm, is_student_only

from . import exchange, federated, ill, licences, selectors, services
from . import messages as outgoing
from .forms import AnswerForm, LicenceForm, ReceiveForm, TargetForm
from .models import ExternalTarget, IllRequest
from .states import TRANSITIONS, IllState

S = IllState


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    form = TargetForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_target(_me(request), school, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Catalogue added."))
            return redirect("external-targets")
    found = selectors.targets_of(school)
    return render(request, "external/targets.html", {"targets": found, "form": form})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Staff search beyond the school: the page at once, the answers as a fragment after."""
    school_for(request, Perm.STAFF_SHELL)
    q = request.GET.get("q", "").strip()[: federated.MAX_TEXT]
    beyond_url = f"{reverse('external-beyond')}?{urlencode({'q': q})}"
    return render(request, "external/search.html", {"q": q, "beyond_url": beyond_url})


def beyond_context(request: HttpRequest, school: Any, q: str) -> dict[str, Any]:
    """What ``external/_beyond.html`` shows (the OPAC's fragment uses it too)."""
    student = not request.user.is_authenticated or is_student_only(_me(request))
    answers = federated.search_beyond(school, q, student=student) if school else []
    return {"answers": answers, "q": q, "student": student, "school": school}


@login_required
def beyond(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.STAFF_SHELL)
    q = request.GET.get("q", "").strip()[: federated.MAX_TEXT]
    return render(request, "external/_beyond.html", beyond_context(request, school, q))


@login_required
def ill_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    rows = selectors.requests_to_handle(_me(request)).filter(school=school)[:300]
    return render(request, "external/ill_list.html", {"requests": rows})


def _request_of(request: HttpRequest, pk: int) -> IllRequest:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    return denials.get_or_404(
        request, selectors.requests_to_handle(_me(request)).filter(school=school), pk=pk
    )


@login_required
def ill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = _request_of(request, pk)
    allowed = TRANSITIONS[loan.state]
    context = {
        "loan": loan,
        "allowed": allowed,
        "S": {s.name: s.value for s in IllState},
        "outgoing": outgoing.outgoing(loan),
        "receive_form": ReceiveForm(initial={"lender_due": loan.lender_due}),
        "answer_form": AnswerForm(),
        "targets": selectors.targets_of(loan.school).filter(enabled=True),
    }
    return render(request, "external/ill_detail.html", context)


ACTIONS = {
    "approve": lambda user, loan, data: ill.approve(user, loan, target=data.get("target")),
    "send": lambda user, loan, data: exchange.send(user, loan),
    "accepted": lambda user, loan, data: ill.lender_answered(
        user, loan, accepted=True, note=data.get("note", ""), reference=data.get("reference", "")
    ),
    "refused": lambda user, loan, data: ill.lender_answered(
        user, loan, accepted=False, note=data.get("note", ""), reference=data.get("reference", "")
    ),
    "shipped": lambda user, loan, data: ill.shipped(user, loan),
    "cancel": lambda user, loan, data: ill.cancel(user, loan),
}


def _target(request: HttpRequest, loan: IllRequest, value: str | None) -> ExternalTarget | None:
    if not value:
        return None
    return denials.get_or_404(request, selectors.targets_of(loan.school), pk=value)


@login_required
@require_POST
def ill_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    loan = _request_of(request, pk)
    try:
        if action == "receive":
            form = ReceiveForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            ill.receive(_me(request), loan, **form.cleaned_data)
        elif action == "send_back":
            _returned, problem = exchange.send_back(_me(request), loan)
            if problem:
                messages.warning(request, problem)
        elif action in ACTIONS:
            data = {
                **request.POST.dict(),
                "target": _target(request, loan, request.POST.get("target")),
            }
            ACTIONS[action](_me(request), loan, data)
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        loan.refresh_from_db()
        messages.success(
            request, _("The request is now: %(state)s.") % {"state": loan.get_state_display()}
        )
    return redirect("external-ill-detail", pk=pk)


@login_required
def ill_form(request: HttpRequest, pk: int) -> HttpResponse:
    loan = _request_of(request, pk)
    response = HttpResponse(outgoing.form_pdf(loan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ill-{loan.pk}.pdf"'
    return response


@login_required
def ill_iso(request: HttpRequest, pk: int) -> HttpResponse:
    loan = _request_of(request, pk)
    response = HttpResponse(outgoing.iso18626_request(loan), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="ill-{loan.pk}.xml"'
    return response


@login_required
def licence_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    form = LicenceForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        record = denials.get_or_404(
            request, Record.objects.filter(municipality=school.municipality), pk=data.pop("record")
        )
        try:
            licences.save_licence(_me(request), record, school, **data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Licence saved."))
            return redirect(reverse("external-licences"))
    rows = selectors.licences_of(_me(request), school)
    expiring = set(licences.expiring(school).values_list("pk", flat=True))
    return render(
        request, "external/licences.html", {"licences": rows, "form": form, "expiring": expiring}
    )


def records_panel(request: HttpRequest, query: Any, school: Any) -> str:
    """The staff catalogue's search: a slot that fetches other libraries' answers after."""
    if not query or not has_perm(request.user, Perm.STAFF_SHELL, school):
        return ""
    url = f"{reverse('external-beyond')}?{urlencode({'q': query})}"
    return render_to_string("external/_beyond_slot.html", {"q": query, "url": url}, request)
