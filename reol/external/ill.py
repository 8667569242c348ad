"""Interlibrary loans: every write of a request's life, one transaction each, audited.

A request moves only along ``states.TRANSITIONS``. Receiving it creates a temporary copy (its
own barcode) of a catalogue record; the desk lends and takes it back as any copy (circulation's
actions, with the lender's due date as a due-date cap, see ``lender_due_cap``), and a loan
listener moves the request to lent and returned; sending it back withdraws the copy through
circulation's ``retire_copy``, so it leaves the catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog import services as catalog
from reol.catalog.extract import normalize_isbn
from reol.catalog.models import Item
from reol.circulation.actions.copies import retire_copy
from reol.circulation.limits import DueDateLimit
from reol.circulation.models import Loan
from reol.core import audit, calendar
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm, require, roles_at

from . import messages
from .models import ExternalTarget, IllRequest, RequestMethod
from .states import IllState, can_change

S = IllState


def next_week(week: int, today: dt.date) -> tuple[int, int]:
    """The next ISO week numbered ``week`` from today (this year's, or next year's if past)."""
    year, current = calendar.week_of(today)
    if week < current:
        year += 1
    if not 1 <= week <= calendar.weeks_in_year(year):
        raise ValidationError(
            {"week": _("%(year)s has no week %(week)s.") % {"year": year, "week": week}}
        )
    return year, week


@transaction.atomic
def request_loan(
    actor: Actor,
    school: School,
    *,
    target: ExternalTarget | None = None,
    title: str = "",
    author: str = "",
    isbn: str = "",
    year: int | None = None,
    topic: str = "",
    week: int | None = None,
    note: str = "",
) -> IllRequest:
    """A student or teacher of ``school`` asks for a title (or, a teacher, for a topic) from
    outside; a teacher may name the annual-plan week it is wanted for."""
    if not roles_at(actor, school) and not has_perm(actor, Perm.EXTERNAL_MANAGE, school):
        raise PermissionDenied(
            _("Only people of %(school)s may ask it to borrow.") % {"school": school.name}
        )
    if target is not None and target.municipality_id != school.municipality_id:
        raise ValidationError(_("That catalogue belongs to another municipality."))
    if target is not None and target.school_id not in (None, school.pk):
        raise ValidationError(_("That catalogue belongs to another school."))
    title, topic = title.strip(), topic.strip()
    if not title and not topic:
        raise ValidationError({"title": _("Say which title you want, or what topic.")})
    isbn13 = normalize_isbn(isbn) if isbn.strip() else ""
    if isbn.strip() and not isbn13:
        raise ValidationError({"isbn": _("This ISBN is not valid.")})
    week_year = None
    if week is not None:
        if not has_perm(actor, Perm.PLANNING, school):
            raise ValidationError({"week": _("Only teachers plan for a week.")})
        week_year, week = next_week(week, timezone.localdate())
    loan = IllRequest.objects.create(
        school=school,
        requester=actor if isinstance(actor, User) else None,
        target=target,
        title=title,
        author=author.strip(),
        isbn=isbn13 or "",
        year=year,
        topic=topic,
        week_year=week_year,
        week=week,
        note=note.strip(),
    )
    audit.record(actor, "ill.request", loan, school=school, details={"title": title or topic})
    return loan


def lock_request(loan: IllRequest) -> IllRequest:
    return (
        IllRequest.objects.select_for_update(of=("self",))
        .select_related("school", "target")
        .get(pk=loan.pk)
    )


def move(actor: Actor, loan: IllRequest, new: str, **fields: Any) -> IllRequest:
    """Move the (locked) request to ``new`` if the table allows it; audit it."""
    if not can_change(loan.state, new):
        raise ValidationError(
            _("A request that is %(current)s cannot become %(new)s.")
            % {"current": IllState(loan.state).label, "new": IllState(new).label}
        )
    old = loan.state
    loan.state = new
    for name, value in fields.items():
        setattr(loan, name, value)
    loan.save()
    audit.record(actor, f"ill.{new}", loan, school=loan.school, details={"from": old})
    return loan


@transaction.atomic
def approve(actor: Actor, loan: IllRequest, *, target: ExternalTarget | None = None) -> IllRequest:
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    locked = lock_request(loan)
    target = target or locked.target
    if target is None:
        raise ValidationError({"target": _("Choose the library to borrow it from.")})
    if target.municipality_id != locked.school.municipality_id:
        raise ValidationError({"target": _("That catalogue belongs to another municipality.")})
    return move(actor, locked, S.APPROVED, target=target)


@transaction.atomic
def cancel(actor: Actor, loan: IllRequest) -> IllRequest:
    locked = lock_request(loan)
    own = getattr(actor, "pk", None) == locked.requester_id and locked.state == S.REQUESTED
    if not own:
        require(actor, Perm.EXTERNAL_MANAGE, locked.school)
    return move(actor, locked, S.CANCELLED)


@transaction.atomic
def send(actor: Actor, loan: IllRequest) -> IllRequest:
    """Send the request to the lender: by e-mail (after the transaction commits), or as a
    printed form the librarian passes on; a sibling school sees it among the requests asked of
    it. (A partner speaking ISO 18626 is sent to by ``exchange.send``.) Only
    ``messages.outgoing`` leaves Reol: the title and our library, never the patron."""
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    locked = lock_request(loan)
    sent = move(actor, locked, S.SENT, sent_at=timezone.now())
    assert sent.target is not None
    if sent.target.request_method == RequestMethod.EMAIL:
        mail = messages.email(sent)
        transaction.on_commit(lambda: mail.send(fail_silently=False))
    return sent


def check_step(loan: IllRequest, new: str) -> None:
    """Refuse (with the table's words) a step the request's current state does not allow."""
    current = IllRequest.objects.values_list("state", flat=True).get(pk=loan.pk)
    if not can_change(current, new):
        raise ValidationError(
            _("A request that is %(current)s cannot become %(new)s.")
            % {"current": IllState(current).label, "new": IllState(new).label}
        )


# A partner may answer before our "sent" is committed: its answer implies the sending.
AFTER_SENT = frozenset({S.ACCEPTED, S.REFUSED, S.SHIPPED, S.RECEIVED, S.LENT, S.RETURNED})


@transaction.atomic
def mark_sent(actor: Actor, loan: IllRequest) -> IllRequest:
    """The partner confirmed our request: it is sent (unless its answer came first)."""
    locked = lock_request(loan)
    if locked.state in AFTER_SENT:
        return locked
    return move(actor, locked, S.SENT, sent_at=timezone.now())


@transaction.atomic
def lender_status(
    loan: IllRequest,
    new: str | None,
    *,
    note: str,
    reference: str,
    due: dt.date | None,
    partner: str,
) -> bool:
    """A partner's status message (``exchange``): move the request if the table allows it, or
    accept a repeat or a message overtaken by events. False: the message makes no sense now."""
    locked = lock_request(loan)
    if new is None or locked.state == new:
        return True
    if locked.state == S.APPROVED and new != S.CANCELLED:
        locked = move(SYSTEM, locked, S.SENT, sent_at=timezone.now())
    if not can_change(locked.state, new):
        overtaken = new in (S.ACCEPTED, S.SHIPPED) and locked.state in (
            S.SHIPPED, S.RECEIVED, S.LENT, S.RETURNED, S.SENT_BACK,
        )  # fmt: skip
        return overtaken
    fields: dict[str, Any] = {
        "lender_note": note[:500],
        "lender_reference": reference[:64] or locked.lender_reference,
    }
    if due is not None and new == S.SHIPPED:
        fields["lender_due"] = due
    move(SYSTEM, locked, new, **fields)
    return True


@transaction.atomic
def lender_answered(
    actor: Actor, loan: IllRequest, *, accepted: bool, note: str = "", reference: str = ""
) -> IllRequest:
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    locked = lock_request(loan)
    new = S.ACCEPTED if accepted else S.REFUSED
    return move(actor, locked, new, lender_note=note.strip(), lender_reference=reference.strip())


@transaction.atomic
def shipped(actor: Actor, loan: IllRequest) -> IllRequest:
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    return move(actor, lock_request(loan), S.SHIPPED)


@transaction.atomic
def receive(
    actor: Actor, loan: IllRequest, *, lender_due: dt.date, barcode: str = ""
) -> IllRequest:
    """The lender's copy came: a temporary copy with its own barcode and the lender's date."""
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    locked = lock_request(loan)
    if not can_change(locked.state, S.RECEIVED):
        return move(actor, locked, S.RECEIVED)  # refuses with the table's message
    if lender_due < timezone.localdate():
        raise ValidationError({"lender_due": _("The lender's due date has passed already.")})
    school = locked.school
    records = catalog.records_with_isbn(school.municipality, [locked.isbn]) if locked.isbn else []
    record = (
        records[0]
        if records
        else catalog.create_record(
            actor,
            school.municipality,
            catalog.new_marc(
                title=locked.title or locked.topic,
                author=locked.author,
                isbn=locked.isbn,
                year=locked.year,
            ),
            allow_duplicate_isbn=True,
        )
    )
    lender = locked.target.name if locked.target else ""
    note = _("Interlibrary loan from %(lender)s; goes back by %(date)s.") % {
        "lender": lender,
        "date": lender_due.isoformat(),
    }
    given = [barcode.strip()] if barcode.strip() else None
    (copy,) = catalog.add_items(
        actor, record, school, barcodes=given, notes=note, temporary_until=lender_due
    )
    return move(actor, locked, S.RECEIVED, item=copy, lender_due=lender_due)


@transaction.atomic
def send_back(actor: Actor, loan: IllRequest) -> IllRequest:
    """The copy goes back to the lender and leaves the catalogue."""
    require(actor, Perm.EXTERNAL_MANAGE, loan.school)
    locked = lock_request(loan)
    if not can_change(locked.state, S.SENT_BACK):
        return move(actor, locked, S.SENT_BACK)  # refuses with the table's message
    assert locked.item is not None
    retire_copy(actor, locked.school, locked.item, reason=f"ill:{locked.pk}")
    return move(actor, locked, S.SENT_BACK)


# --- What circulation asks (registered in apps.py) ---------------------------------------------


def on_loan_event(event: str, loan: Loan) -> None:
    """A temporary copy lent or returned at the desk moves its request along. The library's
    own copies (no ``temporary_until``) cost no query: the desk stays as fast as it was."""
    if loan.item.temporary_until is None:
        return
    request = IllRequest.objects.select_for_update().filter(item_id=loan.item_id).first()
    if request is None:
        return
    new = S.LENT if event == "checkout" else S.RETURNED
    if can_change(request.state, new):
        request.state = new
        request.save(update_fields=["state", "updated_at"])
        # The loan's own audit event names the person at the desk; this is the system's echo.
        audit.record(SYSTEM, f"ill.{new}", request, school=request.school, details={})


def lender_due_cap(
    item: Item,
    school: School,
    proposed_due: dt.date,
    *,
    today: dt.date | None = None,
    record_locked: bool = False,
) -> DueDateLimit | None:
    """A borrowed copy is never lent past the day it must go back to its lender (the copy's
    ``temporary_until``, set from the lender's date on receipt: no query at the desk)."""
    due = item.temporary_until
    if due is None or proposed_due <= due:
        return None
    return DueDateLimit(due, _("It is borrowed from another library and must go back by then."))
