"""Second factors and active sessions (issue 12: ASVS 4.3.1 and 3.3.4).

Kept beside ``models.py`` (which imports them at its end, so Django finds them) to keep each
file short. The secrets here are what a thief of a database dump must not be able to use:

* ``TotpDevice.secret`` is the shared TOTP key; the server must be able to compute codes, so
  it is sealed (encrypted under a key derived from ``SECRET_KEY``, ``core/sealed.py``), not
  hashed: a dump or a backup without the key does not give it away;
* a recovery code is kept only as an HMAC keyed with ``SECRET_KEY`` (``mfa.code_digest``);
* a session is known by a SHA-256 of its key, never by the key itself.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import User
from .sealed import SealedField


class TotpDevice(models.Model):
    """A person's authenticator app (RFC 6238: SHA-1, 6 digits, 30 s), one per person."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = SealedField()  # sealed at rest (core/sealed.py)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last 30-second step whose code was accepted: a code of that step or an earlier one
    # is refused (replay within the window), by a conditional UPDATE, so two racing requests
    # with one code cannot both pass.
    last_used_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"TOTP {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost: only its keyed digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.user_id}"


class SignInSession(models.Model):
    """One signed-in browser, for the list of one's sessions (``reol.core.sessions``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key_digest = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # A digest of the person's session hash when this row was written: a password change or
    # "sign out everywhere" changes that hash and ends the session, and the row with it.
    auth_mark = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen_at"])]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.signed_in_at:%Y-%m-%d %H:%M}"
