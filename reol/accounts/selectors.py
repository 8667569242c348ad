from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from reol.core.models import AuditEvent, School
from reol.core.permissions import Actor, Perm, schools_with
from reol.core.signin import Way

from .models import IdentityProvider, LtiPlatform


def providers_for(actor: Actor) -> QuerySet[IdentityProvider]:
    """The providers of the schools where ``actor`` manages sign-in, and their municipality's."""
    schools = schools_with(actor, Perm.SIGNIN_MANAGE)
    return (
        IdentityProvider.objects.filter(
            Q(school__in=schools)
            | Q(school__isnull=True, municipality__in=schools.values("municipality"))
        )
        .select_related("school", "municipality")
        .order_by("name")
    )


def sign_in_ways(request: HttpRequest) -> list[Way]:
    """Registered with core's sign-in page: a button per switched-on provider."""
    providers = IdentityProvider.objects.filter(enabled=True).order_by("name")
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return [Way(p.name, reverse("accounts-sso-start", args=[p.slug]) + suffix) for p in providers]


def activity(provider: IdentityProvider, limit: int = 25) -> dict[str, list[AuditEvent]]:
    """The provider's last sign-ins and its last refusals (with their reasons)."""
    events = AuditEvent.objects.select_related("school").order_by("-at", "-pk")
    signed_in = events.filter(action="signin.success", details__provider=provider.slug)
    # One event per sign-in: audit_everywhere writes one per school of the person.
    seen: set[tuple[str, str]] = set()
    unique = []
    for event in signed_in[: limit * 4]:
        key = (event.object_id, event.at.isoformat(timespec="seconds"))
        if key not in seen:
            seen.add(key)
            unique.append(event)
    refused = events.filter(
        action__in=["signin.provider_refused", "signin.provider_tested"],
        object_type="accounts.identityprovider",
        object_id=str(provider.pk),
    )
    return {"signed_in": unique[:limit], "refused": list(refused[:limit])}


def manageable_schools(actor: Actor) -> QuerySet[School]:
    return schools_with(actor, Perm.SIGNIN_MANAGE).order_by("name")


def platforms_for(actor: Actor) -> QuerySet[LtiPlatform]:
    """The learning platforms of the schools where ``actor`` manages sign-in, and their
    municipality's."""
    schools = schools_with(actor, Perm.SIGNIN_MANAGE)
    return (
        LtiPlatform.objects.filter(
            Q(school__in=schools)
            | Q(school__isnull=True, municipality__in=schools.values("municipality"))
        )
        .select_related("school", "municipality")
        .order_by("name")
    )
