"""The hot pages and endpoints read in a fixed number of queries, however many devices or
students: the class's scanning page, the year-end count, the device list and the API."""

from __future__ import annotations

import pytest

from reol.technology import importer, services

from .conftest import TODAY, google_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def lent(setup):  # type: ignore[no-untyped-def]
    importer.import_devices(setup.world.librarian_a, setup.school, google_csv(40))
    for n, patron in enumerate(setup.students[:20], start=1):
        services.assign_device(
            setup.world.librarian_a,
            setup.school,
            patron.user,
            f"CB{n:04}",
            group=setup.group,
            today=TODAY,
        )
    return setup


def test_hot_pages_read_in_few_queries(lent, client, django_assert_max_num_queries):
    client.force_login(lent.world.librarian_a)
    pk = lent.group.pk
    for url in (
        f"/staff/technology/class/{pk}/assign/",
        f"/staff/technology/class/{pk}/count/",
        "/staff/technology/",
        "/staff/technology/plan/",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url


def test_the_device_api_reads_in_few_queries(
    lent, client, token_for, django_assert_max_num_queries
):
    auth = token_for(lent.world.librarian_a)
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/devices?size=40", **auth).json()
    assert body["count"] == 40
