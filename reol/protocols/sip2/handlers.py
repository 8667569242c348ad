"""What each SIP2 request does: the same circulation services as the desk, as the terminal.

Each handler takes the session and the request and returns the response; refusals of the
circulation services come back as ``ok=0`` with their sentence as the screen message (AF), in
the patron's language. A patron is named (AE) only after their PIN is right, and only when
they are a patron of the terminal's school: an unknown or foreign card answers "not valid"
without a name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.circulation import selectors as desk
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
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
# Item circulation status (18): 03 available, 04 charged, 08 on the hold shelf, 10 in
# transit, 12 lost, 13 missing, 01 other.
ITEM_STATUS = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
}


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


def _institution(session: Session) -> str:
    return session.terminal.school.code if session.terminal else ""


@dataclass
class Patron:
    """The patron a request names, as far as the terminal may know them."""

    code: str
    person: User | None  # a patron of the terminal's school, else None
    pin_ok: bool
    may_borrow: bool
    language: str


def _patron(session: Session, request: Request) -> Patron:
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


def _fail(response: Response, message: str) -> Response:
    return response.add("AF", message)


def _refusal(error: Exception) -> str:
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
    response.add("AO", _institution(session))
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
    response.add("AO", _institution(session))
    response.add("AA", patron.code)
    response.add("AE", patron.person.get_full_name() if patron.person and patron.pin_ok else "")
    response.add("BL", flag(patron.person is not None))
    response.add("CQ", flag(patron.pin_ok))


def patron_status(session: Session, request: Request) -> Response:
    patron = _patron(session, request)
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
    patron = _patron(session, request)
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
    response.add("AO", _institution(session))
    response.add("AA", request.get("AA"))
    return response


def block_patron(session: Session, request: Request) -> Response:
    """The kiosk kept a card (or was told to block it): a block, as the terminal, audited."""
    assert session.terminal is not None
    patron = _patron(session, request)
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


def _item(barcode: str) -> Item | None:
    return desk.item_by_barcode(barcode) if barcode else None


def _title(item: Item | None) -> str:
    return item.record.title if item else ""


def checkout(session: Session, request: Request) -> Response:
    assert session.terminal is not None
    patron = _patron(session, request)
    barcode = request.get("AB")
    item = _item(barcode)
    with translation.override(patron.language):
        response = Response("12")
        ok, due, message = False, None, ""
        if patron.person is None:
            message = _("No patron with this code here.")
        elif not patron.pin_ok:
            message = _("The PIN is not right.")
        else:
            try:
                result = loan_actions.checkout(
                    session.terminal.account, session.terminal.school, patron.person, barcode
                )
                ok, due = True, result.due.date
            except (CirculationError, ValidationError, PermissionDenied) as error:
                message = _refusal(error)
        response.fixed = ("1" if ok else "0") + "N" + "U" + flag(ok) + sip_date(now())
        response.add("AO", _institution(session))
        response.add("AA", patron.code)
        response.add("AB", barcode)
        response.add("AJ", _title(item))
        response.add("AH", sip_date(due) if due else "")
        response.add("AF", message, optional=True)
    return response


def checkin(session: Session, request: Request) -> Response:
    """09 → 10, with the desk's routing: to the hold shelf (alert 01), to another school
    (alert 04, its name in CT), or back to the shelf (no alert); CL is the sort bin."""
    assert session.terminal is not None
    barcode = request.get("AB")
    item = _item(barcode)
    response = Response("10")
    ok, alert, alert_type, message = False, False, "", ""
    result = None
    try:
        result = loan_actions.checkin(session.terminal.account, session.terminal.school, barcode)
        ok = True
    except (CirculationError, ValidationError, PermissionDenied) as error:
        message = _refusal(error)
    if result is not None:
        if result.route == loan_actions.Route.HOLD_SHELF:
            alert, alert_type = True, "01"
            message = _("Put it on the hold shelf.")
        elif result.route == loan_actions.Route.TRANSIT:
            alert, alert_type = True, "04"
            message = _("Send it to %(school)s.") % {"school": result.item.school.name}
    response.fixed = ("1" if ok else "0") + flag(ok) + "U" + flag(alert) + sip_date(now())
    response.add("AO", _institution(session))
    response.add("AB", barcode)
    response.add("AQ", item.school.name if item else "")
    response.add("AJ", _title(item), optional=True)
    if result is not None:
        bin_name = {"01": "hold", "04": "transit"}.get(alert_type, "shelf")
        response.add("CL", bin_name)
        if alert_type:
            response.add("CV", alert_type)
        if alert_type == "04":
            response.add("CT", result.item.school.code)
        if result.hold is not None:
            response.add("CY", result.hold.patron.card_barcode or result.hold.patron.username)
    response.add("AF", message, optional=True)
    return response


def renew(session: Session, request: Request) -> Response:
    assert session.terminal is not None
    patron = _patron(session, request)
    barcode = request.get("AB")
    item = _item(barcode)
    with translation.override(patron.language):
        ok, due, message = False, None, ""
        if patron.person is None or not patron.pin_ok:
            message = (
                _("No patron with this code here.")
                if patron.person is None
                else _("The PIN is not right.")
            )
        elif item is None:
            message = _("No copy has the barcode %(code)s.") % {"code": barcode}
        else:
            loan = desk.open_loan_of(item)
            if loan is None or loan.patron_id != patron.person.pk:
                message = _("This copy is not on loan to you.")
            else:
                try:
                    due = loan_actions.renew(
                        session.terminal.account, session.terminal.school, item
                    ).due_date
                    ok = True
                except (CirculationError, ValidationError, PermissionDenied) as error:
                    message = _refusal(error)
        response = Response("30", ("1" if ok else "0") + flag(ok) + "U" + "N" + sip_date(now()))
        response.add("AO", _institution(session))
        response.add("AA", patron.code)
        response.add("AB", barcode)
        response.add("AJ", _title(item))
        response.add("AH", sip_date(due) if due else "")
        response.add("AF", message, optional=True)
    return response


def renew_all(session: Session, request: Request) -> Response:
    assert session.terminal is not None
    patron = _patron(session, request)
    renewed: list[str] = []
    refused: list[str] = []
    with translation.override(patron.language):
        message = ""
        if patron.person is None or not patron.pin_ok:
            message = _("No patron with this code here.")
        else:
            for loan in desk.open_loans(patron.person).select_related("item"):
                try:
                    loan_actions.renew(session.terminal.account, session.terminal.school, loan.item)
                    renewed.append(loan.item.barcode)
                except (CirculationError, ValidationError, PermissionDenied):
                    refused.append(loan.item.barcode)
        ok = patron.person is not None and patron.pin_ok
        response = Response(
            "66", ("1" if ok else "0") + f"{len(renewed):04d}{len(refused):04d}" + sip_date(now())
        )
        response.add("AO", _institution(session))
        for barcode in renewed:
            response.add("BM", barcode)
        for barcode in refused:
            response.add("BN", barcode)
        response.add("AF", message, optional=True)
    return response


def item_information(session: Session, request: Request) -> Response:
    barcode = request.get("AB")
    item = _item(barcode)
    loan = desk.open_loan_of(item) if item else None
    queue = (
        Hold.objects.filter(record_id=item.record_id, state=HoldState.WAITING).count()
        if item
        else 0
    )
    status = ITEM_STATUS.get(ItemStatus(item.status), "01") if item else "01"
    response = Response("18", status + "00" + "01" + sip_date(now()))
    response.add("CF", str(queue), optional=not queue)
    response.add("AH", sip_date(loan.due_date) if loan else "", optional=loan is None)
    response.add("AB", barcode)
    response.add("AJ", _title(item))
    if item is not None:
        response.add("AQ", item.school.name)
        response.add("CK", "001")  # SIP2 media type: book (the kiosk's default)
    else:
        response.add("AF", _("No copy has the barcode %(code)s.") % {"code": barcode})
    return response


def hold(session: Session, request: Request) -> Response:
    """15 → 16: ``+`` places a hold on the title of the copy AB (or the title AJ names is
    not searched: a kiosk scans a copy), ``-`` cancels the patron's hold on that title."""
    assert session.terminal is not None
    patron = _patron(session, request)
    item = _item(request.get("AB"))
    mode = request.fixed["hold_mode"]
    with translation.override(patron.language):
        ok, message, placed = False, "", None
        if patron.person is None or not patron.pin_ok:
            message = _("No patron with this code here.")
        elif item is None:
            message = _("Scan a copy of the title to reserve it.")
        else:
            try:
                if mode == "-":
                    current = desk.open_holds(patron.person).filter(record_id=item.record_id)
                    for found in current:
                        hold_actions.cancel_hold(session.terminal.account, found)
                    ok = bool(current)
                else:
                    placed = hold_actions.place_hold(
                        session.terminal.account,
                        session.terminal.school,
                        patron.person,
                        record=item.record,
                    )
                    ok = True
            except (CirculationError, ValidationError, PermissionDenied) as error:
                message = _refusal(error)
        available = bool(item and item.status == ItemStatus.AVAILABLE)
        response = Response("16", ("1" if ok else "0") + flag(available) + sip_date(now()))
        if placed is not None:
            position = Hold.objects.filter(
                record_id=placed.record_id,
                state=HoldState.WAITING,
                placed_at__lte=placed.placed_at,
            ).count()
            response.add("BR", str(position))
            response.add("BS", session.terminal.school.code)
        response.add("AO", _institution(session))
        response.add("AA", patron.code)
        response.add("AB", request.get("AB"), optional=True)
        response.add("AJ", _title(item), optional=True)
        response.add("AF", message, optional=True)
    return response


# The fixed part of each response when the request is refused whole (not signed in, not
# supported, or it failed): "not ok" in that response's own layout.
_REFUSED_FIXED: dict[str, Callable[[str], str]] = {
    "12": lambda date: "0NUN" + date,
    "10": lambda date: "0NUN" + date,
    "30": lambda date: "0NUN" + date,
    "66": lambda date: "0" + "0000" + "0000" + date,
    "18": lambda date: "01" + "00" + "01" + date,
    "16": lambda date: "0N" + date,
    "36": lambda date: "N" + date,
    "24": lambda date: "Y" * 4 + " " * 10 + "000" + date,
    "64": lambda date: "Y" * 4 + " " * 10 + "000" + date + "0000" * 6,
    "20": lambda date: "0" + date,
    "26": lambda date: "Y" * 4 + " " * 10 + "000" + date,
    "38": lambda date: "N" + date,
}
RESPONSE_TO = {
    "11": "12",
    "09": "10",
    "29": "30",
    "65": "66",
    "17": "18",
    "15": "16",
    "35": "36",
    "23": "24",
    "01": "24",
    "63": "64",
    "19": "20",
    "25": "26",
    "37": "38",
}


def refuse(session: Session, request: Request, message: str) -> Response:
    """A well-formed "no" to ``request``, in the layout of its response."""
    command = RESPONSE_TO[request.command]
    response = Response(command, _REFUSED_FIXED[command](sip_date(now())))
    response.add("AO", _institution(session))
    if command in ("12", "30", "24", "64", "26", "36", "38", "16"):
        response.add("AA", request.get("AA"))
    if command in ("24", "64", "26"):
        response.add("AE", "")
        response.add("BL", "N")
    if command in ("12", "10", "30", "18"):
        response.add("AB", request.get("AB"))
    if command in ("12", "30", "18"):
        response.add("AJ", "")
    if command in ("12", "30"):
        response.add("AH", "")
    if command == "10":
        response.add("AQ", "")
    response.add("AF", message)
    return response


def unsupported(session: Session, request: Request) -> Response:
    """Messages Reol does not take (item status update, patron enable, fee paid): a
    well-formed refusal, as SC status's supported-messages field (BX) already says."""
    return refuse(session, request, _("This terminal cannot do that here; ask at the desk."))


HANDLERS: dict[str, Callable[[Session, Request], Response]] = {
    "99": sc_status,
    "23": patron_status,
    "63": patron_information,
    "11": checkout,
    "09": checkin,
    "29": renew,
    "65": renew_all,
    "17": item_information,
    "15": hold,
    "35": end_session,
    "01": block_patron,
    "19": unsupported,
    "25": unsupported,
    "37": unsupported,
}
