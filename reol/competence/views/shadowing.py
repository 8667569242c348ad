"""Job-shadowing in a network: placements offered, requested, matched, reported."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reol.core.permissions import Perm

from .. import access, forms
from ..models import Network, Placement, ShadowingRequest
from ..services import shadowing
from .common import as_int, me, network_for, run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Not a date: write it as YYYY-MM-DD.")) from None


def _act(request: HttpRequest, network: Network, action: str) -> None:
    user, post = me(request), request.POST
    if action == "request":
        placement = get_object_or_404(Placement, pk=as_int(post.get("placement")), network=network)
        shadowing.request_placement(user, placement, goals=post.get("goals", ""))
        messages.success(request, _("Your request is sent to the coordinator."))
        return
    found = get_object_or_404(
        ShadowingRequest, pk=as_int(post.get("request")), placement__network=network
    )
    if action == "match":
        shadowing.match(
            user, found, starts=_date(post.get("starts", "")), ends=_date(post.get("ends", ""))
        )
        messages.success(request, _("Matched and scheduled."))
    elif action == "decline":
        shadowing.decline(user, found)
        messages.success(request, _("The request is declined."))
    elif action == "report":
        shadowing.report(
            user, found, reflection=post.get("reflection", ""), shared=post.get("shared") == "on"
        )
        messages.success(request, _("Your reflection is saved."))


@login_required
def placements(request: HttpRequest, pk: int) -> HttpResponse:
    network = network_for(request, pk)
    user = me(request)
    coordinator = access.may(user, Perm.NETWORK_COORDINATE, network)
    places = access.workplaces(user, network)
    if coordinator:  # a coordinator offers for any member library that is not a school
        places += [
            access.Workplace(library=lib)
            for lib in network.libraries.all()
            if access.Workplace(library=lib) not in places
        ]
    choices = [(w.key, w.name) for w in places]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.PlacementForm(request.POST if action == "offer" else None, workplaces=choices)
    if action == "offer":

        def offer(d: dict[str, object]) -> None:
            place = next(w for w in places if w.key == d.pop("workplace"))
            shadowing.offer_placement(user, network, place, **d)  # type: ignore[arg-type]

        if run(form, offer):
            messages.success(request, _("The placement is offered to the network."))
            return redirect("competence-shadowing", pk=network.pk)
    elif action:
        try:
            _act(request, network, action)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("competence-shadowing", pk=network.pk)
    offered = network.placements.select_related("school", "library").prefetch_related(
        "requests__visitor"
    )
    return render(
        request,
        "competence/shadowing.html",
        {
            "network": network,
            "coordinator": coordinator,
            "placements": offered,
            "form": form,
            "can_offer": bool(choices),
            "shared": ShadowingRequest.objects.filter(
                placement__network=network, shared=True, status="completed"
            ).select_related("visitor", "placement"),
        },
        status=400 if action else 200,
    )
