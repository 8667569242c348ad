"""REST endpoints of the desk: lend, return, renew, hold, and look up a patron or a copy.

They call the same services as the desk page. A refusal answers 409 (the library's rules or
state say no) or 422 (the barcode names nothing we know) with ``{"code", "message"}``; the
message is in the language of the request. The school is the one named, else the copy's own
school (lending, renewing), else the one school where the caller works the desk.

The lists (a patron's loans, the class sets out) are paged the one way: ``page``, ``size``,
``{"count", "items"}`` (``reol.core.paging``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from reol.catalog.models import Item, ItemStatus, Record
from reol.core.models import School, User
from reol.core.paging import paged
from reol.core.permissions import Perm, has_perm, schools_with
from reol.core.schemas import OneLine

from . import once, selectors
from .actions import class_sets as class_set_actions
from .actions import holds as hold_actions
from .actions import loans as loan_actions
from .actions.common import desk_for, unknown_item
from .errors import CirculationError
from .models import Hold, Loan

router = Router(tags=["circulation"])
T = TypeVar("T")


class Problem(Schema):
    code: str
    message: str


class LoanOut(Schema):
    id: int
    item: str = Field(..., alias="item.barcode")
    title: str = Field(..., alias="item.record.title")
    record: int = Field(..., alias="item.record_id")
    school: str = Field(..., alias="school.code")
    patron: str | None = Field(None, alias="patron.username")
    loan_date: dt.date
    due_date: dt.date
    renewals: int
    state: str


class CheckoutIn(Schema):
    patron: OneLine = Field(..., max_length=100, description="card barcode or username")
    item: OneLine = Field(..., max_length=100, description="the copy's barcode")
    school: OneLine | None = Field(None, max_length=32, description="defaults to the copy's school")
    override_hold: bool = False
    override_title: bool = Field(
        False, description="lend a student a second copy of a title they already have"
    )


class ItemIn(Schema):
    item: OneLine = Field(..., max_length=100)
    school: OneLine | None = Field(None, max_length=32)


class CheckinOut(Schema):
    item: str
    title: str
    route: str = Field(..., description="shelf, hold_shelf or transit")
    returned_loan: int | None
    hold: int | None
    hold_patron: str | None
    destination: str | None = Field(None, description="the copy's school, when in transit")
    found: bool
    overdue_days: int


class HoldIn(Schema):
    patron: OneLine = Field(..., max_length=100)
    record: int | None = None
    item: OneLine | None = Field(None, max_length=100, description="hold this one copy")
    school: OneLine | None = Field(None, max_length=32, description="where to collect it")


class HoldOut(Schema):
    id: int
    record: int = Field(..., alias="record_id")
    title: str = Field(..., alias="record.title")
    item: str | None = Field(None, alias="item.barcode")
    school: str = Field(..., alias="school.code")
    patron: str = Field(..., alias="patron.username")
    state: str
    placed_at: dt.datetime
    pickup_by: dt.date | None


class ItemOut(Schema):
    barcode: str
    record: int
    title: str
    school: str
    status: str
    status_label: str
    circulation_type: str
    due_date: dt.date | None
    patron: str | None


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _school_by_code(code: str) -> School:
    school = School.objects.select_related("municipality").filter(code=code).first()
    if school is None:
        raise CirculationError(
            "unknown_school", _("There is no school %(code)s.") % {"code": code}, status=422
        )
    return school


def _desk_school(
    request: HttpRequest, code: str | None, item: str | None = None, *, lending: bool = False
) -> School:
    """The school named, else ``desk_for`` the copy (its school, or the caller's one desk)."""
    if code:
        return _school_by_code(code)
    return desk_for(_me(request), selectors.school_of_copy(item) if item else None, lending=lending)


def _answer(call: Callable[[], T], status: int = 200) -> tuple[int, T | dict[str, str]]:
    try:
        return status, call()
    except CirculationError as error:
        return error.status, error.as_dict()


def _once(
    request: HttpRequest, payload: Schema, run: Callable[[], Any], status: int = 200
) -> tuple[int, Any] | HttpResponse:
    """Answer ``run`` once per ``Idempotency-Key`` (``circulation.once``): a request sent again
    with the key of one already answered gets that answer again and does nothing."""
    try:
        key = once.key_of(request)
    except CirculationError as error:
        return error.status, error.as_dict()
    if not key:
        return _answer(run, status)

    def act() -> once.Outcome:
        code, body = _answer(run, status)
        return once.Outcome(
            code, LoanOut.from_orm(body).model_dump() if isinstance(body, Loan) else body
        )

    asked = once.fingerprint(request.path, payload.model_dump())
    try:
        outcome = once.once(_me(request), key, asked, act)
    except CirculationError as error:
        return error.status, error.as_dict()
    response = JsonResponse(outcome.answer, status=outcome.status)
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post("/circulation/checkout", response={201: LoanOut, 409: Problem, 422: Problem})
def checkout(request: HttpRequest, payload: CheckoutIn) -> tuple[int, Any] | HttpResponse:
    """Lend a copy to a patron; answers the loan with its due date.

    With an ``Idempotency-Key`` header, the same request sent again (its answer was lost)
    answers the first answer again instead of lending twice; so do check-in and renew."""

    def run() -> Loan:
        school = _desk_school(request, payload.school, payload.item, lending=True)
        overrides = {"already_has_title"} if payload.override_title else set()
        return loan_actions.checkout(
            _me(request),
            school,
            payload.patron,
            payload.item,
            override_hold=payload.override_hold,
            overrides=overrides,
        ).loan

    return _once(request, payload, run, 201)


@router.post("/circulation/checkin", response={200: CheckinOut, 409: Problem, 422: Problem})
def checkin(request: HttpRequest, payload: ItemIn) -> tuple[int, Any] | HttpResponse:
    """Return a copy at a school's desk; says where it goes (shelf, hold shelf, in transit)."""

    def run() -> dict[str, Any]:
        # With no school named, the action finds the desk from the copy it locks (``desk_for``).
        school = _school_by_code(payload.school) if payload.school else None
        result = loan_actions.checkin(_me(request), school, payload.item)
        return {
            "item": result.item.barcode,
            "title": result.item.record.title,
            "route": result.route,
            "returned_loan": result.loan.pk if result.loan else None,
            "hold": result.hold.pk if result.hold else None,
            "hold_patron": result.hold.patron.username if result.hold else None,
            "destination": result.item.school.code
            if result.route == loan_actions.Route.TRANSIT
            else None,
            "found": result.found,
            "overdue_days": result.overdue_days,
        }

    return _once(request, payload, run)


@router.post("/circulation/renew", response={200: LoanOut, 409: Problem, 422: Problem})
def renew(request: HttpRequest, payload: ItemIn) -> tuple[int, Any] | HttpResponse:
    """Renew the loan of a copy (staff, or the borrower themself)."""

    def run() -> Loan:
        found = selectors.item_by_barcode(payload.item)
        school = _school_by_code(payload.school) if payload.school else None
        if school is None:
            if found is None:
                raise unknown_item(payload.item)
            school = found.school
        return loan_actions.renew(_me(request), school, payload.item)

    return _once(request, payload, run)


@router.post("/holds", response={201: HoldOut, 409: Problem, 422: Problem})
def place_hold(request: HttpRequest, payload: HoldIn) -> tuple[int, Any]:
    """Place a hold on a title (``record``) or on one copy (``item``) for a patron."""

    def run() -> Hold:
        school = _desk_school(request, payload.school, payload.item)
        record = None
        if payload.record is not None:
            record = Record.objects.filter(pk=payload.record).first()
            if record is None:
                raise CirculationError("unknown_record", _("There is no such title."), status=422)
        if record is None and not payload.item:
            raise CirculationError(
                "record_required", _('Say which title ("record") or copy ("item").'), status=422
            )
        hold = hold_actions.place_hold(
            _me(request), school, payload.patron, record=record, item=payload.item
        )
        return Hold.objects.select_related("record", "item", "school", "patron").get(pk=hold.pk)

    return _answer(run, 201)


@router.post("/holds/{int:hold_id}/cancel", response={200: HoldOut, 409: Problem, 422: Problem})
def cancel_hold(request: HttpRequest, hold_id: int) -> tuple[int, Any]:
    def run() -> Hold:
        hold = hold_actions.cancel_hold(_me(request), hold_id)
        return Hold.objects.select_related("record", "item", "school", "patron").get(pk=hold.pk)

    return _answer(run)


@router.get("/patrons/{barcode}/loans", response=list[LoanOut])
@paged
def patron_loans(request: HttpRequest, barcode: str) -> QuerySet[Loan]:
    """A patron's open loans, for staff of a desk where they are a patron (or themself)."""
    me = _me(request)
    person = selectors.patron_by_code(barcode)
    if person is None:
        raise Http404
    loans = selectors.open_loans(person)
    if person.pk != me.pk:
        desks = schools_with(me, Perm.CIRCULATION_DESK)
        if not any(selectors.patron_category(person, s) for s in desks):
            raise Http404
        # Staff see the loans made at their own desks, not the person's loans at other schools.
        loans = loans.filter(school__in=desks)
    return loans.select_related("patron")  # the soonest due first, then by id


@router.get("/items/{barcode}", response=ItemOut)
def item(request: HttpRequest, barcode: str) -> dict[str, Any]:
    """A copy's status, and (for staff of its desk) who has it and when it is due."""
    me = _me(request)
    found: Item | None = selectors.item_by_barcode(barcode)
    if (
        found is None
        or not schools_with(me, Perm.STAFF_SHELL)
        .filter(municipality_id=found.school.municipality_id)
        .exists()
    ):
        raise Http404
    loan = None
    if found.status in (ItemStatus.ON_LOAN,) and has_perm(me, Perm.CIRCULATION_DESK, found.school):
        loan = selectors.open_loan_of(found)
    return {
        "barcode": found.barcode,
        "record": found.record_id,
        "title": found.record.title,
        "school": found.school.code,
        "status": found.status,
        "status_label": str(ItemStatus(found.status).label),
        "circulation_type": found.circulation_type,
        "due_date": loan.due_date if loan else None,
        "patron": loan.patron.username if loan and loan.patron else None,
    }


# --- Class sets --------------------------------------------------------------------------------


class ClassSetIn(Schema):
    patron: OneLine = Field(
        ..., max_length=100, description="the teacher's card barcode or username"
    )
    group: int = Field(..., description="the class (a patrons group of the school)")
    record: int | None = Field(None, description="the title: the system picks `count` copies")
    count: int | None = Field(None, ge=1, le=200)
    items: list[OneLine] | None = Field(
        None, max_length=200, description="or the copies' barcodes, as scanned"
    )
    school: OneLine | None = Field(None, max_length=32)


class CopyProblem(Schema):
    item: str
    code: str
    message: str


class ClassSetProblem(Schema):
    code: str
    message: str
    problems: list[CopyProblem] = []


class ClassSetOutSchema(Schema):
    group: int
    group_name: str
    record: int
    title: str
    patron: str | None
    due_date: dt.date
    loans: list[LoanOut]


class ClassSetReturnIn(Schema):
    items: list[OneLine] = Field(..., min_length=1, max_length=200)
    school: OneLine | None = Field(None, max_length=32)


class ClassSetReturnOut(Schema):
    returned: list[str]
    problems: list[CopyProblem]


class ClassSetListed(Schema):
    group: int
    group_name: str
    record: int
    title: str
    patron: str | None
    copies: int
    lent_on: dt.date
    due_date: dt.date


def _problem(error: CirculationError) -> tuple[int, dict[str, Any]]:
    return error.status, {**error.as_dict(), "problems": error.details.get("problems", [])}


@router.post(
    "/circulation/class-sets",
    response={201: ClassSetOutSchema, 409: ClassSetProblem, 422: ClassSetProblem},
)
def lend_class_set(request: HttpRequest, payload: ClassSetIn) -> tuple[int, Any]:
    """Lend a teacher a class set in one request: ``count`` copies of ``record`` the system
    picks, or the ``items`` scanned. All or nothing; a refusal lists every copy's problem."""
    try:
        first = payload.items[0] if payload.items else None
        school = _desk_school(request, payload.school, first, lending=True)
        result = class_set_actions.lend_class_set(
            _me(request),
            school,
            payload.patron,
            payload.group,
            items=payload.items,
            record=payload.record,
            count=payload.count,
        )
    except CirculationError as error:
        return _problem(error)
    loans = Loan.objects.filter(pk__in=[loan.pk for loan in result.loans]).select_related(
        "item__record", "school", "patron"
    )
    return 201, {
        "group": result.group.pk,
        "group_name": result.group.name,
        "record": result.record.pk,
        "title": result.record.title,
        "patron": result.patron.username,
        "due_date": min(loan.due_date for loan in result.loans),
        "loans": list(loans.order_by("item__barcode")),
    }


@router.post(
    "/circulation/class-sets/return",
    response={200: ClassSetReturnOut, 409: Problem, 422: Problem},
)
def return_class_set(request: HttpRequest, payload: ClassSetReturnIn) -> tuple[int, Any]:
    """Take back many copies at once; copies that cannot be returned are listed, the rest are."""

    def run() -> dict[str, Any]:
        school = _desk_school(request, payload.school, payload.items[0])
        outcome = class_set_actions.return_class_set(_me(request), school, payload.items)
        return {
            "returned": [r.item.barcode for r in outcome.returned],
            "problems": outcome.problems,
        }

    return _answer(run)


@router.get("/circulation/class-sets", response={200: list[ClassSetListed], 422: Problem})
@paged
def class_sets_out(request: HttpRequest, school: str | None = None) -> list[dict[str, Any]]:
    """The class sets out at a school's desk, the soonest due first."""
    try:
        desk = _desk_school(request, school)
    except CirculationError as error:
        # A paged answer has no room for the desk's own 422; the API's one 422 says the same.
        raise ValidationError({"school": error.message}) from None
    if not has_perm(_me(request), Perm.CIRCULATION_DESK, desk):
        raise Http404
    found = selectors.class_sets_out(desk)
    # A set is a class, a title and a borrower: order by all three, so pages never overlap.
    found.sort(key=lambda s: (s.due, s.group.pk, s.record.pk, s.patron.pk if s.patron else 0))
    return [
        {
            "group": s.group.pk,
            "group_name": s.group.name,
            "record": s.record.pk,
            "title": s.record.title,
            "patron": s.patron.username if s.patron else None,
            "copies": s.copies,
            "lent_on": s.lent_on,
            "due_date": s.due,
        }
        for s in found
    ]
