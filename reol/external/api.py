"""REST endpoints of external collections: interlibrary loans to handle, and their steps.

Scoped like the rest: a caller sees the requests of the schools where they hold
``Perm.EXTERNAL_MANAGE``; another school's request is a 404. A step the state table does not
allow answers 422 (the house's refusal shape)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from reol.core import denials
from reol.core.models import User
from reol.core.paging import paged

from . import exchange, ill, selectors
from .models import IllRequest

router = Router(tags=["external"])


class IllOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    title: str
    author: str
    isbn: str
    topic: str
    week_year: int | None
    week: int | None
    state: str
    target: str | None = Field(None, alias="target.name")
    lender_due: dt.date | None
    item: str | None = Field(None, alias="item.barcode")


class StepIn(Schema):
    step: Literal["approve", "send", "accepted", "refused", "shipped", "cancel", "send_back"]


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/interlibrary-loans", response=list[IllOut])
@paged
def list_loans(request: HttpRequest, state: str | None = None) -> QuerySet[IllRequest]:
    """Interlibrary loans of your schools, newest first (``state`` filters)."""
    found = selectors.requests_to_handle(_me(request))
    if state:
        found = found.filter(state=state)
    return found.order_by("-created_at", "-id")


@router.post("/interlibrary-loans/{int:loan_id}/steps", response=IllOut)
def take_step(request: HttpRequest, loan_id: int, body: StepIn) -> IllRequest:
    """Move a request one step (the lender's answers, sending, cancelling, sending back)."""
    me = _me(request)
    loan = denials.get_or_404(request, selectors.requests_to_handle(me), pk=loan_id)
    steps = {
        "approve": lambda: ill.approve(me, loan),
        "send": lambda: exchange.send(me, loan),
        "accepted": lambda: ill.lender_answered(me, loan, accepted=True),
        "refused": lambda: ill.lender_answered(me, loan, accepted=False),
        "shipped": lambda: ill.shipped(me, loan),
        "cancel": lambda: ill.cancel(me, loan),
        "send_back": lambda: exchange.send_back(me, loan),
    }
    steps[body.step]()
    return selectors.requests_to_handle(me).get(pk=loan_id)
