"""What the identity providers schools use really send, as starting points for the form.

Each preset fills the issuer (where it is fixed), the scopes and the matching claim; the
administrator adds the client id and secret the provider gave. ``docs/accounts.md`` says where
each claim comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import MatchField


@dataclass(frozen=True)
class Preset:
    label: str | Promise
    issuer: str
    scopes: str
    match_claim: str
    match_field: str
    note: str | Promise = ""


PRESETS: dict[str, Preset] = {
    "unilogin": Preset(
        _("UNI-Login (Denmark, the national broker)"),
        "https://broker.unilogin.dk/auth/realms/broker",
        "openid",
        "uniid",
        MatchField.USERNAME,
        _("The broker sends the UNI-Login user id (uniid); match it with the roster's username."),
    ),
    "feide": Preset(
        _("Feide (Norway)"),
        "https://auth.dataporten.no",
        "openid userid-feide profile email",
        "https://n.feide.no/claims/eduPersonPrincipalName",
        MatchField.USERNAME,
        _("Feide sends the Feide name (ola@skole.no) with the userid-feide scope."),
    ),
    "google": Preset(
        _("Google Workspace"),
        "https://accounts.google.com",
        "openid email profile",
        "email",
        MatchField.EMAIL,
        _("Google sends email, email_verified and hd (the Workspace domain)."),
    ),
    "entra": Preset(
        _("Microsoft Entra ID"),
        "https://login.microsoftonline.com/TENANT-ID/v2.0",
        "openid profile email",
        "preferred_username",
        MatchField.USERNAME,
        _("Put your tenant id in the issuer. Entra sends preferred_username (the UPN) and oid."),
    ),
}
