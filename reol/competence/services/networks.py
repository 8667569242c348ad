"""Networks: set one up, add member municipalities and libraries, staff and coordinators."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import Municipality, User
from reol.core.permissions import SYSTEM, Actor, Perm

from .. import access
from ..models import (
    CompetenceArea,
    LibraryStaff,
    Network,
    NetworkLibrary,
    NetworkMunicipality,
    NetworkRole,
)

# The issue's default framework: (code, Danish, Norwegian Bokmål, English).
DEFAULT_AREAS: list[tuple[str, str, str, str]] = [
    (
        "cooperation",
        "Samarbejde og partnerskaber",
        "Samarbeid og partnerskap",
        "Cooperation and partnerships",
    ),
    ("politics", "Politiske processer", "Politiske prosesser", "Political processes"),
    ("resource-sharing", "Ressourcedeling", "Ressursdeling", "Resource sharing"),
    (
        "community",
        "Biblioteket som samfundsaktør",
        "Biblioteket som samfunnsaktør",
        "The library as a community actor",
    ),
    (
        "information-literacy",
        "Undervisning i informationskompetence",
        "Undervisning i informasjonskompetanse",
        "Information literacy teaching",
    ),
    ("digital-tools", "Digitale værktøjer", "Digitale verktøy", "Digital tools"),
    ("reading", "Læsefremme", "Lesefremming", "Reading promotion"),
]


def _installation(actor: Actor) -> None:
    if actor is not SYSTEM and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only the installation's administrator sets up networks."))


@transaction.atomic
def create_network(
    actor: Actor, *, code: str, name: str, kind: str = Network.Kind.COUNTY
) -> Network:
    """A new network with the default competence framework."""
    _installation(actor)
    if Network.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A network with this code exists.")})
    network = Network.objects.create(code=code, name=name, kind=kind)
    for order, (area_code, da, nb, en) in enumerate(DEFAULT_AREAS, start=1):
        CompetenceArea.objects.create(
            network=network, code=area_code, name_da=da, name_nb=nb, name_en=en, order=order
        )
    audit.record(actor, "network.create", network)
    return network


@transaction.atomic
def appoint_coordinator(actor: Actor, network: Network, user: User) -> NetworkRole:
    if not access.may(actor, Perm.NETWORK_COORDINATE, network):
        _installation(actor)
    role, _created = NetworkRole.objects.get_or_create(
        network=network, user=user, role=NetworkRole.Role.COORDINATOR
    )
    audit.record(actor, "network.coordinator", network, details={"user": user.username})
    return role


@transaction.atomic
def add_municipality(
    actor: Actor, network: Network, municipality: Municipality
) -> NetworkMunicipality:
    access.require(actor, Perm.NETWORK_COORDINATE, network)
    if network.members.filter(municipality=municipality).exists():
        raise ValidationError(
            {"municipality": _("%(name)s is a member already.") % {"name": municipality.name}}
        )
    member = NetworkMunicipality.objects.create(network=network, municipality=municipality)
    audit.record(
        actor, "network.add_municipality", network, details={"municipality": municipality.code}
    )
    return member


@transaction.atomic
def add_library(
    actor: Actor,
    network: Network,
    *,
    name: str,
    kind: str = NetworkLibrary.Kind.PUBLIC,
    municipality: Municipality | None = None,
) -> NetworkLibrary:
    access.require(actor, Perm.NETWORK_COORDINATE, network)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the library a name.")})
    if network.libraries.filter(name=name).exists():
        raise ValidationError({"name": _("The network has a library of this name.")})
    library = NetworkLibrary.objects.create(
        network=network, name=name, kind=kind, municipality=municipality
    )
    audit.record(actor, "network.add_library", library, details={"network": network.code})
    return library


@transaction.atomic
def add_library_staff(
    actor: Actor,
    library: NetworkLibrary,
    user: User,
    *,
    is_leader: bool = False,
    kind: str = LibraryStaff.Kind.STAFF,
    title: str = "",
) -> LibraryStaff:
    access.require(actor, Perm.NETWORK_COORDINATE, library.network)
    post, _created = LibraryStaff.objects.update_or_create(
        library=library, user=user, defaults={"is_leader": is_leader, "kind": kind, "title": title}
    )
    audit.record(actor, "network.add_staff", library, details={"user": user.username})
    return post


@transaction.atomic
def save_area(
    actor: Actor,
    network: Network,
    *,
    code: str,
    name_da: str,
    name_nb: str,
    name_en: str,
    area: CompetenceArea | None = None,
) -> CompetenceArea:
    """Add an area to the framework, or rename one (``area``)."""
    access.require(actor, Perm.NETWORK_COORDINATE, network)
    if not name_en.strip():
        raise ValidationError({"name_en": _("Give the area an English name.")})
    if area is None:
        if network.areas.filter(code=code).exists():
            raise ValidationError({"code": _("The framework has an area with this code.")})
        last = network.areas.order_by("-order").first()
        area = CompetenceArea(network=network, code=code, order=(last.order + 1) if last else 1)
    elif area.network_id != network.pk:
        raise PermissionDenied
    area.name_da, area.name_nb, area.name_en = name_da, name_nb, name_en
    area.save()
    audit.record(actor, "network.area", area, details={"network": network.code})
    return area
