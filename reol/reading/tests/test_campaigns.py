"""Reading campaigns: a student joins (the opt-in), logs books by hand or from loans, the bar
moves; leaving erases them; the school sees classes only from five readers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation.actions import loans
from reol.core.permissions import SYSTEM
from reol.core.services import create_person
from reol.patrons.models import Group, GroupMember, Patron
from reol.reading import campaigns
from reol.reading.models import Participant, ReadingLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return campaigns.create_campaign(
        world.librarian_a,
        world.school_a,
        title="Sommerlæsning",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=30),
        goal=4,
    )


def test_the_bar_moves_as_a_student_logs_books_from_the_record_page(world, client, campaign):  # type: ignore[no-untyped-def]
    record = Record.objects.create(municipality=world.municipality, marc={}, title="Hestepigen")
    client.force_login(world.student_a1)
    client.post(reverse("reading-campaign-join", args=[campaign.pk]))
    page = client.get(reverse("opac-record", args=[record.pk])).content.decode()
    assert "I read it: log it in Sommerlæsning" in page
    client.post(
        reverse("reading-campaign-log", args=[campaign.pk]),
        {"record": record.pk, "back": "record"},
    )
    page = client.get(reverse("reading-campaigns")).content.decode()
    assert 'aria-valuenow="1"' in page and "p25" in page
    assert "You have read 1 book of 4." in page and "First book" in page
    # The same book twice is refused in words; a book by hand counts too.
    answer = client.post(
        reverse("reading-campaign-log", args=[campaign.pk]), {"record": record.pk}, follow=True
    )
    assert "You have already logged that book." in answer.content.decode()
    client.post(reverse("reading-campaign-log", args=[campaign.pk]), {"title": "Bogen hjemme"})
    assert campaigns.progress(Participant.objects.get()).books == 2
    export = client.get(reverse("reading-campaign-export", args=[campaign.pk])).content.decode()
    assert "Hestepigen" in export and "Bogen hjemme" in export


def test_loans_during_the_campaign_count_when_the_student_chose_so(world, campaign):  # type: ignore[no-untyped-def]
    record = Record.objects.create(municipality=world.municipality, marc={}, title="Lånt bog")
    Item.objects.create(
        record=record, school=world.school_a, barcode="L1", status=ItemStatus.AVAILABLE
    )
    counting = campaigns.join(world.student_a1, campaign, from_loans=True)
    not_counting = campaigns.join(world.student_a2, campaign, from_loans=False)
    loans.checkout(world.librarian_a, world.school_a, world.student_a1, "L1")
    assert campaigns.sync_from_loans(counting) == 1
    assert campaigns.sync_from_loans(counting) == 0  # once
    loans.checkin(world.librarian_a, world.school_a, "L1")
    loans.checkout(world.librarian_a, world.school_a, world.student_a2, "L1")
    assert campaigns.sync_from_loans(not_counting) == 0
    assert ReadingLog.objects.get().source == "loan"


def test_leaving_erases_the_books_and_others_cannot_touch_them(world, client, campaign):  # type: ignore[no-untyped-def]
    campaigns.join(world.student_a1, campaign, from_loans=False)
    log = campaigns.log_book(world.student_a1, campaign, title="Min bog")
    client.force_login(world.student_a2)
    assert client.post(reverse("reading-log-remove", args=[log.pk])).status_code == 404
    with pytest.raises(campaigns.CampaignError):
        campaigns.log_book(world.student_a2, campaign, title="Ikke med")
    # Another school's student does not even find the campaign.
    client.force_login(world.student_b1)
    answer = client.post(reverse("reading-campaign-join", args=[campaign.pk]))
    assert answer.status_code == 404 and not Participant.objects.filter(user=world.student_b1)
    assert campaigns.leave(world.student_a1, campaign) == 1
    assert not ReadingLog.objects.exists() and not Participant.objects.exists()


def test_a_campaign_that_ended_takes_no_more_books(world, campaign):  # type: ignore[no-untyped-def]
    campaigns.join(world.student_a1, campaign, from_loans=False)
    with pytest.raises(campaigns.CampaignError, match="not running"):
        campaigns.log_book(
            world.student_a1, campaign, title="Sent", today=campaign.ends_on + dt.timedelta(days=1)
        )
    with pytest.raises(campaigns.CampaignError, match="end on or after"):
        campaigns.create_campaign(
            world.librarian_a,
            world.school_a,
            title="Baglæns",
            starts_on=campaign.ends_on,
            ends_on=campaign.starts_on,
            goal=3,
        )


def test_classes_show_only_from_five_readers(world, campaign):  # type: ignore[no-untyped-def]
    year = "2026/27"
    big = Group.objects.create(school=world.school_a, school_year=year, name="5.A", grade=5)
    small = Group.objects.create(school=world.school_a, school_year=year, name="5.B", grade=5)
    for i in range(7):
        group = big if i < 5 else small
        user = create_person(
            SYSTEM, world.school_a, username=f"laeser{i}", role="student", first_name="L"
        )
        patron = Patron.objects.create(user=user, school=world.school_a, category="student")
        GroupMember.objects.create(group=group, patron=patron)
        campaigns.join(user, campaign, from_loans=False)
        for n in range(i % 3 + 1):
            campaigns.log_book(user, campaign, title=f"Bog {n}")
    board = {line.name: line for line in campaigns.class_board(campaign)}
    assert board["5.A"].readers == 5 and board["5.A"].books == 1 + 2 + 3 + 1 + 2
    assert board["5.B"].readers is None and board["5.B"].books is None  # two readers: hidden
    totals = campaigns.totals(campaign)
    assert totals.readers == 7 and totals.reached_goal is None  # nobody read 4: fewer than 5
