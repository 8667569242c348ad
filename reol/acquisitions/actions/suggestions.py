"""Suggestions: anyone with a role at a school suggests a title (``suggest``); the library
moves it on (``review``, ``decline`` with a reason; ``orders.add_line`` marks it ordered and
receiving marks it arrived)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from reol.catalog.extract import normalize_isbn
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at

from .. import lookup
from ..errors import AcquisitionError
from ..models import Suggestion, SuggestionState


def suggest_looked_up(actor: User, school: School, **values: Any) -> Suggestion:
    """``suggest``, with the ISBN looked up first (our catalogue, then SRU) to fill in what the
    suggester left blank. The look-up runs before the transaction: a slow target holds no lock."""
    if not roles_at(actor, school):
        raise AcquisitionError(
            "not_here", _("You can suggest titles only at your own school."), status=403
        )
    isbn = str(values.get("isbn") or "").strip()
    hints = lookup.by_isbn(school, isbn) if isbn else None
    return suggest(actor, school, hints=hints, **values)


@transaction.atomic
def suggest(
    actor: User,
    school: School,
    *,
    title: str = "",
    isbn: str = "",
    author: str = "",
    why: str = "",
    want_hold: bool = True,
    hints: lookup.Hints | None = None,
    plan_entry_id: int | None = None,
    topic: str = "",
) -> Suggestion:
    """A suggestion; ``hints`` (of ``lookup.by_isbn`` for this ISBN) fill in the title and
    author left blank and keep the publisher, the stated price and our record if we have it.
    ``plan_entry_id`` and ``topic`` are set by planning for a teacher's request for a topic."""
    if not roles_at(actor, school):
        raise AcquisitionError(
            "not_here", _("You can suggest titles only at your own school."), status=403
        )
    isbn13 = normalize_isbn(isbn) if isbn.strip() else ""
    if isbn.strip() and isbn13 is None:
        raise AcquisitionError(
            "bad_isbn", _("“%(isbn)s” is not a valid ISBN.") % {"isbn": isbn}, status=422
        )
    if not title.strip() and not isbn13:
        raise AcquisitionError("no_title", _("Write a title or an ISBN."), status=422)
    hints = hints if hints is not None and hints.isbn13 == isbn13 else lookup.Hints(isbn13 or "")
    record = hints.record
    if record is not None and record.municipality_id != school.municipality_id:
        record = None
    suggestion = Suggestion.objects.create(
        school=school,
        suggester=actor,
        isbn=isbn13 or "",
        title=(title.strip() or hints.title or isbn13 or "")[:500],
        author=(author.strip() or hints.author)[:200],
        why=why.strip(),
        want_hold=want_hold,
        publisher=hints.publisher[:255],
        price_hint=hints.price,
        record=record,
        found_in=hints.source[:100],
        plan_entry_id=plan_entry_id,
        topic=topic.strip()[:300],
    )
    audit.record(actor, "suggestion.create", suggestion, school=school)
    return suggestion


_OPEN = {SuggestionState.RECEIVED, SuggestionState.REVIEW}


def _decide(actor: Actor, suggestion: Suggestion, state: str, reason: str = "") -> Suggestion:
    require(actor, Perm.ACQUISITIONS, suggestion.school)
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state not in _OPEN:
        raise AcquisitionError(
            "decided",
            _("This suggestion is already %(state)s.") % {"state": suggestion.get_state_display()},
        )
    suggestion.state = state
    suggestion.decline_reason = reason
    suggestion.save(update_fields=["state", "decline_reason", "updated_at"])
    audit.record(
        actor, "suggestion.decide", suggestion, school=suggestion.school, details={"state": state}
    )
    return suggestion


@transaction.atomic
def review(actor: Actor, suggestion: Suggestion) -> Suggestion:
    return _decide(actor, suggestion, SuggestionState.REVIEW)


@transaction.atomic
def decline(actor: Actor, suggestion: Suggestion, reason: str) -> Suggestion:
    if not reason.strip():
        raise AcquisitionError("no_reason", _("Say why the suggestion is declined."), status=422)
    return _decide(actor, suggestion, SuggestionState.DECLINED, reason.strip())
