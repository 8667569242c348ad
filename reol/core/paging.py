"""One way to page a list and one way to bound it by dates, for every list in the REST API.

An integrator learns it once:

* ``?page=`` (1-based, default 1) and ``?size=`` (rows per page, default 100, at most 500):
  the names the search API uses. The answer is ``{"count": N, "items": [...]}``, ``count``
  being the rows on all pages together. A page past the end has no items (not an error), so a
  client may page until it has ``count`` rows or gets an empty page.
* ``?from=`` and ``?to=``: ISO dates (``2027-10-11``), both days included. A row with a start
  and an end is in the range when its days touch it.
* The names the lists once took (``limit``, ``offset``, ``page_size``, ``starts``, ``ends``)
  answer 422 and name the one to use, rather than being silently ignored.
* A page, size or date out of range, or not a number or a date, answers 422 in the API's own
  shape (``{"code": "invalid", "message", "fields"}``) and in the request's language. That is
  why the checks below raise Django's ``ValidationError`` rather than pydantic's: pydantic lets
  it through untouched, and the API's handler turns it into that 422. The fields still declare
  ``minimum``/``maximum`` and ``format: date``, so the OpenAPI document says the same.

Rows are paged by offset, so a list must be ordered by a unique key last (``..., "id"``):
otherwise two requests may order ties differently, and a row repeats or goes missing between
pages. ``Pagination`` refuses a queryset that is not (a programming error, caught by tests).

Usage::

    @router.get("/things", response=list[ThingOut])
    @paged
    def things(request: HttpRequest, dates: Query[DateRange]) -> QuerySet[Thing]:
        return dates.touching(Thing.objects.all(), "starts", "ends").order_by("starts", "id")

A view that must do one more thing per page (a patron's open blocks, say) returns
``Shaped(rows, shape)``: ``shape`` gets the page's rows and answers the items.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate
from pydantic import ValidationInfo, field_validator, model_validator

DEFAULT_SIZE = 100
MAX_SIZE = 500
MAX_PAGE = 1_000_000  # beyond it an offset would overflow the database's integers
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Names the lists once took. Asked for, they answer 422 rather than being ignored: a client
# paging with ``offset`` would otherwise get page 1 again and again, and never stop.
RETIRED = {"limit": "size", "offset": "page", "page_size": "size", "starts": "from", "ends": "to"}

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])


def _whole_number(name: str, value: Any, most: int) -> Any:
    """``value`` (a query string's text) as an int from 1 to ``most``, else a 422 on ``name``."""
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise ValidationError({name: _("Give a whole number from 1 to %(most)s.") % {"most": most}})
    return value


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="the page, from 1; past the end: no items")
    size: int = Field(
        DEFAULT_SIZE, ge=1, le=MAX_SIZE, description=f"rows per page, at most {MAX_SIZE}"
    )

    @field_validator("page", "size", mode="before")
    @classmethod
    def _in_range(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        if isinstance(value, str) and not value.strip():
            return 1 if name == "page" else DEFAULT_SIZE  # ``?page=`` as a form sends it
        return _whole_number(name, value, MAX_PAGE if name == "page" else MAX_SIZE)


class DateRange(Schema):
    """``from``–``to``, both days included; either may be left out (no bound on that side)."""

    from_: dt.date | None = Field(
        None, alias="from", description="the first day, included (YYYY-MM-DD)"
    )
    to: dt.date | None = Field(None, description="the last day, included (YYYY-MM-DD)")

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _iso_date(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not text:
            return None  # ``?from=`` as a form sends it: no bound
        try:
            # Exactly YYYY-MM-DD: pydantic would also take a number as a Unix time.
            if not ISO_DATE.fullmatch(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            name = "from" if info.field_name == "from_" else "to"
            raise ValidationError(
                {name: _("Not a date: write it as YYYY-MM-DD, e.g. 2027-10-11.")}
            ) from None

    @model_validator(mode="after")
    def _in_order(self) -> DateRange:
        if self.from_ and self.to and self.to < self.from_:
            raise ValidationError({"to": _("“to” comes before “from”.")})
        return self

    def bounds(self, days: int) -> tuple[dt.date, dt.date]:
        """``from``, else today; and ``to``, else ``days`` days after ``from``."""
        first = self.from_ or timezone.localdate()
        last = self.to or first + dt.timedelta(days=min(days, (dt.date.max - first).days))
        return first, last

    def touching(self, rows: QuerySet[M], starts: str, ends: str | None = None) -> QuerySet[M]:
        """The rows whose days ``starts``–``ends`` (or the one day ``starts``) touch the range."""
        if self.from_:
            rows = rows.filter(**{f"{ends or starts}__gte": self.from_})
        if self.to:
            rows = rows.filter(**{f"{starts}__lte": self.to})
        return rows

    def within(self, rows: QuerySet[M], moment: str) -> QuerySet[M]:
        """The rows whose ``moment`` (a date and time) falls on a day of the range, in the
        server's time zone; compared as instants, so an index on ``moment`` serves it."""
        if self.from_:
            rows = rows.filter(**{f"{moment}__gte": _midnight(self.from_)})
        if self.to and self.to < dt.date.max:
            rows = rows.filter(**{f"{moment}__lt": _midnight(self.to + dt.timedelta(days=1))})
        return rows


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Shaped:
    """Rows to page, and how one page of them becomes the items (with one more query per page
    for what a row cannot select, say)."""

    rows: QuerySet[Any] | Sequence[Any]
    shape: Callable[[list[Any]], list[Any]]


def _require_stable_order(rows: QuerySet[Any]) -> None:
    """Refuse rows not ordered by a unique key last: offsets would repeat or skip rows."""
    query = rows.query
    order = list(query.order_by or (rows.model._meta.ordering if query.default_ordering else []))
    last = str(order[-1]).lstrip("-") if order else ""
    if last == "pk" or (last and "__" not in last and _unique(rows.model, last)):
        return
    raise ImproperlyConfigured(
        f"Page {rows.model.__name__} by a unique key last (e.g. order_by(..., 'id')), not {order}."
    )


def _unique(model: type[Model], name: str) -> bool:
    field = next((f for f in model._meta.concrete_fields if name in (f.name, f.attname)), None)
    return field is not None and (field.primary_key or field.unique)


class Pagination(PaginationBase):
    """``page`` and ``size`` in, ``{"count", "items"}`` out (see the module's docstring)."""

    class Input(PageParams):
        pass

    class Output(Schema):
        count: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: PageParams, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        rows, shape = (
            (queryset.rows, queryset.shape) if isinstance(queryset, Shaped) else (queryset, list)
        )
        retired = {old: RETIRED[old] for old in request.GET if old in RETIRED}
        if retired:
            raise ValidationError(
                {
                    old: _("This parameter is no longer read; use “%(new)s”.") % {"new": new}
                    for old, new in retired.items()
                }
            )
        if isinstance(rows, QuerySet):
            _require_stable_order(rows)
        start = (pagination.page - 1) * pagination.size
        page = list(rows[start : start + pagination.size])
        if (page and len(page) < pagination.size) or (not page and start == 0):
            count = start + len(page)  # the last page: no need to count
        else:
            count = rows.count() if isinstance(rows, QuerySet) else len(rows)
        return {"count": count, "items": shape(page)}


def paged(view: F) -> F:
    """Page a list endpoint the one way (``response=list[ItemOut]`` becomes count + items).

    The view's annotations are resolved here, in its own module: ninja would otherwise read
    them in its pagination module, where names like ``DateRange`` do not exist.
    """
    view.__annotations__ = typing.get_type_hints(view, include_extras=True)
    return typing.cast(F, paginate(Pagination)(view))
