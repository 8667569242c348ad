"""Suggestions: anyone with a role at a school suggests a title (``suggest``); the library
moves it on (``review``, ``decline`` with a reason; ``orders.add_line`` marks it ordered and
receiving marks it arrived)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from reol.catalog.extract import normalize_isbn
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at

from ..errors import AcquisitionError
from ..models import Suggestion, SuggestionState


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
) -> Suggestion:
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
    suggestion = Suggestion.objects.create(
        school=school,
        suggester=actor,
        isbn=isbn13 or "",
        title=(title.strip() or isbn13 or "")[:500],
        author=author.strip()[:200],
        why=why.strip(),
        want_hold=want_hold,
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
