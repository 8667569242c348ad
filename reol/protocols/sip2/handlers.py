"""What each item request does: the same circulation actions as the desk, as the terminal.

Checkout (11), checkin (09), renew (29), renew all (65), item information (17) and hold (15);
refusals of the circulation actions come back as ``ok=0`` with their sentence as the screen
message (AF), in the patron's language. ``HANDLERS`` maps every request to its handler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.circulation import selectors as desk
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Hold, HoldState

from .codec import Request, Response, flag, sip_date
from .patrons import (
    Patron,
    Session,
    block_patron,
    end_session,
    institution,
    named_patron,
    now,
    patron_information,
    patron_status,
    refusal_text,
    sc_status,
)

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


def _item(barcode: str) -> Item | None:
    return desk.item_by_barcode(barcode) if barcode else None


def _title(item: Item | None) -> str:
    return item.record.title if item else ""


def _loan_fields(
    response: Response,
    session: Session,
    patron: Patron,
    item: Item | None,
    barcode: str,
    due: dt.date | None,
    message: str,
) -> None:
    """The variable fields checkout (12) and renew (30) answer with, in their order."""
    response.add("AO", institution(session))
    response.add("AA", patron.code)
    response.add("AB", barcode)
    response.add("AJ", _title(item))
    response.add("AH", sip_date(due) if due else "")
    response.add("AF", message, optional=True)


def checkout(session: Session, request: Request) -> Response:
    assert session.terminal is not None
    patron = named_patron(session, request)
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
                message = refusal_text(error)
        response.fixed = ("1" if ok else "0") + "N" + "U" + flag(ok) + sip_date(now())
        _loan_fields(response, session, patron, item, barcode, due, message)
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
        message = refusal_text(error)
    if result is not None:
        if result.route == loan_actions.Route.HOLD_SHELF:
            alert, alert_type = True, "01"
            message = _("Put it on the hold shelf.")
        elif result.route == loan_actions.Route.TRANSIT:
            alert, alert_type = True, "04"
            message = _("Send it to %(school)s.") % {"school": result.item.school.name}
    response.fixed = ("1" if ok else "0") + flag(ok) + "U" + flag(alert) + sip_date(now())
    response.add("AO", institution(session))
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
    patron = named_patron(session, request)
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
                    message = refusal_text(error)
        response = Response("30", ("1" if ok else "0") + flag(ok) + "U" + "N" + sip_date(now()))
        _loan_fields(response, session, patron, item, barcode, due, message)
    return response


def renew_all(session: Session, request: Request) -> Response:
    assert session.terminal is not None
    patron = named_patron(session, request)
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
        response.add("AO", institution(session))
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
    lent = desk.open_library_loan_of(item) if item and loan is None else None
    due = loan.due_date if loan else lent.due_date if lent else None
    queue = (
        Hold.objects.filter(record_id=item.record_id, state=HoldState.WAITING).count()
        if item
        else 0
    )
    status = ITEM_STATUS.get(ItemStatus(item.status), "01") if item else "01"
    response = Response("18", status + "00" + "01" + sip_date(now()))
    response.add("CF", str(queue), optional=not queue)
    response.add("AH", sip_date(due) if due else "", optional=due is None)
    response.add("AB", barcode)
    response.add("AJ", _title(item))
    if item is not None:
        response.add("AQ", item.school.name)
        response.add("CK", "001")  # SIP2 media type: book (the kiosk's default)
    else:
        response.add("AF", _("No copy has the barcode %(code)s.") % {"code": barcode})
    if lent is not None:
        response.add("AF", _("Lent to the library %(library)s.") % {"library": lent.library})
    return response


def hold(session: Session, request: Request) -> Response:
    """15 → 16: ``+`` places a hold on the title of the copy AB (or the title AJ names is
    not searched: a kiosk scans a copy), ``-`` cancels the patron's hold on that title."""
    assert session.terminal is not None
    patron = named_patron(session, request)
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
                message = refusal_text(error)
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
        response.add("AO", institution(session))
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
    response.add("AO", institution(session))
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
