"""Job-shadowing: offer a placement, request it, match and schedule it, report afterwards."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import User
from reol.core.permissions import Actor, Perm

from .. import access
from ..models import Network, Placement, ShadowingRequest


@transaction.atomic
def offer_placement(
    actor: User,
    network: Network,
    workplace: access.Workplace,
    *,
    title: str,
    learn: str,
    available_from: dt.date,
    available_to: dt.date,
) -> Placement:
    """A member library offers a placement: its own staff, or a coordinator for it."""
    coordinator = access.may(actor, Perm.NETWORK_COORDINATE, network)
    if not coordinator:
        access.require(actor, Perm.COMPETENCE, network)
        if workplace not in access.workplaces(actor, network):
            raise PermissionDenied(_("You can offer placements at your own library only."))
    if available_to < available_from:
        raise ValidationError({"available_to": _("The end is before the start.")})
    placement = Placement.objects.create(
        network=network,
        school=workplace.school,
        library=workplace.library,
        title=title,
        learn=learn,
        available_from=available_from,
        available_to=available_to,
        offered_by=actor,
    )
    audit.record(actor, "shadowing.offer", placement)
    return placement


@transaction.atomic
def request_placement(actor: User, placement: Placement, *, goals: str) -> ShadowingRequest:
    access.require(actor, Perm.COMPETENCE, placement.network)
    if not goals.strip():
        raise ValidationError({"goals": _("Write what you want to learn.")})
    if placement.requests.exclude(status="declined").filter(visitor=actor).exists():
        raise ValidationError(_("You have asked for this placement already."))
    request = ShadowingRequest.objects.create(
        placement=placement, visitor=actor, status="requested", goals=goals.strip()
    )
    audit.record(actor, "shadowing.request", placement)
    return request


@transaction.atomic
def match(
    actor: Actor, request: ShadowingRequest, *, starts: dt.date, ends: dt.date
) -> ShadowingRequest:
    placement = request.placement
    access.require(actor, Perm.NETWORK_COORDINATE, placement.network)
    if request.status != ShadowingRequest.Status.REQUESTED:
        raise ValidationError(_("Only a waiting request can be matched."))
    if not (placement.available_from <= starts <= ends <= placement.available_to):
        raise ValidationError(_("Choose dates within the placement's period."))
    request.status, request.starts, request.ends = "matched", starts, ends
    request.save(update_fields=["status", "starts", "ends"])
    audit.record(actor, "shadowing.match", placement, details={"visitor": request.visitor.username})
    return request


@transaction.atomic
def decline(actor: Actor, request: ShadowingRequest) -> ShadowingRequest:
    access.require(actor, Perm.NETWORK_COORDINATE, request.placement.network)
    if request.status != ShadowingRequest.Status.REQUESTED:
        raise ValidationError(_("Only a waiting request can be declined."))
    request.status = "declined"
    request.save(update_fields=["status"])
    audit.record(actor, "shadowing.decline", request.placement)
    return request


@transaction.atomic
def report(
    actor: User, request: ShadowingRequest, *, reflection: str, shared: bool
) -> ShadowingRequest:
    """The visitor's reflection afterwards; shared with the network if they say so."""
    if actor.pk != request.visitor_id:
        raise PermissionDenied(_("Only the visitor writes the reflection."))
    if request.status not in ("matched", "completed"):
        raise ValidationError(_("The placement has not been scheduled."))
    if not reflection.strip():
        raise ValidationError({"reflection": _("Write your reflection.")})
    request.status, request.reflection, request.shared = "completed", reflection.strip(), shared
    request.save(update_fields=["status", "reflection", "shared"])
    audit.record(actor, "shadowing.report", request.placement)
    return request
