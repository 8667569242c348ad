"""Who holds which role in which network, read from the network's tables and the schools' roles.

What a role allows is decided in ``reol.core.permissions`` (``NETWORK_ROLE_PERMS``); this module
only finds a person's roles in a network:

* ``coordinator``: a ``NetworkRole`` row;
* ``leader``: leads a member library (``LibraryStaff.is_leader``), or is a school library's
  administrator at a school of a member municipality;
* ``staff``: works at a member library, or is a librarian at such a school.

A coordinator holds no role at any school through the network, so no school's patrons, loans
or people are reachable from here: those pages ask ``core.permissions`` about schools.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.core.models import Membership, School, User
from reol.core.permissions import (
    NETWORK_LEADER_ROLES,
    NETWORK_ROLE_PERMS,
    NETWORK_STAFF_ROLES,
    Actor,
    Perm,
    has_network_perm,
)

from .models import LibraryStaff, Network, NetworkLibrary, NetworkRole, SurveyResponse


def network_roles(actor: Actor, network: Network) -> set[str]:
    if not isinstance(actor, User) or not actor.is_active:
        return set()
    cache: dict[int, set[str]] = actor.__dict__.setdefault("_reol_network_roles", {})
    if network.pk in cache:
        return cache[network.pk]
    roles = set(
        NetworkRole.objects.filter(network=network, user=actor).values_list("role", flat=True)
    )
    for leads in LibraryStaff.objects.filter(library__network=network, user=actor).values_list(
        "is_leader", flat=True
    ):
        roles.add("leader" if leads else "staff")
    for role in Membership.objects.filter(
        user=actor,
        role__in=NETWORK_STAFF_ROLES,
        school__municipality__in=network.members.values("municipality"),
    ).values_list("role", flat=True):
        roles.add("leader" if role in NETWORK_LEADER_ROLES else "staff")
    cache[network.pk] = roles
    return roles


def may(actor: Actor, perm: Perm, network: Network) -> bool:
    return has_network_perm(actor, perm, network_roles(actor, network))


def require(actor: Actor, perm: Perm, network: Network) -> None:
    if not may(actor, perm, network):
        raise PermissionDenied(
            _("You do not have permission to do this in %(network)s.") % {"network": network.name}
        )


def networks_with(actor: Actor, perm: Perm) -> QuerySet[Network]:
    """The networks where ``actor`` has ``perm``."""
    if not isinstance(actor, User) or actor.is_superuser:
        return Network.objects.all()
    if not actor.is_active:
        return Network.objects.none()
    granting = {role for role, perms in NETWORK_ROLE_PERMS.items() if perm in perms}
    where = Q(pk__in=[])
    if "coordinator" in granting:
        where |= Q(roles__user=actor, roles__role="coordinator")
    staff_roles = set()
    if "staff" in granting:
        staff_roles |= set(NETWORK_STAFF_ROLES - NETWORK_LEADER_ROLES)
        where |= Q(libraries__staff__user=actor, libraries__staff__is_leader=False)
    if "leader" in granting:
        staff_roles |= set(NETWORK_LEADER_ROLES)
        where |= Q(libraries__staff__user=actor, libraries__staff__is_leader=True)
    if staff_roles:
        municipalities = Membership.objects.filter(
            user=actor, role__in=staff_roles, school__isnull=False
        ).values("school__municipality")
        where |= Q(members__municipality__in=municipalities)
    return Network.objects.filter(pk__in=Network.objects.filter(where).values("pk"))


@dataclass(frozen=True)
class Workplace:
    """Where a person works in a network: a school's library or a member library."""

    school: School | None = None
    library: NetworkLibrary | None = None

    @property
    def name(self) -> str:
        return (self.school or self.library).name  # type: ignore[union-attr]

    @property
    def key(self) -> str:
        return f"school-{self.school.pk}" if self.school else f"library-{self.library.pk}"  # type: ignore[union-attr]


def workplaces(user: User, network: Network) -> list[Workplace]:
    schools = School.objects.filter(
        memberships__user=user,
        memberships__role__in=NETWORK_STAFF_ROLES,
        municipality__in=network.members.values("municipality"),
    ).distinct()
    libraries = NetworkLibrary.objects.filter(network=network, staff__user=user)
    return [Workplace(school=s) for s in schools] + [Workplace(library=lib) for lib in libraries]


def leads(actor: Actor, response: SurveyResponse) -> bool:
    """Is ``actor`` the leader of the workplace ``response`` was given from?"""
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if response.school_id is not None:
        return Membership.objects.filter(
            user=actor, school_id=response.school_id, role__in=NETWORK_LEADER_ROLES
        ).exists()
    return LibraryStaff.objects.filter(
        user=actor, library_id=response.library_id, is_leader=True
    ).exists()


def may_see_answer(actor: Actor, response: SurveyResponse) -> bool:
    """An individual's answers: the person themself and their own leader, nobody else."""
    if isinstance(actor, User) and actor.pk == response.user_id:
        return True
    return leads(actor, response)


def landing(user: object) -> str | None:
    """A person with a role in some network but at no school lands on the competence page."""
    if isinstance(user, User) and networks_with(user, Perm.COMPETENCE).exists():
        return reverse("competence-home")
    return None
