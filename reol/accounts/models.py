"""Sign-in through the identity providers schools already have (issue 21).

A provider belongs to a municipality, or to one school of it; it signs in only people who hold
a role there. Who a provider's person is in Reol is found by a configured claim (``matching``);
a provider never creates anyone unless it names the role it may create (just-in-time).
"""

from __future__ import annotations

from urllib.parse import urlsplit

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


class SubjectLink(models.Model):
    """A subject of a provider or platform once matched to a person (``matching``): later
    sign-ins and launches use the link instead of matching again."""

    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ExternalIdentity(SubjectLink):
    """An OpenID Connect or SAML provider's subject (``sub``): the provider's logout (by
    ``sub``) finds the person's sessions through it."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="+")

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


class SamlSigningKey(models.Model):
    """Reol's own key as a SAML service provider (RSA, PEM, sealed) and its self-signed
    certificate, published in our metadata: it signs single-logout messages."""

    private_pem = SealedField()
    certificate = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"saml-key-{self.pk}"


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


# --- LTI 1.3: Reol as a tool inside a learning platform (Moodle, Canvas, itslearning …) ----

LTI_SOURCEDID_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/lis#person_sourcedid"


class LtiPlatform(models.Model):
    """A learning platform registered with Reol (LTI 1.3): its issuer, the client id it gave
    Reol, its deployments and its three addresses. Like a provider, it belongs to a
    municipality or one school, and signs in only people who hold a role there."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client id"), max_length=200)
    deployment_ids = models.TextField(
        _("deployment ids"), help_text=_("One per line, as the platform shows them.")
    )
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    jwks_url = models.URLField(_("public keyset URL"), max_length=500)
    match_claim = models.CharField(_("matching claim"), max_length=200, default=LTI_SOURCEDID_CLAIM)
    match_field = models.CharField(
        _("matched with"), max_length=16, choices=MatchField.choices, default=MatchField.SOURCE_ID
    )
    create_role = models.CharField(
        _("may create"),
        max_length=16,
        choices=IdentityProvider.CreateRole.choices,
        blank=True,
        default="",
    )
    frame_origins = models.TextField(
        _("other addresses that show Reol in a frame"),
        blank=True,
        default="",
        help_text=_(
            "One origin per line (https://school.example), when the platform's pages are not "
            "on its issuer's address (Canvas: the school's own instructure.com address)."
        ),
    )
    enabled = models.BooleanField(_("switched on"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learning platform")
        verbose_name_plural = _("learning platforms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_once"),
            models.CheckConstraint(
                condition=Q(create_role="") | Q(school__isnull=False),
                name="lti_platform_creates_only_at_a_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def deployments(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]

    def embedding_origins(self) -> list[str]:
        """The origins whose pages may show this platform's launches in a frame: the
        issuer's, and those registered beside it (``frame_origins``)."""
        found: list[str] = []
        for address in [self.issuer, *self.frame_origins.splitlines()]:
            parts = urlsplit(address.strip())
            origin = f"{parts.scheme}://{parts.netloc}".lower()
            if parts.scheme in ("https", "http") and parts.netloc and origin not in found:
                found.append(origin)
        return found


class LtiToolKey(models.Model):
    """Reol's own signing key (RSA, as a private JWK). The newest signs; the one before stays
    published until the next rotation, so a platform's cached key set never goes stale."""

    kid = models.CharField(max_length=64, unique=True)
    private_jwk = SealedField()  # encrypted at rest (core/sealed.py)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.kid


class LtiLogin(models.Model):
    """A launch between its login initiation and the platform's answer: state and nonce, once.

    In the database, not the session: the platform posts the launch cross-site, which a
    ``SameSite=Lax`` session cookie does not accompany (as with SAML)."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, unique=True)
    target_link_uri = models.CharField(max_length=500, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.state


class LtiIdentity(SubjectLink):
    """A learning platform's subject: later launches use the link."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "subject"], name="lti_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.subject}"


class LtiRegistrationInvite(models.Model):
    """A one-time address an administrator gives a platform's administrator for LTI Dynamic
    Registration: whoever opens it registers one platform for ``school``, once, within a day."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    platform = models.ForeignKey(
        LtiPlatform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.school_id}:{self.created_at:%Y-%m-%d}"
