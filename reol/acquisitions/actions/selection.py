"""Selection with teachers: the school's selection policy (``save_policy``), selection lists
(``create_list``, ``add_entry``, ``close_list``), teachers' votes (``vote``: one per teacher
and title, changed by voting again) and the librarian's decision per title (``decide``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from reol.catalog.extract import normalize_isbn
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from ..errors import AcquisitionError
from ..models import (
    Decision,
    SelectionEntry,
    SelectionList,
    SelectionPolicy,
    Suggestion,
    SuggestionState,
    Vote,
)


@transaction.atomic
def save_policy(actor: Actor, school: School, *, text: str, tags: list[str]) -> SelectionPolicy:
    require(actor, Perm.ACQUISITIONS, school)
    policy, _created = SelectionPolicy.objects.update_or_create(
        school=school,
        defaults={"text": text.strip(), "tags": [t.strip() for t in tags if t.strip()]},
    )
    audit.record(actor, "selection.policy", policy, school=school)
    return policy


@transaction.atomic
def create_list(
    actor: Actor, school: School, *, name: str, subject: str = "", grade: int | None = None
) -> SelectionList:
    require(actor, Perm.ACQUISITIONS, school)
    if not name.strip():
        raise AcquisitionError("no_name", _("Give the list a name."), status=422)
    selection = SelectionList.objects.create(
        school=school, name=name.strip(), subject=subject.strip(), grade=grade
    )
    audit.record(actor, "selection.create", selection, school=school)
    return selection


@transaction.atomic
def add_entry(
    actor: Actor,
    selection: SelectionList,
    *,
    suggestion: Suggestion | None = None,
    title: str = "",
    isbn: str = "",
    note: str = "",
) -> SelectionEntry:
    """A title on the list: a suggestion (then under review) or a title/ISBN typed in."""
    require(actor, Perm.ACQUISITIONS, selection.school)
    if suggestion is not None:
        if suggestion.school_id != selection.school_id:
            raise AcquisitionError(
                "other_school", _("The suggestion belongs to another school."), status=404
            )
        title, isbn = title or suggestion.title, isbn or suggestion.isbn
        if suggestion.state == SuggestionState.RECEIVED:
            suggestion.state = SuggestionState.REVIEW
            suggestion.save(update_fields=["state", "updated_at"])
    isbn13 = normalize_isbn(isbn) if isbn else ""
    if not title.strip():
        raise AcquisitionError("no_title", _("Write a title or an ISBN."), status=422)
    entry = SelectionEntry.objects.create(
        selection=selection,
        suggestion=suggestion,
        title=title.strip()[:500],
        isbn=isbn13 or "",
        note=note.strip(),
    )
    audit.record(
        actor, "selection.add", selection, school=selection.school, details={"title": entry.title}
    )
    return entry


@transaction.atomic
def vote(actor: User, entry: SelectionEntry, value: int, *, comment: str = "") -> Vote:
    """A teacher's (or librarian's) vote; voting again replaces the earlier vote."""
    selection = entry.selection
    require(actor, Perm.PLANNING, selection.school)
    if not selection.open:
        raise AcquisitionError("closed", _("This list is closed for votes."))
    if value not in (-1, 1):
        raise AcquisitionError("bad_vote", _("Vote for or against."), status=422)
    cast, _created = Vote.objects.update_or_create(
        entry=entry, voter=actor, defaults={"value": value, "comment": comment.strip()[:500]}
    )
    audit.record(
        actor,
        "selection.vote",
        selection,
        school=selection.school,
        details={"entry": entry.pk, "value": value},
    )
    return cast


@transaction.atomic
def decide(
    actor: Actor, entry: SelectionEntry, decision: str, *, reason: str = ""
) -> SelectionEntry:
    require(actor, Perm.ACQUISITIONS, entry.selection.school)
    if decision not in Decision.values:
        raise AcquisitionError("bad_decision", _("Choose buy or do not buy."), status=422)
    entry.decision = decision
    entry.decision_reason = reason.strip()
    entry.save(update_fields=["decision", "decision_reason"])
    audit.record(
        actor,
        "selection.decide",
        entry.selection,
        school=entry.selection.school,
        details={"entry": entry.pk, "decision": decision, "reason": entry.decision_reason},
    )
    return entry


@transaction.atomic
def close_list(actor: Actor, selection: SelectionList) -> SelectionList:
    require(actor, Perm.ACQUISITIONS, selection.school)
    selection.open = False
    selection.save(update_fields=["open"])
    audit.record(actor, "selection.close", selection, school=selection.school)
    return selection
