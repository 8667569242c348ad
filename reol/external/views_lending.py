"""Lending to others: the ISO 18626 endpoint partners post to, and the librarian's pages for
what partners and sibling schools ask of us. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reol.circulation.errors import CirculationError
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, scope

from . import exchange, iso18626, outbox, selectors, sibling
from .forms import PartnerAnswerForm, SupplyForm
from .models import ExternalTarget, OutgoingMessage, OutgoingState, PartnerRequest
from .models import PartnerRequestState as P


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@csrf_exempt
@require_POST
def endpoint(request: HttpRequest) -> HttpResponse:
    """Partners' ISO 18626 messages (a bearer token per partner; at most 64 KiB)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > iso18626.MAX_BYTES:
        return HttpResponse(status=413)
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    status, body = exchange.receive(request.read(iso18626.MAX_BYTES + 1), token)
    response = HttpResponse(body, status=status, content_type=iso18626.CONTENT_TYPE)
    if status == 429:
        response["Retry-After"] = "60"  # at most: the partner's count starts again each minute
    return response


@login_required
def lending(request: HttpRequest) -> HttpResponse:
    """What partners (ISO 18626) and our sibling schools ask of this school."""
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    partners = scope(PartnerRequest.objects.all(), _me(request), Perm.EXTERNAL_MANAGE)
    partners = partners.filter(school=school).select_related("partner", "item")[:200]
    siblings = sibling.asked_of(_me(request)).filter(target__lending_school=school)[:200]
    undelivered = outbox.of_school(school).exclude(state=OutgoingState.SENT)[:100]
    context = {
        "undelivered": undelivered,
        "partner_requests": [
            (asked, exchange.PARTNER_STEPS[asked.state], PartnerAnswerForm(prefix=f"p{asked.pk}"))
            for asked in partners
        ],
        "sibling_requests": [(loan, SupplyForm(prefix=f"s{loan.pk}")) for loan in siblings],
        "P": {s.name: s.value for s in P},
    }
    return render(request, "external/lending.html", context)


def _done(request: HttpRequest, action: object) -> HttpResponse:
    try:
        action()  # type: ignore[operator]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Saved. The other library is told as soon as its system answers.")
        )
    return redirect("external-lending")


@login_required
@require_POST
def answer_partner(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    found = scope(PartnerRequest.objects.all(), _me(request), Perm.EXTERNAL_MANAGE)
    asked = denials.get_or_404(
        request, found.filter(school=school).select_related("partner"), pk=pk
    )
    if state not in P.values:
        raise Http404
    form = PartnerAnswerForm(request.POST, prefix=f"p{asked.pk}")
    data = form.cleaned_data if form.is_valid() else {}
    return _done(
        request,
        lambda: exchange.answer_partner(
            _me(request),
            asked,
            state,
            due=data.get("due"),
            note=data.get("note", ""),
            barcode=data.get("barcode", ""),
        ),
    )


@login_required
@require_POST
def supply_sibling(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    loan = denials.get_or_404(
        request, sibling.asked_of(_me(request)).filter(target__lending_school=school), pk=pk
    )
    if step == "refuse":
        return _done(request, lambda: sibling.cannot_supply(_me(request), loan))
    form = SupplyForm(request.POST, prefix=f"s{loan.pk}")
    if step != "supply" or not form.is_valid():
        messages.error(request, _("Scan the copy and give the date it must be back."))
        return redirect("external-lending")
    data = form.cleaned_data
    return _done(
        request,
        lambda: sibling.supply(_me(request), loan, barcode=data["barcode"], due=data["due"]),
    )


@login_required
@require_POST
def partner_token(request: HttpRequest, pk: int) -> HttpResponse:
    """A new token for the partner to show us; shown once, on this page."""
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    target: ExternalTarget = denials.get_or_404(request, selectors.targets_of(school), pk=pk)
    try:
        token = exchange.issue_partner_token(_me(request), school, target)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("external-targets")
    return render(request, "external/partner_token.html", {"target": target, "token": token})


@login_required
@require_POST
def retry_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Send again a message the partner's system did not take."""
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    found = scope(OutgoingMessage.objects.all(), _me(request), Perm.EXTERNAL_MANAGE)
    message = denials.get_or_404(request, found.filter(school=school), pk=pk)
    return _done(request, lambda: outbox.retry(_me(request), message))
