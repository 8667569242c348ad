"""Search beyond the school against real SRU servers: Reol's own endpoint of another
installation (under the live test server), a server that never answers, and an address where
nothing listens. Each target's own time-out, the circuit breaker, ISBN de-duplication."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.utils import timezone

from reol.core.permissions import SYSTEM
from reol.external import breaker, federated, services
from reol.external.models import ExternalTarget

from .conftest import SHARED_ISBN, VOLCANO_ISBN, add_target

pytestmark = pytest.mark.django_db(transaction=True)


def _dead_url() -> str:
    """An address on this machine where nothing listens (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/sru"


def test_the_public_library_answers_and_titles_held_here_are_left_out(
    world, public_library, live_server
):
    add_target(world, live_server.url + public_library.path)

    (answer,) = federated.search_beyond(world.school_a, "vulkaner")

    assert answer.problem == ""
    assert [h.title for h in answer.hits] == ["Vulkaner i Island"]
    assert answer.hits[0].isbns == (VOLCANO_ISBN,)
    assert answer.held_here == 1  # "Vulkaner og jordskælv": Nordskolen has it (same ISBN)
    assert answer.total == 1


def test_a_withdrawn_copy_here_does_not_count_as_held(world, public_library, live_server):
    from reol.catalog import services as catalog
    from reol.catalog.models import Item

    catalog.withdraw_item(SYSTEM, Item.objects.get(barcode="HERE1"))
    add_target(world, live_server.url + public_library.path)

    (answer,) = federated.search_beyond(world.school_a, "vulkaner")

    assert sorted(h.isbns[0] for h in answer.hits) == sorted([VOLCANO_ISBN, SHARED_ISBN])


def test_students_see_only_the_targets_marked_for_them(world, public_library, live_server):
    add_target(world, live_server.url + public_library.path, students_see=False)

    assert federated.search_beyond(world.school_a, "vulkaner", student=True) == []
    assert len(federated.search_beyond(world.school_a, "vulkaner", student=False)) == 1


def test_a_slow_and_a_dead_target_do_not_stop_a_live_one(
    world, public_library, live_server, sru_server
):
    sru_server.behaviour = "slow"  # answers only when the test ends
    add_target(world, live_server.url + public_library.path, name="Fjordby", position=1)
    add_target(world, sru_server.url, name="Langsom", timeout_ms=300, position=2)
    add_target(world, _dead_url(), name="Død", timeout_ms=300, position=3)

    live, slow, dead = federated.search_beyond(world.school_a, "vulkaner")

    assert [h.title for h in live.hits] == ["Vulkaner i Island"]
    assert slow.problem == "Langsom did not answer in time."
    assert dead.problem == "Could not reach Død."
    assert not slow.hits and not dead.hits
    assert ExternalTarget.objects.get(name="Fjordby").failures == 0
    assert ExternalTarget.objects.get(name="Død").failures == 1


def test_the_breaker_opens_after_repeated_failures_and_half_opens_after_the_cool_down(world):
    target = add_target(world, _dead_url(), name="Død", timeout_ms=300)
    for _ in range(breaker.THRESHOLD):
        (answer,) = federated.search_beyond(world.school_a, "vulkaner")
        assert not answer.resting
    target.refresh_from_db()
    assert breaker.state(target) == breaker.Breaker.OPEN

    (answer,) = federated.search_beyond(world.school_a, "vulkaner")
    assert answer.resting  # not asked at all
    assert "not answering" in answer.problem
    assert ExternalTarget.objects.get(pk=target.pk).failures == breaker.THRESHOLD

    # After the cool-down one search (and only one) may try; the next sees it open again.
    ExternalTarget.objects.filter(pk=target.pk).update(
        opened_at=timezone.now() - breaker.COOL_DOWN - dt.timedelta(seconds=1)
    )
    first, second = (
        ExternalTarget.objects.get(pk=target.pk),
        ExternalTarget.objects.get(pk=target.pk),
    )
    assert breaker.state(first) == breaker.Breaker.HALF_OPEN
    assert breaker.may_ask(first) is True
    assert breaker.may_ask(second) is False  # another worker lost the claim


def test_a_success_closes_the_breaker(world, public_library, live_server):
    target = add_target(world, live_server.url + public_library.path)
    ExternalTarget.objects.filter(pk=target.pk).update(
        failures=5, opened_at=timezone.now() - breaker.COOL_DOWN - dt.timedelta(seconds=1)
    )

    (answer,) = federated.search_beyond(world.school_a, "vulkaner")

    assert answer.hits
    target.refresh_from_db()
    assert (target.failures, target.opened_at) == (0, None)


def test_another_schools_targets_are_not_asked(world, public_library, live_server):
    services.save_target(
        SYSTEM,
        world.school_b,
        name="Sydskolens bibliotek",
        kind="public",
        base_url=live_server.url + public_library.path,
        request_method="form",
    )

    assert federated.search_beyond(world.school_a, "vulkaner") == []
    assert len(federated.search_beyond(world.school_b, "vulkaner")) == 1


def test_the_staff_search_and_the_opac_fetch_the_answers_after_their_own(
    world, public_library, live_server
):
    from reol.catalog.tests.helpers import signed_in

    add_target(world, live_server.url + public_library.path)
    librarian = signed_in(world.librarian_a)
    page = librarian.get("/staff/catalogue/?q=vulkaner").content.decode()
    assert 'hx-get="/staff/external/beyond/?q=vulkaner"' in page
    assert "Vulkaner i Island" not in page  # not waited for
    answer = librarian.get("/staff/external/beyond/?q=vulkaner").content.decode()
    assert "At Fjordby Bibliotek: 1" in answer and "Vulkaner i Island" in answer
    opac = librarian.get("/opac/search/?q=vulkaner").content.decode()
    assert 'hx-get="/opac/beyond/?q=vulkaner"' in opac and "Vulkaner i Island" not in opac
    student = signed_in(world.student_a1).get("/opac/beyond/?q=vulkaner").content.decode()
    assert "Not here? We can borrow it for you" in student and "Borrow it for me" in student
