"""Selection lists: a suggestion put on a list goes under review; a teacher votes once (voting
again changes the vote); another school's teacher cannot vote; a closed list takes no votes;
the decision is recorded and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from reol.acquisitions.actions import selection, suggestions
from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.models import SuggestionState, Vote
from reol.acquisitions.selectors import entries_with_votes
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.core.services import create_person

pytestmark = pytest.mark.django_db


def test_teachers_vote_and_the_librarian_decides(world):
    wish = suggestions.suggest(world.student_a1, world.school_a, title="Ønskebogen")
    lst = selection.create_list(
        world.librarian_a, world.school_a, name="Dansk 5.", subject="dansk", grade=5
    )
    entry = selection.add_entry(world.librarian_a, lst, suggestion=wish)
    wish.refresh_from_db()
    assert wish.state == SuggestionState.REVIEW
    selection.vote(world.teacher_a, entry, 1, comment="God til læsebånd")
    selection.vote(world.teacher_a, entry, -1)
    assert Vote.objects.get(entry=entry, voter=world.teacher_a).value == -1
    selection.vote(world.teacher_a, entry, 1)
    [row] = entries_with_votes(lst, world.teacher_a)
    assert (row.votes_for, row.votes_against, row.my_vote) == (1, 0, 1)
    teacher_b = create_person(
        SYSTEM,
        world.school_b,
        username="laerer-b",
        role="teacher",
        password="x-Correct-42",
        first_name="B",
    )
    with pytest.raises(PermissionDenied):
        selection.vote(teacher_b, entry, 1)
    with pytest.raises(PermissionDenied):
        selection.vote(world.student_a1, entry, 1)
    selection.decide(world.librarian_a, entry, "buy", reason="Flest stemmer")
    selection.close_list(world.librarian_a, lst)
    with pytest.raises(AcquisitionError):
        selection.vote(world.teacher_a, entry, -1)
    assert AuditEvent.objects.filter(action="selection.decide").count() == 1
