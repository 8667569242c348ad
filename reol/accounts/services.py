"""Every write of the sign-in providers: configuration, policy, and the sign-ins themselves.

A sign-in through a provider never changes a person's identity (e-mail, username, password):
it finds the person (``matching``) and remembers the provider's subject for them. The one
person it may create, where the provider allows it, is made by core's ``create_person``.
Each refusal is written durably (in its own transaction) with its reason, at the provider's
school or municipality and at the schools of the person it was aimed at, and counts in the
sign-in throttle like a wrong password.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import accounts, audit, auth
from reol.core import services as core_services
from reol.core.models import Municipality, School, User
from reol.core.permissions import (
    STAFF_ROLES,
    SYSTEM,
    Actor,
    Perm,
    has_perm,
    require,
    signs_in_within,
)

from . import matching, saml
from .models import (
    ExternalIdentity,
    IdentityProvider,
    LtiPlatform,
    ProviderSession,
    SignInPolicy,
    UsedNonce,
)
from .oidc import Refusal

PROVIDER_FIELDS = (
    "kind", "name", "slug", "preset", "issuer", "client_id", "client_secret", "scopes",
    "match_claim", "match_field", "create_role", "enabled", "saml_metadata",
)  # fmt: skip


def may_manage(actor: Actor, provider: IdentityProvider) -> bool:
    """A school's provider: its administrators. A municipality's: the installation only."""
    if provider.school_id is None:
        return bool(getattr(actor, "is_superuser", False)) or actor is SYSTEM
    return has_perm(actor, Perm.SIGNIN_MANAGE, provider.school)  # type: ignore[arg-type]


def record_at_provider(
    actor: Actor, action: str, provider: IdentityProvider, **kwargs: Any
) -> None:
    """An audit event at the provider's school, or its municipality's for a shared one."""
    school = provider.school
    municipality = None if school is not None else provider.municipality
    audit.record(actor, action, provider, school=school, municipality=municipality, **kwargs)


@transaction.atomic
def save_provider(
    actor: Actor,
    provider: IdentityProvider,
    *,
    school: School | None,
    municipality: Municipality | None = None,
    **fields: Any,
) -> IdentityProvider:
    """Add or change a provider. The client secret is kept when the form leaves it empty."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"not provider fields: {sorted(unknown)}")
    if provider.pk is None:
        if school is None and actor is not SYSTEM and not getattr(actor, "is_superuser", False):
            raise PermissionDenied(_("Only the installation adds a municipality's provider."))
        if school is not None:
            provider.school = school
            provider.municipality = school.municipality
        elif municipality is not None:
            provider.municipality = municipality
        else:
            raise ValueError("a provider belongs to a school or a municipality")
    if not may_manage(actor, provider):
        raise PermissionDenied(_("You may not change this school's sign-in providers."))
    if not fields.get("client_secret"):
        fields.pop("client_secret", None)
    for name, value in fields.items():
        setattr(provider, name, value)
    if provider.kind == IdentityProvider.Kind.SAML:
        try:  # the IdP's entity id is what its answers are checked against
            provider.issuer = saml.idp_entity_id(provider.saml_metadata)
        except ValueError as error:
            raise ValidationError({"saml_metadata": str(error)}) from None
    elif not provider.client_id:
        raise ValidationError({"client_id": _("OpenID Connect needs the client id.")})
    provider.issuer = provider.issuer.rstrip("/")
    if provider.create_role and provider.school is None:
        raise ValidationError(
            {"create_role": _("Only a school's own provider may add people (at that school).")}
        )
    provider.full_clean(exclude=["municipality", "school"])
    created = provider.pk is None
    provider.save()
    changed = sorted(k for k in fields if k != "client_secret")
    action = "signin.provider_add" if created else "signin.provider_change"
    record_at_provider(actor, action, provider, details={"fields": changed})
    return provider


@transaction.atomic
def set_policy(actor: Actor, school: School, *, staff_must_use_provider: bool) -> SignInPolicy:
    """Require (or not) the school's staff and teachers to sign in through a provider. Only
    while a switched-on provider serves the school: nobody is left without a way in."""
    require(actor, Perm.SIGNIN_MANAGE, school)
    if staff_must_use_provider and not providers_serving(school).exists():
        raise ValidationError(
            _("Switch a sign-in provider on for this school first: staff need a way in.")
        )
    policy, _created = SignInPolicy.objects.select_for_update().get_or_create(school=school)
    policy.staff_must_use_provider = staff_must_use_provider
    policy.save()
    audit.record(
        actor,
        "signin.policy",
        school,
        school=school,
        details={"staff_must_use_provider": staff_must_use_provider},
    )
    return policy


def providers_serving(school: School) -> QuerySet[IdentityProvider]:
    """The switched-on providers that sign in people of ``school``."""
    return IdentityProvider.objects.filter(enabled=True).filter(
        Q(school=school) | Q(school__isnull=True, municipality_id=school.municipality_id)
    )


def password_refusal(person: User) -> str | None:
    """Registered with core's password form: staff of a school that requires its provider."""
    if person.is_superuser:
        return None  # the installation's own way in, whatever a school decides
    staff_schools = person.memberships.filter(role__in=STAFF_ROLES, school__isnull=False)
    required = SignInPolicy.objects.filter(
        staff_must_use_provider=True, school__in=staff_schools.values("school")
    ).select_related("school")
    # A school's policy binds only those one of its providers may sign in (``find_person``):
    # someone who is also staff elsewhere keeps their password, or they would have no way in.
    policy = next(
        (
            p
            for p in required
            if any(
                signs_in_within(person, school_id=s.school_id, municipality_id=s.municipality_id)
                for s in providers_serving(p.school)
            )
        ),
        None,
    )
    if policy is None:
        return None
    return _(
        "%(school)s asks its staff and teachers to sign in with the school's account. "
        "Use the button below."
    ) % {"school": policy.school}


# --- Sign-ins -----------------------------------------------------------------------------


def _attempt(
    provider: IdentityProvider, subject: str, ip: str | None, person: User | None
) -> auth.Attempt:
    return auth.Attempt(f"@{provider.slug}:{subject or '-'}"[:150], ip, person)


def wait_until(provider: IdentityProvider, ip: str | None) -> Any:
    """The throttle's answer for this address and provider, before a flow starts."""
    return auth.wait_until(_attempt(provider, "", ip, None))


@transaction.atomic
def record_refusal(
    provider: IdentityProvider,
    refusal: Refusal,
    *,
    ip: str | None,
    subject: str = "",
    verified: bool = False,
    person: User | None = None,
    test: bool = False,
) -> None:
    """Audit a refused sign-in with its reason, and count it in the throttle.

    A token that failed its checks counts against the address for this provider (its
    subject is whatever a forger wrote); a verified one that named nobody against its subject.
    """
    details = {
        "provider": provider.slug,
        "reason": refusal.reason,
        "detail": refusal.detail[:300],
        "subject": subject[:100],
        "subject_verified": verified,
        "test": test,
    }
    name = f"@{provider.slug}:{subject or '-'}"[:100]
    record_at_provider(
        SYSTEM, "signin.provider_refused", provider, details=details, actor_name=name
    )
    if person is not None:
        accounts.audit_everywhere(
            SYSTEM, "signin.failure", person, details=details, actor_name=name
        )
    if not test:
        auth.note_failure(_attempt(provider, subject if verified else "", ip, person))


def _consume_nonce(provider: IdentityProvider, nonce: str) -> None:
    try:
        with transaction.atomic():
            UsedNonce.objects.create(provider=provider, nonce=nonce[:128])
    except IntegrityError:
        raise Refusal(
            "nonce_replayed",
            _("This sign-in was used already. Start again."),
            detail="the token's nonce was seen before",
        ) from None
    UsedNonce.objects.filter(at__lt=timezone.now() - dt.timedelta(days=2)).delete()


def _new_username(claims: dict[str, Any], fallback: str) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or fallback)
    base = re.sub(r"[^\w.@-]", "", base.split("@")[0] if "@" in base else base)[:40] or "sso"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _create(provider: IdentityProvider | LtiPlatform, claims: dict[str, Any]) -> User:
    assert provider.school is not None  # a DB constraint says so
    first, last = str(claims.get("given_name", "")), str(claims.get("family_name", ""))
    if not (first or last) and claims.get("name"):
        first, _space, last = str(claims["name"]).partition(" ")
    try:
        return core_services.create_person(
            SYSTEM,
            provider.school,
            username=_new_username(claims, matching.claim_value(claims, provider.match_claim)),
            role=provider.create_role,
            first_name=first[:150],
            last_name=last[:150],
            email=str(claims.get("email", "")) if claims.get("email_verified") else "",
        )
    except ValidationError as error:
        raise Refusal(
            "cannot_create",
            _("Your account is not known to the library here. Ask the library to add you."),
            detail="; ".join(error.messages)[:300],
        ) from None


def _find(provider: IdentityProvider, claims: dict[str, Any]) -> User:
    return find_person(provider, matching.candidates(provider, claims), claims)


def find_person(
    provider: IdentityProvider | LtiPlatform, found: list[User], claims: dict[str, Any]
) -> User:
    """The one person matched, or the one created where the source may create; else refused."""
    if len(found) > 1:
        raise Refusal(
            "ambiguous_person",
            _("More than one person in Reol matches your account. Ask the library to help."),
            detail=f"{provider.match_field} matches several people",
        )
    if found:
        if not signs_in_within(
            found[0], school_id=provider.school_id, municipality_id=provider.municipality_id
        ):
            raise Refusal(
                "beyond_source",
                _(
                    "Your account also works at another school, so this sign-in cannot open "
                    "it. Sign in with your password, or through your municipality's sign-in."
                ),
                detail="the person holds a role where this source does not serve",
            )
        return found[0]
    if provider.create_role:
        return _create(provider, claims)
    raise Refusal(
        "unknown_person",
        _("Your account is not known to the library here. Ask the library to add you."),
        detail=f"no person with this {provider.match_field}",
    )


@transaction.atomic
def complete_sign_in(
    provider: IdentityProvider, claims: dict[str, Any], *, test: bool = False
) -> User:
    """The person a verified ID token names: its nonce consumed, matched, linked, audited.

    Raises ``Refusal`` (and writes nothing: the transaction rolls back) when it names nobody.
    A test sign-in (an administrator trying a provider) finds the person but links nothing.
    """
    _consume_nonce(provider, str(claims.get("nonce", "")))
    person = _find(provider, claims)
    if not person.is_active:
        raise Refusal("inactive", _("This account is switched off."), detail="inactive person")
    subject = str(claims["sub"])
    details = {"provider": provider.slug, "subject": subject[:100], "test": test}
    if test:
        record_at_provider(SYSTEM, "signin.provider_tested", provider, details=details)
        return person
    link, _created = ExternalIdentity.objects.get_or_create(
        provider=provider, subject=subject, defaults={"user": person}
    )
    ExternalIdentity.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    accounts.audit_everywhere(person, "signin.success", person, details=details)
    return person


@transaction.atomic
def remember_session(
    provider: IdentityProvider, person: User, claims: dict[str, Any], session_key: str
) -> None:
    ProviderSession.objects.create(
        provider=provider,
        user=person,
        subject=str(claims.get("sub", ""))[:255],
        sid=str(claims.get("sid", ""))[:255],
        session_key=session_key,
    )
