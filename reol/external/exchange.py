"""ISO 18626 with partner libraries: what a partner's message means for a request here, and the
messages our librarians' steps send out. Every write is one transaction with audit; no HTTP
call is made inside a transaction (a slow partner must never hold a row lock).

Two sides, one endpoint (``views_iso.endpoint``):
* we borrow (``IllRequest``): our ``request`` goes out when the librarian sends it; the
  lender's ``supplyingAgencyMessage`` (ExpectToSupply, Loaned with a due date, Unfilled…) moves
  the request along ``states.TRANSITIONS``; our ``ShippedReturn`` says it went back;
* a partner borrows from one of our schools (``PartnerRequest``): their ``request`` is kept,
  our librarian answers (will supply / lent until / cannot), their ``ShippedReturn`` is noted.

A partner is an ``ExternalTarget`` with a token: it shows us its token (we keep the SHA-256
digest) and we show it ours (``outgoing_token``). The message's agencies must be the partner's
symbol and one of our schools' codes, or the message is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.circulation import selectors as desk
from reol.circulation.actions.copies import lend_to_library
from reol.circulation.actions.loans import checkin
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm_at_every_school, require

from . import ill, iso18626, outbox, throttle
from . import messages as outgoing
from .iso18626 import Header, Message, ProtocolError
from .models import ExternalTarget, IllRequest, PartnerRequest, RequestMethod
from .models import PartnerRequestState as P
from .states import IllState

S = IllState

# What the lender's status means here (statuses not named change nothing; they are answered OK).
LENDER_STATUS = {
    "ExpectToSupply": S.ACCEPTED,
    "WillSupply": S.ACCEPTED,
    "Loaned": S.SHIPPED,
    "Unfilled": S.REFUSED,
    "Cancelled": S.CANCELLED,
}
# Our answer to a partner's request, as the status we send.
OUR_STATUS: dict[str, str] = {
    P.WILL_SUPPLY: "WillSupply",
    P.LOANED: "Loaned",
    P.UNFILLED: "Unfilled",
    P.COMPLETED: "LoanCompleted",
}
PARTNER_STEPS: dict[str, frozenset[str]] = {
    P.NEW: frozenset({P.WILL_SUPPLY, P.LOANED, P.UNFILLED}),
    P.WILL_SUPPLY: frozenset({P.LOANED, P.UNFILLED}),
    P.LOANED: frozenset({P.COMPLETED}),
    P.RETURNED: frozenset({P.COMPLETED}),
    P.UNFILLED: frozenset(),
    P.COMPLETED: frozenset(),
    P.CANCELLED: frozenset(),
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def speaks_iso(target: ExternalTarget | None) -> bool:
    return bool(target and target.request_method == RequestMethod.ISO18626 and target.iso18626_url)


@transaction.atomic
def issue_partner_token(actor: Actor, school: School, target: ExternalTarget) -> str:
    """A new token for the partner to show us (shown once; only its digest is kept)."""
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if target.municipality_id != school.municipality_id or target.school_id not in (
        None,
        school.pk,
    ):
        raise ValidationError(_("That catalogue belongs to another school."))
    # A partner of the whole municipality may ask any of its schools for a copy and answer any
    # of their requests: its token (and the old one's end) is for who answers for all of them.
    if target.school_id is None and not has_perm_at_every_school(
        actor, Perm.EXTERNAL_MANAGE, school.municipality_id
    ):
        raise ValidationError(
            _(
                "This partner serves every school of the municipality: its token is issued by "
                "someone who manages interlibrary loans at all of them."
            )
        )
    token = secrets.token_urlsafe(32)
    target.partner_token_hash = digest(token)
    target.save(update_fields=["partner_token_hash"])
    audit.record(actor, "external.partner_token", target, school=school, details={})
    return token


def partner_for(token: str) -> ExternalTarget | None:
    if not token:
        return None
    return (
        ExternalTarget.objects.filter(partner_token_hash=digest(token), enabled=True)
        .select_related("municipality")
        .first()
    )


# --- We borrow --------------------------------------------------------------------------------


def send(actor: Actor, loan: IllRequest) -> IllRequest:
    """The librarian's "send": over ISO 18626 to a partner that has an address for it, else by
    ``ill.send`` (e-mail, printed form, or a sibling school's list)."""
    if speaks_iso(loan.target):
        return send_request(actor, loan)
    return ill.send(actor, loan)


@transaction.atomic
def send_back(actor: Actor, loan: IllRequest) -> tuple[IllRequest, str]:
    """The copy goes back (``ill.send_back``); a partner is told. Returns a problem, or ''."""
    returned = ill.send_back(actor, loan)
    return returned, tell_returned(returned)


@transaction.atomic
def send_request(actor: Actor, loan: IllRequest) -> IllRequest:
    """Our ``request`` to the lender: the loan is sent, the message kept until the partner
    accepts it (``outbox``: sent after commit, retried while the partner is down)."""
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    ill.check_step(loan, S.SENT)
    assert loan.target is not None
    sent = ill.mark_sent(actor, loan)
    body = outgoing.iso18626_request(sent)
    conversation = outgoing.iso18626_header(sent).request_id
    outbox.put(sent.target, sent.school, conversation, body, kind="request", what="Request")  # type: ignore[arg-type]
    return sent


def tell_returned(loan: IllRequest) -> str:
    """After sending back: tell the lender (``ShippedReturn``, through the outbox)."""
    if not speaks_iso(loan.target):
        return ""
    assert loan.target is not None
    header = outgoing.iso18626_header(loan)
    body = iso18626.requesting_message(header, action="ShippedReturn")
    outbox.put(
        loan.target, loan.school, header.request_id, body, kind="requestingAgencyMessage",
        what="ShippedReturn",
    )  # fmt: skip
    return ""


def _lender_says(partner: ExternalTarget, message: Message) -> None:
    head = message.header
    if head.supplying.lower() != partner.lender_symbol.lower():
        raise ProtocolError("UnrecognisedDataValue", f"supplyingAgencyId {head.supplying}")
    code, _dash, number = head.request_id.rpartition("-")
    loan = (
        IllRequest.objects.filter(
            pk=int(number) if number.isdigit() else 0,
            school__code=code,
            school__municipality_id=partner.municipality_id,
            target=partner,
        )
        .select_related("school")
        .first()
    )
    if loan is None or code.lower() != head.requesting.lower():
        raise ProtocolError("UnrecognisedDataValue", f"requestingAgencyRequestId {head.request_id}")
    new = LENDER_STATUS.get(message.status)
    moved = ill.lender_status(
        loan,
        new,
        note=message.note or message.status,
        reference=head.supplying_request_id,
        due=message.due,
        partner=partner.name,
    )
    if not moved:
        raise ProtocolError(
            "UnrecognisedDataValue", f"status {message.status} for a request {loan.state}"
        )


# --- A partner borrows from us ------------------------------------------------------------------


def _partner_asks(partner: ExternalTarget, message: Message) -> PartnerRequest:
    head = message.header
    if head.requesting.lower() != partner.lender_symbol.lower():
        raise ProtocolError("UnrecognisedDataValue", f"requestingAgencyId {head.requesting}")
    schools = School.objects.filter(municipality_id=partner.municipality_id, code=head.supplying)
    if partner.school_id is not None:
        schools = schools.filter(pk=partner.school_id)
    school = schools.first()
    if school is None:
        raise ProtocolError("UnrecognisedDataValue", f"supplyingAgencyId {head.supplying}")
    with transaction.atomic():
        asked, created = PartnerRequest.objects.get_or_create(
            partner=partner,
            their_id=head.request_id,
            defaults={
                "school": school,
                "title": message.title,
                "author": message.author,
                "isbn": message.isbn,
                "year": message.year,
            },
        )
        if created:
            audit.record(
                SYSTEM, "ill.partner_request", asked, school=school,
                details={"partner": partner.name, "title": message.title[:200]},
            )  # fmt: skip
    return asked


def _borrower_says(partner: ExternalTarget, message: Message) -> None:
    with transaction.atomic():
        asked = (
            PartnerRequest.objects.select_for_update(of=("self",))
            .filter(partner=partner, their_id=message.header.request_id)
            .select_related("school", "item")
            .first()
        )
        if asked is None:
            raise ProtocolError(
                "UnrecognisedDataValue", f"requestingAgencyRequestId {message.header.request_id}"
            )
        new = {"ShippedReturn": P.RETURNED, "Cancel": P.CANCELLED}.get(message.action)
        allowed = {P.RETURNED: {P.LOANED}, P.CANCELLED: {P.NEW, P.WILL_SUPPLY}}
        if new is None or asked.state == new:
            return
        if asked.state not in allowed[new]:
            raise ProtocolError("UnrecognisedDataValue", f"{message.action} when {asked.state}")
        if new == P.RETURNED:
            _check_in(SYSTEM, asked)
        old, asked.state = asked.state, new
        asked.save(update_fields=["state", "updated_at"])
        audit.record(
            SYSTEM, f"ill.partner_{new}", asked, school=asked.school,
            details={"from": old, "partner": partner.name},
        )  # fmt: skip


def _check_in(actor: Actor, asked: PartnerRequest) -> None:
    """Our copy is back from the partner: checked in as at the desk (to a hold, in transit or
    on the shelf), unless the desk already did."""
    if asked.item is not None and desk.open_library_loan_of(asked.item) is not None:
        checkin(actor, asked.school, asked.item)


def _our_answer(asked: PartnerRequest, new: str, due: dt.date | None, note: str) -> bytes:
    header = Header(
        supplying=asked.school.code,
        requesting=asked.partner.lender_symbol,
        request_id=asked.their_id,
        supplying_request_id=f"{asked.school.code}-p{asked.pk}",
    )
    return iso18626.supplying_message(
        header,
        status=OUR_STATUS[new],
        reason="RequestResponse" if asked.state == P.NEW else "StatusChange",
        due=due if new == P.LOANED else None,
        note=note,
    )


@transaction.atomic
def answer_partner(
    actor: Actor, asked: PartnerRequest, new: str, *, due: dt.date | None = None, note: str = "",
    barcode: str = "",
) -> PartnerRequest:  # fmt: skip
    """Our librarian's answer to a partner's request: kept, and sent to the partner (outbox).

    Lent (``LOANED``): our copy ``barcode`` goes on loan to the partner through circulation
    (the desk refuses it while it is away); ``COMPLETED``: it is checked in if still out."""
    require(actor, Perm.EXTERNAL_MANAGE, asked.school)
    locked = (
        PartnerRequest.objects.select_for_update(of=("self",))
        .select_related("school", "partner", "item")
        .get(pk=asked.pk)
    )
    if new not in PARTNER_STEPS.get(locked.state, frozenset()):
        raise ValidationError(_("That answer does not follow from the request's state."))
    if new == P.LOANED:
        if due is None:
            raise ValidationError({"due": _("Say when it must be back.")})
        if not barcode.strip():
            raise ValidationError({"barcode": _("Scan the copy you lend.")})
        lent = lend_to_library(
            actor, locked.school, barcode.strip(), library=locked.partner.name, due=due,
            reference=locked.their_id,
        )  # fmt: skip
        locked.item, locked.due, due = lent.item, lent.due_date, lent.due_date
    if new == P.COMPLETED:
        _check_in(actor, locked)
    note = note.strip()[:500]
    body = _our_answer(locked, new, due, note)
    old, locked.state, locked.note = locked.state, new, note
    locked.save()
    outbox.put(
        locked.partner, locked.school, locked.their_id, body, kind="supplyingAgencyMessage",
        what=OUR_STATUS[new],
    )  # fmt: skip
    audit.record(
        actor, f"ill.partner_{new}", locked, school=locked.school,
        details={"from": old, "partner": locked.partner.name,
                 "item": locked.item.barcode if locked.item else ""},
    )  # fmt: skip
    return locked


# --- The endpoint's work ----------------------------------------------------------------------


def receive(raw: bytes, token: str) -> tuple[int, bytes]:
    """Read a partner's message and act on it; the HTTP status and the confirmation to send.

    A partner over its rate (``throttle``) gets 429 and a confirmation with an error (the
    standard has no error type for it; ``BadlyFormedMessage`` with the value
    ``rate limit: …`` is what a partner's system shows its staff; Retry-After says when)."""
    partner = partner_for(token)
    if partner is None:
        return 401, iso18626.confirmation(
            "request", Header(), error_type="BadlyFormedMessage", error_value="unknown partner"
        )
    wait = throttle.admit(partner)
    if wait:
        value = f"rate limit: at most {throttle.per_minute()} messages a minute"
        return 429, iso18626.confirmation(
            "request", Header(), error_type="BadlyFormedMessage", error_value=value
        )
    try:
        message = iso18626.parse(raw)
    except ProtocolError as error:
        # Unreadable: 400. Read but refused by the standard's rules: answered in kind, as any
        # refusal (the partner's system reads the error in the confirmation).
        return 200 if error.kind else 400, iso18626.confirmation(
            error.kind or "request", error.header or Header(), error_type=error.error_type,
            error_value=error.value,
        )  # fmt: skip
    header, reason = message.header, message.reason or message.action
    try:
        if message.kind == "request":
            asked = _partner_asks(partner, message)
            header.supplying_request_id = f"{asked.school.code}-p{asked.pk}"
        elif message.kind == "supplyingAgencyMessage":
            _lender_says(partner, message)
        elif message.kind == "requestingAgencyMessage":
            _borrower_says(partner, message)
        else:
            raise ProtocolError("UnsupportedActionType", message.kind)
    except ProtocolError as error:
        return 200, iso18626.confirmation(
            message.kind, header, error_type=error.error_type, error_value=error.value,
            reason=reason,
        )  # fmt: skip
    return 200, iso18626.confirmation(message.kind, header, reason=reason)
