"""The terminal's session and the patron a request names: sign-in (93), status (99) and the
patron messages (23, 63, 35, 01).

A patron is named (AE) only after their PIN is right, and only when they are a patron of the
terminal's school: an unknown or foreign card gets "no patron with this code here" and no name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.circulation import selectors as desk
from reol.circulation.errors import CirculationError
from reol.circulation.models import Hold, HoldState, Loan
from reol.core.models import User
from reol.core.permissions import SYSTEM
from reol.patrons import selectors as patrons
from reol.patrons import services as patron_services
from reol.patrons.models import Block

from ..models import SipTerminal
from .codec import Request, Response, flag, sip_date

SUPPORTED = "YYYYYYYYYYYYNYNN"  # BX: the 16 messages SC status reports (see _sc_status)
LANGUAGES = {"009": "da", "012": "nb", "001": "en"}  # SIP2 language codes we speak
CODES = {value: key for key, value in LANGUAGES.items()}


@dataclass
class Session:
    """One connection: the terminal once it has signed in, and the last response (97)."""

    peer: str = ""
    terminal: SipTerminal | None = None
    last: bytes = b""
    encoding: str = "utf-8"
    pins: dict[tuple[int, str], bool] = field(default_factory=dict)  # see _pin_checked


def now() -> dt.datetime:
    return timezone.localtime()


def institution(session: Session) -> str:
    return session.terminal.school.code if session.terminal else ""


@dataclass
class Patron:
    """The patron a request names, as far as the terminal may know them."""

    code: str
    person: User | None  # a patron of the terminal's school, else None
    pin_ok: bool
    may_borrow: bool
    language: str


def named_patron(session: Session, request: Request) -> Patron:
    assert session.terminal is not None
    code = request.get("AA").strip()
    school = session.terminal.school
    found = desk.desk_patron(code, school, now().date()) if code else None
    person = found.person if found and desk.patron_category(found.person, school) else None
    pin = request.get("AD")
    if person is None:
        pin_ok = False
    elif not pin:
        pin_ok = not session.terminal.require_pin
    else:
        pin_ok = _pin_checked(session, person, pin)
    language = patrons.preferred_language(person, school) if person else school.default_language
    return Patron(code, person, pin_ok, bool(found and found.may_borrow), language)


def _pin_checked(session: Session, person: User, pin: str) -> bool:
    """Whether ``pin`` is the person's PIN. A kiosk sends the PIN with every message of a
    patron's session; the slow hash (Argon2) is checked once a connection and the outcome kept
    for that person and that PIN (a digest, not the PIN) until the patron's session ends."""
    key = (person.pk, hashlib.sha256(f"{person.pin_hash}\0{pin}".encode()).hexdigest())
    if key not in session.pins:
        session.pins[key] = bool(person.pin_hash) and check_password(pin, person.pin_hash)
    return session.pins[key]


def refusal_text(error: Exception) -> str:
    if isinstance(error, CirculationError):
        return error.message
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if isinstance(error, PermissionDenied):
        return _("This terminal may not do that.")
    return _("That could not be done. Ask at the library desk.")


# --- Sign-in and status --------------------------------------------------------------------


def login(session: Session, request: Request) -> Response:
    found = (
        SipTerminal.objects.select_related("school", "account")
        .filter(login=request.get("CN"), enabled=True)
        .first()
    )
    ok = bool(found and check_password(request.get("CO"), found.password_hash))
    if ok and found is not None:
        session.terminal = found
        session.encoding = found.encoding
    return Response("94", "1" if ok else "0")


def sc_status(session: Session, request: Request) -> Response:
    terminal = session.terminal
    response = Response(
        "98",
        "Y"  # online
        + "Y"  # checkin ok
        + "Y"  # checkout ok
        + "Y"  # ACS renewal policy
        + "N"  # status update ok
        + "N"  # offline ok
        + "030"  # timeout (tenths of seconds... SIP2 says seconds; 030 is the usual)
        + "003"  # retries
        + sip_date(now())
        + "2.00",
    )
    response.add("AO", institution(session))
    response.add("AM", terminal.school.name if terminal else "Reol")
    response.add("BX", SUPPORTED)
    response.add(
        "AN", terminal.location.name if terminal and terminal.location else "", optional=True
    )
    return response


# --- Patrons -------------------------------------------------------------------------------


def _patron_status_flags(patron: Patron) -> str:
    """The 14 "Y or blank" flags of patron status; the first four: charge, renewal, recall
    and hold privileges denied."""
    denied = " " if patron.person and patron.may_borrow else "Y"
    return denied * 4 + " " * 10


def _patron_fields(response: Response, session: Session, patron: Patron) -> None:
    response.add("AO", institution(session))
    response.add("AA", patron.code)
    response.add("AE", patron.person.get_full_name() if patron.person and patron.pin_ok else "")
    response.add("BL", flag(patron.person is not None))
    response.add("CQ", flag(patron.pin_ok))


def patron_status(session: Session, request: Request) -> Response:
    patron = named_patron(session, request)
    with translation.override(patron.language):
        response = Response(
            "24",
            _patron_status_flags(patron) + CODES.get(patron.language, "000") + sip_date(now()),
        )
        _patron_fields(response, session, patron)
        if patron.person and patron.pin_ok and not patron.may_borrow:
            school = session.terminal.school  # type: ignore[union-attr]
            refusal = patrons.borrowing_refusal(patron.person, school, now().date())
            response.add("AF", refusal or "", optional=True)
        elif patron.person is None:
            response.add("AF", _("No patron with this code here."))
    return response


def patron_information(session: Session, request: Request) -> Response:
    patron = named_patron(session, request)
    loans: list[Loan] = []
    holds: list[Hold] = []
    today = now().date()
    if patron.person and patron.pin_ok:
        loans = list(desk.open_loans(patron.person).with_lateness(today).select_related("item"))
        holds = list(desk.open_holds(patron.person).select_related("item", "record"))
    overdue = [loan for loan in loans if getattr(loan, "late", False)]  # by the Loan QuerySet
    ready = [hold for hold in holds if hold.state == HoldState.READY]
    waiting = [hold for hold in holds if hold.state != HoldState.READY]
    summary = request.fixed["summary"]
    start = int(request.get("BP") or 1) if request.get("BP").isdigit() else 1
    end = int(request.get("BQ") or 0) if request.get("BQ").isdigit() else 0
    with translation.override(patron.language):
        response = Response(
            "64",
            _patron_status_flags(patron)
            + CODES.get(patron.language, "000")
            + sip_date(now())
            + f"{len(ready):04d}{len(overdue):04d}{len(loans):04d}{0:04d}{0:04d}{len(waiting):04d}",
        )
        _patron_fields(response, session, patron)
        wanted = {
            0: ("AS", [h.item.barcode if h.item else h.record.title for h in ready]),
            1: ("AT", [loan.item.barcode for loan in overdue]),
            2: ("AU", [loan.item.barcode for loan in loans]),
            5: ("CD", [h.record.title for h in waiting]),
        }
        for position, (code, values) in wanted.items():
            if len(summary) > position and summary[position] == "Y":
                for value in values[start - 1 : end or None]:
                    response.add(code, value)
        if patron.person is None:
            response.add("AF", _("No patron with this code here."))
    return response


def end_session(session: Session, request: Request) -> Response:
    session.pins.clear()
    response = Response("36", "Y" + sip_date(now()))
    response.add("AO", institution(session))
    response.add("AA", request.get("AA"))
    return response


def block_patron(session: Session, request: Request) -> Response:
    """The kiosk kept a card (or was told to block it): a block, as the terminal, audited."""
    assert session.terminal is not None
    patron = named_patron(session, request)
    school = session.terminal.school
    row = patrons.patron_of(patron.person, school) if patron.person else None
    if row is not None:
        note = _("Blocked by self-service terminal %(terminal)s: %(message)s") % {
            "terminal": session.terminal.login,
            "message": request.get("AL")[:200],
        }
        patron_services.add_block(SYSTEM, row, reason=Block.Reason.OTHER, note=note[:500])
        return patron_status(session, request)
    response = patron_status(session, request)
    if patron.person is not None:  # a person without a patron row here: the desk decides
        response.add("AF", _("Ask at the library desk to block this card."))
    return response


# --- Items ---------------------------------------------------------------------------------
