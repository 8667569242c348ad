"""Every write of LTI 1.3: platforms, Reol's own keys, launches (login, verification, sign-in).

A launch signs in the person the platform names the way a provider's sign-in does
(``matching``, ``services.find_person``): never changing their identity, creating someone
only where the platform may. Each refusal is audited with its reason and counts in the
sign-in throttle; it signs nobody in.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from reol.core import accounts, audit, auth
from reol.core.models import Municipality, School, User
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm, is_student_only

from . import lti, matching, services
from .models import LtiIdentity, LtiLogin, LtiPlatform, LtiRegistrationInvite, LtiToolKey
from .oidc import Refusal

PLATFORM_FIELDS = (
    "name", "issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url",
    "jwks_url", "match_claim", "match_field", "create_role", "frame_origins", "enabled",
)  # fmt: skip
LOGIN_SECONDS = 600  # a launch not back from the platform in ten minutes starts again


def may_manage(actor: Actor, platform: LtiPlatform) -> bool:
    """A school's platform: its administrators. A municipality's: the installation only."""
    if platform.school_id is None:
        return bool(getattr(actor, "is_superuser", False)) or actor is SYSTEM
    return has_perm(actor, Perm.SIGNIN_MANAGE, platform.school)  # type: ignore[arg-type]


def _record(actor: Actor, action: str, platform: LtiPlatform, **kwargs: Any) -> None:
    school = platform.school
    municipality = None if school is not None else platform.municipality
    audit.record(actor, action, platform, school=school, municipality=municipality, **kwargs)


def _check_frame_origins(text: str) -> None:
    """Each line an origin: a scheme and a host (and port), nothing else."""
    for line in filter(None, (line.strip() for line in text.splitlines())):
        parts = urlsplit(line)
        if (
            parts.scheme not in ("https", "http")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or "*" in line
        ):
            raise ValidationError(
                {
                    "frame_origins": _("“%(line)s” is not an origin like https://school.example.")
                    % {"line": line}
                }
            )


@transaction.atomic
def save_platform(
    actor: Actor,
    platform: LtiPlatform,
    *,
    school: School | None,
    municipality: Municipality | None = None,
    **fields: Any,
) -> LtiPlatform:
    """Register or change a learning platform."""
    unknown = set(fields) - set(PLATFORM_FIELDS)
    if unknown:
        raise ValueError(f"not platform fields: {sorted(unknown)}")
    if platform.pk is None:
        if school is not None:
            platform.school, platform.municipality = school, school.municipality
        elif municipality is not None:
            platform.municipality = municipality
        else:
            raise ValueError("a platform belongs to a school or a municipality")
    if not may_manage(actor, platform):
        raise PermissionDenied(_("You may not change this school's learning platforms."))
    for name, value in fields.items():
        setattr(platform, name, value.strip() if isinstance(value, str) else value)
    platform.issuer = platform.issuer.rstrip("/")
    if platform.create_role and platform.school is None:
        raise ValidationError(
            {"create_role": _("Only a school's own provider may add people (at that school).")}
        )
    if not platform.deployments():
        raise ValidationError({"deployment_ids": _("Give at least one deployment id.")})
    _check_frame_origins(platform.frame_origins)
    platform.full_clean(exclude=["municipality", "school"])
    created = platform.pk is None
    platform.save()
    _record(
        actor,
        "lti.platform_add" if created else "lti.platform_change",
        platform,
        details={"fields": sorted(fields)},
    )
    return platform


# --- Reol's own keys -------------------------------------------------------------------------


def published_keys() -> list[LtiToolKey]:
    return list(LtiToolKey.objects.filter(retired_at__isnull=True).order_by("-created_at"))


@transaction.atomic
def signing_key() -> RSAKey:
    """The newest key (made on first use)."""
    newest = published_keys()[:1]
    if newest:
        return RSAKey.import_key(json.loads(newest[0].private_jwk))
    return _new_key()


def _new_key() -> RSAKey:
    key = lti.new_private_key()
    LtiToolKey.objects.create(kid=str(key.kid), private_jwk=json.dumps(key.as_dict(private=True)))
    return key


@transaction.atomic
def rotate_keys(actor: Actor) -> LtiToolKey:
    """A new signing key; the one before it stays published (platforms cache key sets), the
    older ones are retired. Two rotations a platform's cache lifetime apart never break it."""
    if not (getattr(actor, "is_superuser", False) or actor is SYSTEM):
        raise PermissionDenied(_("Only the installation rotates Reol's keys."))
    keep = published_keys()[:1]
    LtiToolKey.objects.filter(retired_at__isnull=True).exclude(pk__in=[k.pk for k in keep]).update(
        retired_at=timezone.now()
    )
    key = _new_key()
    row = LtiToolKey.objects.get(kid=key.kid)
    audit.record(actor, "lti.keys_rotated", row, details={"kid": row.kid})
    return row


# --- Launches ---------------------------------------------------------------------------------


def platform_for(issuer: str, client_id: str) -> LtiPlatform | None:
    """The switched-on platform a login initiation names (the client id settles an issuer
    registered twice; without it, two registrations are ambiguous and name none)."""
    found = LtiPlatform.objects.filter(issuer=issuer.rstrip("/"), enabled=True)
    if client_id:
        found = found.filter(client_id=client_id)
    rows = list(found.select_related("school", "municipality")[:2])
    return rows[0] if len(rows) == 1 else None


@transaction.atomic
def begin_login(platform: LtiPlatform, target_link_uri: str) -> LtiLogin:
    LtiLogin.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    return LtiLogin.objects.create(
        platform=platform,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        target_link_uri=target_link_uri[:500],
    )


def _take_login(state: str) -> LtiLogin:
    login = (
        LtiLogin.objects.select_for_update(of=("self",))  # the platform's school may be null
        .select_related("platform__school", "platform__municipality")
        .filter(state=state)
        .first()
        if state
        else None
    )
    if login is None:
        raise Refusal(
            "state_mismatch",
            _("This launch was not started here, or took too long. Open it again from the course."),
            detail="unknown state",
        )
    if login.used_at is not None:
        raise Refusal(
            "nonce_replayed",
            _("This launch was used already. Open it again from the course."),
            detail="the launch's state and nonce were seen before",
        )
    if timezone.now() - login.at > dt.timedelta(seconds=LOGIN_SECONDS):
        raise Refusal(
            "state_expired",
            _("This launch was not started here, or took too long. Open it again from the course."),
            detail="the login initiation is older than ten minutes",
        )
    return login


def unverified_claims(id_token: str) -> dict[str, Any]:
    """For the audit of a refused launch only: what the token claimed."""
    try:
        value = json.loads(jws.extract_compact(id_token.encode()).payload)
        return value if isinstance(value, dict) else {}
    except (JoseError, ValueError, AttributeError):
        return {}


def complete_launch(state: str, id_token: str, *, ip: str | None) -> tuple[lti.Launch, User]:
    """Verify a launch and find its person; every refusal audited before it is raised."""
    platform: LtiPlatform | None = None
    try:
        with transaction.atomic():
            login = _take_login(state)
            platform = login.platform
            LtiLogin.objects.filter(pk=login.pk).update(used_at=timezone.now())
        launch = lti.verify_launch(id_token, platform, nonce=login.nonce)
        return launch, _sign_in(launch)
    except Refusal as refusal:
        record_refusal(platform, refusal, ip=ip, claims=unverified_claims(id_token))
        raise


@transaction.atomic
def _sign_in(launch: lti.Launch) -> User:
    platform, claims = launch.platform, launch.claims
    subject = str(claims["sub"])
    link = LtiIdentity.objects.filter(platform=platform, subject=subject).first()
    found = matching.linked_or_matched(platform, link.user if link else None, claims)
    person = services.find_person(platform, found, claims)
    if not person.is_active:
        raise Refusal("inactive", _("This account is switched off."), detail="inactive person")
    if launch.message_type == lti.DEEP_LINK and is_student_only(person):
        raise Refusal(
            "not_a_teacher",
            _("Only teachers and library staff add Reol to a course."),
            detail="a deep-linking request from a student",
        )
    if link is None:
        link = LtiIdentity.objects.create(platform=platform, subject=subject, user=person)
    LtiIdentity.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    details = {"platform": platform.pk, "subject": subject[:100], "message": launch.message_type}
    accounts.audit_everywhere(person, "lti.launch", person, details=details)
    return person


@transaction.atomic
def record_refusal(
    platform: LtiPlatform | None, refusal: Refusal, *, ip: str | None, claims: dict[str, Any]
) -> None:
    subject = str(claims.get("sub", ""))[:100]
    details = {
        "platform": platform.pk if platform else None,
        "reason": refusal.reason,
        "detail": refusal.detail[:300],
        "subject": subject,
        "issuer": str(claims.get("iss", ""))[:200],
    }
    name = f"@lti:{subject or '-'}"[:100]
    if platform is not None:
        _record(SYSTEM, "lti.launch_refused", platform, details=details, actor_name=name)
    else:
        audit.record(SYSTEM, "lti.launch_refused", None, details=details, actor_name=name)
    # A refused launch counts like a wrong password, against the address (its subject is
    # whatever the token said, which may be forged).
    auth.note_failure(auth.Attempt(f"@lti:{platform.pk if platform else '-'}", ip, None))


# --- Names and Role Provisioning: who is in the course ----------------------------------------

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def course_people(launch: lti.Launch) -> tuple[list[tuple[User, bool]], int]:
    """The course's members Reol knows at the platform's schools (each with "teaches it"),
    matched as launches are; and how many members matched nobody (or several)."""
    platform = launch.platform
    rows = lti.memberships(platform, launch.memberships_url, signing_key())
    links = {
        link.subject: link.user
        for link in LtiIdentity.objects.filter(
            platform=platform, subject__in=[str(m.get("user_id", "")) for m in rows]
        ).select_related("user")
    }
    known: dict[int, tuple[User, bool]] = {}
    unknown = 0
    for member in rows:
        if member.get("status", "Active") != "Active":
            continue
        claims = {
            "sub": str(member.get("user_id", "")),
            "email": member.get("email", ""),
            lti.LTI + "lis": {"person_sourcedid": member.get("lis_person_sourcedid", "")},
        }
        found = matching.linked_or_matched(platform, links.get(claims["sub"]), claims)
        if len(found) != 1:
            unknown += 1
            continue
        teaches = any(str(r).endswith("#Instructor") for r in member.get("roles", []))
        known[found[0].pk] = (found[0], teaches)
    return list(known.values()), unknown


# --- Dynamic Registration ---------------------------------------------------------------------

INVITE_HOURS = 24


@transaction.atomic
def create_invite(actor: Actor, school: School) -> LtiRegistrationInvite:
    """A one-time registration address for a platform's administrator (valid a day)."""
    if not has_perm(actor, Perm.SIGNIN_MANAGE, school):
        raise PermissionDenied(_("You may not change this school's learning platforms."))
    invite = LtiRegistrationInvite.objects.create(
        school=school,
        token=secrets.token_urlsafe(32),
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.record(actor, "lti.invite", invite, school=school)
    return invite


def register_dynamically(
    token: str, openid_configuration: str, registration_token: str, tool: lti.ToolAddresses
) -> LtiPlatform:
    """The platform's side of an invitation: fetch its configuration, register Reol with it,
    and keep the platform (switched on: an administrator of the school invited it)."""
    with transaction.atomic():
        invite = (
            LtiRegistrationInvite.objects.select_for_update()
            .select_related("school__municipality")
            .filter(token=token, used_at__isnull=True)
            .first()
        )
        if invite is None or timezone.now() - invite.created_at > dt.timedelta(hours=INVITE_HOURS):
            raise Refusal(
                "invite_unknown",
                _("This registration address is used or too old. Ask Reol's administrator."),
            )
        LtiRegistrationInvite.objects.filter(pk=invite.pk).update(used_at=timezone.now())
    config = lti.platform_configuration(openid_configuration)
    answer = lti.register_tool(config, registration_token, tool, "Reol")
    kind = config.get(lti.PLATFORM_CONFIGURATION, {}).get("product_family_code", "")
    deployment = answer.get(lti.TOOL_CONFIGURATION, {}).get("deployment_id", "")
    with transaction.atomic():
        platform = save_platform(
            SYSTEM,
            LtiPlatform(),
            school=invite.school,
            name=(str(kind) or urlsplit(str(config["issuer"])).netloc)[:100],
            issuer=str(config["issuer"]),
            client_id=str(answer["client_id"]),
            deployment_ids=str(deployment),
            auth_login_url=str(config["authorization_endpoint"]),
            auth_token_url=str(config["token_endpoint"]),
            jwks_url=str(config["jwks_uri"]),
            enabled=True,
        )
        LtiRegistrationInvite.objects.filter(pk=invite.pk).update(platform=platform)
    return platform
