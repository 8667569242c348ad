"""Reading levels in words for the reader's grade, and students' reviews held for approval and
never shown outside their school."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search.types import LIX_BUCKETS
from reol.circulation.actions import loans
from reol.patrons.models import Patron
from reol.reading import levels, services
from reol.reading.models import Review, ReviewState

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("grade", range(0, 12))
def test_the_three_levels_split_the_lix_buckets_for_every_grade(grade: int) -> None:
    picked = [b for level in levels.LEVELS for b in levels.buckets_for(level, grade)]
    assert len(picked) == len(set(picked))  # no bucket in two levels
    for bucket in picked:
        lo, hi = LIX_BUCKETS[bucket]
        assert all(
            levels.level_for(lix, grade)
            == next(level for level in levels.LEVELS if bucket in levels.buckets_for(level, grade))
            for lix in (lo, min(hi, 80))
        )


def test_words_for_a_fourth_grader_and_for_a_teacher() -> None:
    easy = levels.badge(8, 4, staff=False)
    assert easy is not None and easy.words == "Easy for grade 4" and not easy.show_number
    right = levels.badge(20, 4, staff=False)
    assert right is not None and right.words == "Just right for grade 4"
    hard = levels.badge(40, 4, staff=True)
    assert hard is not None and hard.words == "A challenge for grade 4" and hard.show_number
    unknown = levels.badge(40, None, staff=False)
    assert unknown is not None and unknown.words == "Challenging to read"
    assert levels.badge(None, 4, staff=False) is None


@pytest.fixture
def book(world):  # type: ignore[no-untyped-def]
    record = Record.objects.create(
        municipality=world.municipality, marc={}, title="Hestepigen", reading_level=12
    )
    Item.objects.create(
        record=record, school=world.school_a, barcode="R0001", status=ItemStatus.AVAILABLE
    )
    return record


def borrow(world, student) -> None:  # type: ignore[no-untyped-def]
    """On loan now: a returned loan is anonymised unless the student keeps a history."""
    loans.checkout(world.librarian_a, world.school_a, student, "R0001")


def test_the_record_page_says_the_level_for_the_students_grade(world, client, book):  # type: ignore[no-untyped-def]
    Patron.objects.create(user=world.student_a1, school=world.school_a, category="student", grade=4)
    client.force_login(world.student_a1)
    page = client.get(reverse("opac-record", args=[book.pk])).content.decode()
    assert "Easy for grade 4" in page and "LIX 12" not in page
    client.force_login(world.teacher_a)
    page = client.get(reverse("opac-record", args=[book.pk])).content.decode()
    assert "Very easy to read" in page and "LIX 12" in page


def test_a_review_waits_for_the_librarian_and_is_shown_only_at_the_school(  # type: ignore[no-untyped-def]
    world, client, book
):
    borrow(world, world.student_a1)
    client.force_login(world.student_a1)
    record_url = reverse("opac-record", args=[book.pk])
    assert "Write a review" in client.get(record_url).content.decode()
    client.post(
        reverse("reading-review-submit", args=[book.pk]),
        {"stars": "5", "text": "Den bedste hestebog!"},
    )
    review = Review.objects.get()
    assert review.state == ReviewState.PENDING and review.school == world.school_a
    client.force_login(world.student_a2)
    assert "Den bedste hestebog!" not in client.get(record_url).content.decode()
    # The librarian of another school neither sees nor decides it.
    client.force_login(world.librarian_b)
    assert "Hestepigen" not in client.get(reverse("reading-reviews")).content.decode()
    decide = reverse("reading-review-decide", args=[review.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    client.force_login(world.librarian_a)
    assert "Den bedste hestebog!" in client.get(reverse("reading-reviews")).content.decode()
    client.post(decide, {"decision": "approve"})
    assert Review.objects.get().state == ReviewState.APPROVED
    client.force_login(world.student_a2)
    page = client.get(record_url).content.decode()
    assert "Den bedste hestebog!" in page and "A reader" in page  # no name by default
    assert "Elev-A1" not in page
    # Never outside the school: a student of school B, and a visitor, see nothing of it.
    client.force_login(world.student_b1)
    assert "Den bedste hestebog!" not in client.get(record_url).content.decode()
    client.logout()
    session = client.session
    session["opac_school"] = world.school_a.code
    session.save()
    assert "Den bedste hestebog!" not in client.get(record_url).content.decode()


def test_a_review_sent_without_stars_comes_back_with_its_text(world, client, book):  # type: ignore[no-untyped-def]
    """The form refuses it (no stars): the page the student is sent back to shows the message
    and what they wrote, once; nothing is saved."""
    borrow(world, world.student_a1)
    client.force_login(world.student_a1)
    submit = reverse("reading-review-submit", args=[book.pk])
    answer = client.post(submit, {"text": "Den var mega god, især piraterne!!"}, follow=True)
    page = answer.content.decode()
    assert "Choose from one to five stars." in page
    assert "Den var mega god, især piraterne!!</textarea>" in page
    assert not Review.objects.exists()
    again = client.get(reverse("opac-record", args=[book.pk])).content.decode()
    assert "Den var mega god" not in again  # shown once, then forgotten
    client.post(submit, {"stars": "4", "text": "Mega god"}, follow=True)
    assert Review.objects.get().stars == 4


def test_only_a_reader_who_borrowed_it_may_review_and_a_report_hides_it_again(world, book):  # type: ignore[no-untyped-def]
    with pytest.raises(services.ReadingError, match="once you have borrowed it"):
        services.submit_review(world.student_a1, world.school_a, book, 4, "")
    with pytest.raises(services.ReadingError, match="Only students"):
        services.submit_review(world.teacher_a, world.school_a, book, 4, "")
    borrow(world, world.student_a1)
    with pytest.raises(services.ReadingError, match="one to five"):
        services.submit_review(world.student_a1, world.school_a, book, 6, "")
    review = services.submit_review(world.student_a1, world.school_a, book, 4, "God")
    services.decide_review(world.librarian_a, review, approve=True)
    services.report_review(world.student_a2, review)
    review.refresh_from_db()
    assert review.state == ReviewState.PENDING and review.reports == 1
    with pytest.raises(services.ReadingError):
        services.report_review(world.student_b1, review)


def test_a_school_can_turn_reviews_off(world, book):  # type: ignore[no-untyped-def]
    services.set_reading_settings(
        world.librarian_a, world.school_a, reviews_enabled=False, show_reviewer_names=False
    )
    borrow(world, world.student_a1)
    with pytest.raises(services.ReadingError, match="does not collect"):
        services.submit_review(world.student_a1, world.school_a, book, 4, "")


def test_the_favourites_of_a_grade_are_shown_to_its_school_only(world, client, book):  # type: ignore[no-untyped-def]
    for n, student in enumerate([world.student_a1, world.student_a2]):
        Patron.objects.create(user=student, school=world.school_a, category="student", grade=4)
        loans.checkout(world.librarian_a, world.school_a, student, "R0001")
        review = services.submit_review(student, world.school_a, book, 4 + n, "")
        services.decide_review(world.librarian_a, review, approve=True)
        loans.checkin(world.librarian_a, world.school_a, "R0001")
    top = reverse("reading-top")
    client.force_login(world.student_a1)
    page = client.get(top).content.decode()
    assert "Favourites of grade 4" in page
    assert "Hestepigen" in page and "4.5 of 5 stars from 2 reviews" in page
    assert client.get(top, {"grade": "7"}).content.decode().count("Favourites of grade 4") == 1
    client.force_login(world.teacher_a)  # a teacher picks among the grades with reviews
    page = client.get(top, {"grade": "4"}).content.decode()
    assert "Hestepigen" in page and '<option value="4" selected>' in page
    assert "Hestepigen" not in client.get(top, {"grade": "5"}).content.decode()
    client.force_login(world.student_b1)  # never outside the school
    assert "Hestepigen" not in client.get(top).content.decode()
    client.logout()
    assert client.get(top).status_code == 302  # signed-in people only


def test_a_person_of_no_school_gets_a_clear_answer_not_an_error(client, book):  # type: ignore[no-untyped-def]
    """``request.school`` is a lazy object; for a person of no school it wraps None, which is
    falsy but not ``None``: the pages must not take it for a school."""
    from reol.core.models import User

    nobody = User.objects.create_user("ingen-skole", password="x")
    client.force_login(nobody)
    assert client.get(reverse("reading-top")).status_code == 404
    answer = client.post(reverse("reading-review-submit", args=[book.pk]), {"stars": "4"})
    assert answer.status_code == 302  # back to the record, with the reason as a message
    assert not Review.objects.exists()


def test_more_like_this_says_what_it_shares_as_a_reader_writes_it(world):  # type: ignore[no-untyped-def]
    from reol.reading.selectors import alike_reasons

    m = world.municipality
    mine = Record.objects.create(
        municipality=m, marc={}, title="Vikingerne", subjects=["the Vikings -- Juvenile literature"]
    )
    other = Record.objects.create(
        municipality=m, marc={}, title="Ragnar", subjects=["the Vikings -- Juvenile literature"]
    )
    horses = Record.objects.create(municipality=m, marc={}, title="Hest", subjects=["Heste"])
    more = Record.objects.create(municipality=m, marc={}, title="Føl", subjects=["Heste"])
    assert alike_reasons(mine, [other.pk]) == {
        other.pk: "also about the Vikings – Juvenile literature"
    }
    assert alike_reasons(horses, [more.pk]) == {more.pk: "also about heste"}
