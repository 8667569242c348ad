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

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import SYSTEM, Actor, Perm, require

from . import ill, iso18626
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


def _post(target: ExternalTarget, body: bytes) -> Message:
    """Send to the partner; a refusal or silence is the librarian's clear message."""
    try:
        answer = iso18626.post(
            target.iso18626_url, target.outgoing_token, body, timeout_ms=target.timeout_ms
        )
    except iso18626.PartnerUnreachable as error:
        raise ValidationError(
            _("%(partner)s's system did not answer as expected (%(error)s). Nothing changed.")
            % {"partner": target.name, "error": str(error)}
        ) from error
    if not answer.ok:
        raise ValidationError(
            _("%(partner)s refused the message: %(error)s")
            % {"partner": target.name, "error": answer.error or "ERROR"}
        )
    return answer


# --- We borrow --------------------------------------------------------------------------------


def send(actor: Actor, loan: IllRequest) -> IllRequest:
    """The librarian's "send": over ISO 18626 to a partner that has an address for it, else by
    ``ill.send`` (e-mail, printed form, or a sibling school's list)."""
    if speaks_iso(loan.target):
        return send_request(actor, loan)
    return ill.send(actor, loan)


def send_back(actor: Actor, loan: IllRequest) -> tuple[IllRequest, str]:
    """The copy goes back (``ill.send_back``); a partner is told. Returns a problem, or ''."""
    returned = ill.send_back(actor, loan)
    return returned, tell_returned(returned)


def send_request(actor: Actor, loan: IllRequest) -> IllRequest:
    """POST our ``request`` to the lender, then (its confirmation OK) mark the loan sent."""
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    ill.check_step(loan, S.SENT)
    assert loan.target is not None
    _post(loan.target, outgoing.iso18626_request(loan))
    return ill.mark_sent(actor, loan)


def tell_returned(loan: IllRequest) -> str:
    """After sending back: tell the lender (``ShippedReturn``). Returns a problem, or ''."""
    if not speaks_iso(loan.target):
        return ""
    assert loan.target is not None
    body = iso18626.requesting_message(outgoing.iso18626_header(loan), action="ShippedReturn")
    try:
        _post(loan.target, body)
    except ValidationError as error:
        return " ".join(error.messages)
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
            PartnerRequest.objects.select_for_update()
            .filter(partner=partner, their_id=message.header.request_id)
            .select_related("school")
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
        old, asked.state = asked.state, new
        asked.save(update_fields=["state", "updated_at"])
        audit.record(
            SYSTEM, f"ill.partner_{new}", asked, school=asked.school,
            details={"from": old, "partner": partner.name},
        )  # fmt: skip


def answer_partner(
    actor: Actor, asked: PartnerRequest, new: str, *, due: dt.date | None = None, note: str = ""
) -> PartnerRequest:
    """Our librarian's answer to a partner's request, sent to the partner, then kept."""
    require(actor, Perm.EXTERNAL_MANAGE, asked.school)
    if new not in PARTNER_STEPS.get(asked.state, frozenset()):
        raise ValidationError(_("That answer does not follow from the request's state."))
    if new == P.LOANED and due is None:
        raise ValidationError({"due": _("Say when it must be back.")})
    header = Header(
        supplying=asked.school.code,
        requesting=asked.partner.lender_symbol,
        request_id=asked.their_id,
        supplying_request_id=f"{asked.school.code}-p{asked.pk}",
    )
    body = iso18626.supplying_message(
        header,
        status=OUR_STATUS[new],
        reason="RequestResponse" if asked.state == P.NEW else "StatusChange",
        due=due if new == P.LOANED else None,
        note=note.strip()[:500],
    )
    _post(asked.partner, body)
    with transaction.atomic():
        locked = PartnerRequest.objects.select_for_update().get(pk=asked.pk)
        old, locked.state = locked.state, new
        if new == P.LOANED:
            locked.due = due
        locked.note = note.strip()[:500]
        locked.save()
        audit.record(
            actor, f"ill.partner_{new}", locked, school=locked.school,
            details={"from": old, "partner": asked.partner.name},
        )  # fmt: skip
    return locked


# --- The endpoint's work ----------------------------------------------------------------------


def receive(raw: bytes, token: str) -> tuple[int, bytes]:
    """Read a partner's message and act on it; the HTTP status and the confirmation to send."""
    partner = partner_for(token)
    if partner is None:
        return 401, iso18626.confirmation(
            "request", Header(), error_type="BadlyFormedMessage", error_value="unknown partner"
        )
    try:
        message = iso18626.parse(raw)
    except ProtocolError as error:
        return 400, iso18626.confirmation(
            "request", Header(), error_type=error.error_type, error_value=error.value
        )
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
