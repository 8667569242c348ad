"""The LTI tests' shared pieces: a running platform (a real HTTP server with its own keys), the
school's shelf with a reading list, and the platform registered for school A. A module may
override ``platform`` (the browser test serves it beside the live server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .lti_platform import Platform
from .lti_world import library, people, register


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform(people()) as running:
        yield running


@pytest.fixture
def shelf(world):  # type: ignore[no-untyped-def]
    return library(world)


@pytest.fixture
def registered(world, platform) -> Any:  # type: ignore[no-untyped-def]
    return register(platform, world.school_a)
