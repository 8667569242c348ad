"""Sign-in through the identity providers schools already have (issue 21).

A provider belongs to a municipality, or to one school of it; it signs in only people who hold
a role there. Who a provider's person is in Reol is found by a configured claim (``matching``);
a provider never creates anyone unless it names the role it may create (just-in-time).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import Municipality, School, User
from reol.core.sealed import SealedField


class MatchField(models.TextChoices):
    """What in Reol the matching claim is compared with."""

    USERNAME = "username", _("username")
    EMAIL = "email", _("e-mail address")
    SOURCE_ID = "source_id", _("roster source id")
    NATIONAL_ID = "national_id", _("national person id (hashed)")


class IdentityProvider(models.Model):
    """An identity provider (OpenID Connect or SAML 2.0) a municipality (or one school) signs
    its people in with. For SAML the issuer is the IdP's entity id, from its metadata."""

    class Kind(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    class CreateRole(models.TextChoices):
        NOBODY = "", _("nobody: only people Reol already knows")
        STUDENT = "student", _("students")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    name = models.CharField(_("button text"), max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OIDC)
    preset = models.CharField(_("preset"), max_length=16, blank=True)
    issuer = models.CharField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    # sent to the provider, so sealed (encrypted) at rest rather than hashed: core/sealed.py
    client_secret = SealedField(_("client secret"), max_length=300, blank=True)
    scopes = models.CharField(_("scopes"), max_length=300, default="openid profile email")
    match_claim = models.CharField(_("matching claim"), max_length=200, default="sub")
    match_field = models.CharField(
        _("matched with"), max_length=16, choices=MatchField.choices, default=MatchField.USERNAME
    )
    create_role = models.CharField(
        _("may create"), max_length=16, choices=CreateRole.choices, blank=True, default=""
    )
    enabled = models.BooleanField(_("switched on"), default=False)
    saml_metadata = models.TextField(_("identity provider's SAML metadata"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-in provider")
        verbose_name_plural = _("sign-in providers")
        ordering = ["name"]
        constraints = [
            # A person is created at a school: only a school's provider may create anyone.
            models.CheckConstraint(
                condition=Q(create_role="") | Q(school__isnull=False),
                name="provider_creates_only_at_a_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SamlRequest(models.Model):
    """An authentication request sent to a SAML IdP, until its answer comes back (once).

    Kept in the database, not the session: the answer arrives as a cross-site POST, which a
    ``SameSite=Lax`` session cookie does not accompany."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=128, unique=True)
    next_url = models.CharField(max_length=500, blank=True)
    test = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.request_id


class SignInPolicy(models.Model):
    """A school's rule for its staff: sign in through the school's provider, not a password."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    staff_must_use_provider = models.BooleanField(
        _("staff and teachers must sign in through a provider"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self) -> str:
        return str(self.school)


class ExternalIdentity(models.Model):
    """A provider's subject (``sub``) once matched to a person: later sign-ins use the link,
    and the provider's logout (by ``sub``) finds the person's sessions."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.subject}"


class PersonKey(models.Model):
    """A person's national id, kept only as a hash (``matching.national_id_hash``), for
    providers that send the national id (Feide's ``userid_sec`` ``nin:``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    national_id_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"{self.user_id}"


class UsedNonce(models.Model):
    """Every ID token's nonce, once: a token shown again is refused by this unique row."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=128)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "nonce"], name="nonce_used_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.nonce}"


class ProviderSession(models.Model):
    """Which Django session a provider's session (``sid``) became, for its logout."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    sid = models.CharField(max_length=255, blank=True)
    session_key = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["provider", "sid"]),
            models.Index(fields=["provider", "subject"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.sid or self.subject}"
