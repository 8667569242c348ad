"""The writes of this app: what a school shares, and its SIP2 terminals."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import Location, Role, School
from reol.core.permissions import Actor, Perm, require
from reol.core.services import create_person

from .models import SchoolPublication, SipTerminal

_LOGIN = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


@transaction.atomic
def set_publication(actor: Actor, school: School, *, sru: bool, oai: bool) -> SchoolPublication:
    """Whether ``school``'s holdings are searchable over SRU and harvestable over OAI-PMH."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    found, _created = SchoolPublication.objects.select_for_update().get_or_create(school=school)
    before = {"sru": found.sru, "oai": found.oai}
    found.sru, found.oai = sru, oai
    found.save()
    audit.record(
        actor,
        "publication.save",
        found,
        school=school,
        details={"before": before, "after": {"sru": sru, "oai": oai}},
    )
    return found


def _terminal_account_name(login: str) -> str:
    return f"sip2-{login}"


@transaction.atomic
def add_terminal(
    actor: Actor,
    school: School,
    *,
    login: str,
    password: str,
    location: Location | None = None,
    encoding: str = SipTerminal.Encoding.UTF8,
    require_pin: bool = True,
) -> SipTerminal:
    """A SIP2 terminal of ``school`` with its own account, which has the desk's permission
    there (the volunteer role) and can never sign in to the web pages (no password)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    login = (login or "").strip()
    if not _LOGIN.match(login):
        raise ValidationError(
            {"login": _("A terminal login is 1 to 24 letters, digits, “-” or “_”.")}
        )
    if SipTerminal.objects.filter(login=login).exists():
        raise ValidationError({"login": _("Another terminal has this login.")})
    if len(password or "") < 8:
        raise ValidationError({"password": _("A terminal password has at least 8 characters.")})
    if location is not None and location.school_id != school.pk:
        raise ValidationError({"location": _("The location belongs to another school.")})
    if encoding not in SipTerminal.Encoding.values:
        raise ValidationError({"encoding": _("Choose UTF-8, IBM 850 or ISO 8859-1.")})
    account = create_person(
        actor,
        school,
        username=_terminal_account_name(login),
        role=Role.VOLUNTEER,
        first_name=_("Self-service"),
        last_name=login,
    )
    terminal = SipTerminal.objects.create(
        login=login,
        password_hash=make_password(password),
        school=school,
        location=location,
        account=account,
        encoding=encoding,
        require_pin=require_pin,
    )
    audit.record(actor, "sip2_terminal.add", terminal, school=school)
    return terminal


@transaction.atomic
def disable_terminal(actor: Actor, terminal: SipTerminal) -> SipTerminal:
    require(actor, Perm.SCHOOL_MANAGE, terminal.school)
    terminal.enabled = False
    terminal.save(update_fields=["enabled"])
    audit.record(actor, "sip2_terminal.disable", terminal, school=terminal.school)
    return terminal
