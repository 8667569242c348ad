"""The one place where Reol decides who may see and do what, at which school.

Every view, API endpoint, service and command asks here; nothing else looks at roles.

* ``has_perm(actor, perm, school)`` / ``require(...)``: may this person do this at that school?
* ``schools_with(actor, perm)``: the schools where they may; ``scope(queryset, actor, perm)``
  narrows any school-owned queryset to those schools. A queryset of school-owned data that does
  not pass through ``scope`` is a bug.

The municipal consultant's permissions hold at every school of their municipality; everyone
else's hold only at the schools where they have the role. ``SYSTEM`` is the installation itself
(command-line set-up, scheduled jobs): it may do anything and is never a signed-in person.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from .models import Membership, Role, School, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class SystemActor:
    """The installation acting on its own (CLI set-up, timers). Not a person."""

    is_authenticated = True
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM: Final = SystemActor()
Actor = User | SystemActor

M = TypeVar("M", bound=Model)


class Perm(StrEnum):
    STAFF_SHELL = "staff_shell"  # the staff pages at all
    SCHOOL_VIEW = "school_view"
    SCHOOL_MANAGE = "school_manage"  # name, settings, opening calendar, locations
    PEOPLE_VIEW = "people_view"
    PEOPLE_MANAGE = "people_manage"  # add people, give and take student/teacher roles
    STAFF_MANAGE = "staff_manage"  # give and take librarian/administrator roles
    AUDIT_VIEW = "audit_view"
    CATALOG_EDIT = "catalog_edit"
    CIRCULATION_DESK = "circulation_desk"
    REPORTS_VIEW = "reports_view"
    PLANNING = "planning"  # annual plans, the coordination calendar, collaborations
    BOOKING = "booking"  # book class sets, rooms and equipment for future dates
    COMPETENCE = "competence"  # take part in a network's competence work (surveys, courses)
    PD_WORK = "pd_work"  # the library's own professional development work: workshops, minutes
    NETWORK_VIEW = "network_view"  # a network's aggregated figures (never a patron)
    NETWORK_COORDINATE = "network_coordinate"  # run a network: members, surveys, courses
    ACQUISITIONS = "acquisitions"  # funds, vendors, orders, receiving, invoices, suggestions
    EXTERNAL_MANAGE = "external_manage"  # external catalogues, interlibrary loans, licences
    SIGNIN_MANAGE = "signin_manage"  # identity providers and the school's sign-in policy
    TECHNOLOGY = "technology"  # devices' serials and MACs, work orders, device imports
    READING_RESULTS = "reading_results"  # import a class's aggregated reading-test results
    WORKSHOP = "workshop"  # the media workshop: confirm guidance sessions, write guides
    TRAINING_RECORDS = "training_records"  # staff's courses, PD hours, certificates, gaps
    STAFF_SCHEDULE = "staff_schedule"  # plan who staffs the library when (staff, volunteers)
    CHARGES = "charges"  # take payments for a borrower's charges and waive them


_LIBRARIAN = {
    Perm.STAFF_SHELL,
    Perm.SCHOOL_VIEW,
    Perm.SCHOOL_MANAGE,
    Perm.PEOPLE_VIEW,
    Perm.PEOPLE_MANAGE,
    Perm.CATALOG_EDIT,
    Perm.CIRCULATION_DESK,
    Perm.REPORTS_VIEW,
    Perm.PLANNING,
    Perm.BOOKING,
    Perm.COMPETENCE,
    Perm.PD_WORK,
    Perm.ACQUISITIONS,
    Perm.EXTERNAL_MANAGE,
    Perm.TECHNOLOGY,
    Perm.READING_RESULTS,
    Perm.WORKSHOP,
    Perm.STAFF_SCHEDULE,
    Perm.CHARGES,
}
ROLE_PERMS: Final[dict[str, frozenset[Perm]]] = {
    Role.ADMINISTRATOR: frozenset(
        _LIBRARIAN | {Perm.STAFF_MANAGE, Perm.AUDIT_VIEW, Perm.SIGNIN_MANAGE, Perm.TRAINING_RECORDS}
    ),
    Role.LIBRARIAN: frozenset(_LIBRARIAN),
    Role.TEACHER: frozenset({Perm.STAFF_SHELL, Perm.SCHOOL_VIEW, Perm.PLANNING, Perm.BOOKING}),
    Role.VOLUNTEER: frozenset({Perm.STAFF_SHELL, Perm.SCHOOL_VIEW, Perm.CIRCULATION_DESK}),
    Role.STUDENT: frozenset(),
    Role.CONSULTANT: frozenset(
        {
            Perm.STAFF_SHELL,
            Perm.SCHOOL_VIEW,
            Perm.PEOPLE_VIEW,
            Perm.AUDIT_VIEW,
            Perm.REPORTS_VIEW,
            Perm.TRAINING_RECORDS,
        }
    ),
}

# Roles in a network of libraries (``reol.competence``): they hold across the network, never
# at a school, so a coordinator's role gives nothing of any school's patrons or loans.
NETWORK_ROLE_PERMS: Final[dict[str, frozenset[Perm]]] = {
    "coordinator": frozenset(
        {Perm.NETWORK_VIEW, Perm.NETWORK_COORDINATE, Perm.COMPETENCE, Perm.STAFF_SHELL}
    ),
    "leader": frozenset({Perm.COMPETENCE, Perm.STAFF_SHELL}),  # leads a member library
    "staff": frozenset({Perm.COMPETENCE, Perm.STAFF_SHELL}),  # works at a member library
}
# School roles that make a person staff (or leader) of their school's library in a network.
NETWORK_STAFF_ROLES: Final = frozenset({Role.LIBRARIAN, Role.ADMINISTRATOR})
NETWORK_LEADER_ROLES: Final = frozenset({Role.ADMINISTRATOR})


def has_network_perm(actor: Actor | AnonymousUser, perm: Perm, network_roles: set[str]) -> bool:
    """May ``actor``, holding ``network_roles`` in a network, do ``perm`` there?

    The roles are read by ``reol.competence.access`` (which knows the networks); the rule of
    which role gives what is here, beside the school roles'.
    """
    if _is_everything(actor):
        return True
    if not isinstance(actor, User) or not actor.is_active:
        return False
    return any(perm in NETWORK_ROLE_PERMS.get(role, frozenset()) for role in network_roles)


# Which roles a permission lets you hand out. Administrators appoint staff; librarians
# enrol students, teachers and volunteers.
GRANTABLE_WITH: Final[dict[str, Perm]] = {
    Role.STUDENT: Perm.PEOPLE_MANAGE,
    Role.TEACHER: Perm.PEOPLE_MANAGE,
    Role.VOLUNTEER: Perm.PEOPLE_MANAGE,
    Role.LIBRARIAN: Perm.STAFF_MANAGE,
    Role.ADMINISTRATOR: Perm.STAFF_MANAGE,
}


def _memberships(user: User) -> list[Membership]:
    """A person's memberships, read once per request (cached on the user object)."""
    cached: list[Membership] | None = getattr(user, "_reol_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("school"))
        user._reol_memberships = cached  # type: ignore[attr-defined]
    return cached


def remember_roles(user: User, memberships: list[Membership]) -> None:
    """Give ``user`` memberships read elsewhere (e.g. in the desk's one query), unless it has some.

    The object a caller already holds keeps what it read; this only saves the query that
    ``_memberships`` would make.
    """
    if getattr(user, "_reol_memberships", None) is None:
        user._reol_memberships = list(memberships)  # type: ignore[attr-defined]


def forget_cached_roles(user: User) -> None:
    if hasattr(user, "_reol_memberships"):
        del user._reol_memberships


def _is_everything(actor: Actor | AnonymousUser) -> bool:
    return isinstance(actor, SystemActor) or bool(getattr(actor, "is_superuser", False))


def roles_at(actor: Actor | AnonymousUser, school: School) -> set[str]:
    """The roles a person holds at a school (the consultant's counts at every school)."""
    if not isinstance(actor, User) or not actor.is_active:
        return set()
    return {
        m.role
        for m in _memberships(actor)
        if m.school_id == school.pk
        or (m.school_id is None and m.municipality_id == school.municipality_id)
    }


def has_perm(actor: Actor | AnonymousUser, perm: Perm, school: School) -> bool:
    if _is_everything(actor):
        return True
    return any(perm in ROLE_PERMS[role] for role in roles_at(actor, school))


def require(actor: Actor | AnonymousUser, perm: Perm, school: School) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` has ``perm`` at ``school``."""
    if not has_perm(actor, perm, school):
        raise PermissionDenied(
            _("You do not have permission to do this at %(school)s.") % {"school": school.name}
        )


def has_perm_anywhere(actor: Actor | AnonymousUser, perm: Perm) -> bool:
    if _is_everything(actor):
        return True
    if not isinstance(actor, User) or not actor.is_active:
        return False
    return any(perm in ROLE_PERMS[m.role] for m in _memberships(actor))


def schools_with(actor: Actor | AnonymousUser, perm: Perm) -> QuerySet[School]:
    """The schools where ``actor`` has ``perm``."""
    if _is_everything(actor):
        return School.objects.all()
    if not isinstance(actor, User) or not actor.is_active:
        return School.objects.none()
    roles = [role for role, perms in ROLE_PERMS.items() if perm in perms]
    mine = [m for m in _memberships(actor) if m.role in roles]
    school_ids = [m.school_id for m in mine if m.school_id is not None]
    municipality_ids = [m.municipality_id for m in mine if m.school_id is None]
    if not school_ids and not municipality_ids:
        return School.objects.none()
    return School.objects.filter(Q(pk__in=school_ids) | Q(municipality_id__in=municipality_ids))


def has_perm_at_every_school(
    actor: Actor | AnonymousUser, perm: Perm, municipality_id: int
) -> bool:
    """Has ``actor`` ``perm`` at every school of a municipality? What a thing shared by all
    its schools (a partner library's token) asks of whoever may speak for all of them."""
    if _is_everything(actor):
        return True
    schools = School.objects.filter(municipality_id=municipality_id)
    return schools.exists() and not schools.exclude(pk__in=schools_with(actor, perm)).exists()


def scope(
    queryset: QuerySet[M], actor: Actor | AnonymousUser, perm: Perm, school_field: str = "school"
) -> QuerySet[M]:
    """Narrow a queryset of school-owned rows to the schools where ``actor`` has ``perm``."""
    if _is_everything(actor):
        return queryset
    lookup: dict[str, Any] = {f"{school_field}__in": schools_with(actor, perm)}
    return queryset.filter(**lookup)


def visible_people(actor: Actor | AnonymousUser, perm: Perm = Perm.PEOPLE_VIEW) -> QuerySet[User]:
    """People with a role at a school where ``actor`` has ``perm`` (and the actor themself).

    A consultant's people are everyone with a role at a school of their municipality, and
    the other consultants of that municipality.
    """
    if _is_everything(actor):
        return User.objects.all()
    if not isinstance(actor, User) or not actor.is_active:
        return User.objects.none()
    schools = schools_with(actor, perm)
    municipality_ids = [
        m.municipality_id
        for m in _memberships(actor)
        if m.school_id is None and perm in ROLE_PERMS[m.role]
    ]
    people = User.objects.filter(
        Q(memberships__school__in=schools)
        | Q(memberships__school__isnull=True, memberships__municipality_id__in=municipality_ids)
        | Q(pk=actor.pk)
    )
    return User.objects.filter(pk__in=people.values("pk"))


def may_grant(actor: Actor | AnonymousUser, role: str, school: School) -> bool:
    perm = GRANTABLE_WITH.get(role)
    return perm is not None and has_perm(actor, perm, school)


# Roles whose holders work in a school: their e-mail, username and password are theirs alone
# (``reol.core.accounts``); no patron page, patron API or roster import may change them.
STAFF_ROLES: Final = frozenset({Role.ADMINISTRATOR, Role.LIBRARIAN, Role.TEACHER, Role.CONSULTANT})


def holds_staff_role(user: User) -> bool:
    """True for a person with a staff role at any school (or a superuser)."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()


def may_manage_identity(actor: Actor | AnonymousUser, person: User) -> bool:
    """May ``actor`` change ``person``'s e-mail, username or password?

    The person may; otherwise only someone who could give every role the person holds, at
    every school where they hold it (a consultant's role: only the installation). A librarian
    of school A therefore cannot touch a teacher of A who is administrator at school B.
    """
    if _is_everything(actor):
        return True
    if not isinstance(actor, User) or not actor.is_active:
        return False
    if actor.pk == person.pk:
        return True
    if person.is_superuser:
        return False
    held = list(Membership.objects.filter(user=person).select_related("school"))
    if not held:
        return False
    return all(m.school is not None and may_grant(actor, m.role, m.school) for m in held)


def signs_in_within(person: User, *, school_id: int | None, municipality_id: int) -> bool:
    """May a sign-in source of one school (or, with ``school_id`` None, of one municipality)
    sign ``person`` in: an identity provider, a SAML IdP, a learning platform?

    Only when every role the person holds is where the source serves. A school's source is run
    by that school's administrators (its keys, its claims are theirs to make), so it is as
    strong as they are: it signs in only people whose identity they could change
    (``may_manage_identity``), never someone who is also staff at another school, nor a
    superuser. A municipality's source (the installation's) reaches that municipality's people.
    """
    if person.is_superuser and school_id is not None:
        return False
    held = Membership.objects.filter(user=person)
    if school_id is not None:
        return not held.exclude(school_id=school_id).exists()
    return not held.exclude(municipality_id=municipality_id).exists()


def may_reset_second_factor(actor: Actor | AnonymousUser, person: User) -> bool:
    """May ``actor`` reset ``person``'s two-step sign-in (ASVS 4.3.1)?

    Stricter than ``may_manage_identity``: only someone who may appoint staff (an
    administrator) at *every* school where the person holds a role; never the person
    themself (they turn it off, or renew codes, on their own page); a consultant's or a
    superuser's only the installation.
    """
    if _is_everything(actor):
        return True
    if not isinstance(actor, User) or not actor.is_active or actor.pk == person.pk:
        return False
    if person.is_superuser:
        return False
    held = list(Membership.objects.filter(user=person).select_related("school"))
    return bool(held) and all(
        m.school is not None and has_perm(actor, Perm.STAFF_MANAGE, m.school) for m in held
    )


def is_student_only(user: User) -> bool:
    """True for a person whose only roles are student roles (no staff pages for them)."""
    roles = {m.role for m in _memberships(user)}
    return bool(roles) and roles <= {Role.STUDENT} and not user.is_superuser
