"""Fixtures shared by every test: a small municipality built through the services."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# while a loop is running unless told that this is a deliberate, synchronous use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Correct-Horse-42"  # noqa: S105 - test accounts only


@pytest.fixture(autouse=True)
def _fast_hashing(request: pytest.FixtureRequest, settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; tests that do not test hashing use a fast hasher."""
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_optional(request: pytest.FixtureRequest, settings) -> None:  # type: ignore[no-untyped-def]
    """Administrators must set up two-step sign-in before anything else (reol/core/mfa.py);
    tests of other things sign them in with a password only, unless marked ``mfa_required``."""
    if "mfa_required" not in request.keywords:
        settings.REOL_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:  # type: ignore[no-untyped-def]
    """Tests serve static files from the apps' folders, not from a collected manifest.

    Tests read English unless they ask for a language (the installation default is Danish).
    """
    settings.LANGUAGE_CODE = "en"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _partners_on_this_machine(settings) -> None:  # type: ignore[no-untyped-def]
    """The tests' partner libraries are local servers (core/outbound.py refuses loopback)."""
    settings.REOL_OUTBOUND_ALLOW = ["127.0.0.0/8", "::1/128"]


@pytest.fixture(autouse=True)
def _tasks_run_when_queued(settings) -> None:  # type: ignore[no-untyped-def]
    """Background tasks run as they are queued (tests that need the real worker say so)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def search_index(settings, tmp_path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """Every test gets its own synchronous search index (applied at commit) in a temporary
    folder: none writes to ``var/search``, none sees another's records. A test that wants the
    outbox left for the indexer sets ``REOL_SEARCH_SYNC = False`` itself."""
    from reol.catalog import search

    settings.REOL_SEARCH_DIR = tmp_path / "search"
    settings.REOL_SEARCH_SYNC = True
    search.forget_engines()
    yield tmp_path / "search"
    search.forget_engines()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_hashing: keep the production password hashers")
    config.addinivalue_line("markers", "mfa_required: administrators must have two-step sign-in")


@dataclass
class World:
    """Two schools of one municipality, and one person of every kind."""

    municipality: object
    school_a: object
    school_b: object
    admin_a: object
    librarian_a: object
    librarian_b: object
    teacher_a: object
    volunteer_a: object
    student_a1: object
    student_a2: object
    student_b1: object
    consultant: object
    other_consultant: object


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from reol.core import services
    from reol.core.models import User
    from reol.core.permissions import SYSTEM

    m = services.create_municipality(SYSTEM, code="solbjerg", name="Solbjerg Kommune")
    other_m = services.create_municipality(SYSTEM, code="fjordby", name="Fjordby Kommune")
    a = services.create_school(SYSTEM, municipality=m, code="nord", name="Nordskolen")
    b = services.create_school(SYSTEM, municipality=m, code="syd", name="Sydskolen")

    def person(school, username, role, **kw):  # type: ignore[no-untyped-def]
        return services.create_person(
            SYSTEM,
            school,
            username=username,
            role=role,
            password=PASSWORD,
            first_name=username.title(),
            last_name="Test",
            **kw,
        )

    consultant = User.objects.create_user("konsulent", password=PASSWORD)
    services.appoint_consultant(SYSTEM, consultant, m)
    other = User.objects.create_user("fremmed-konsulent", password=PASSWORD)
    services.appoint_consultant(SYSTEM, other, other_m)
    return World(
        municipality=m,
        school_a=a,
        school_b=b,
        admin_a=person(a, "admin-a", "administrator"),
        librarian_a=person(a, "bib-a", "librarian"),
        librarian_b=person(b, "bib-b", "librarian"),
        teacher_a=person(a, "laerer-a", "teacher"),
        volunteer_a=person(a, "frivillig-a", "volunteer"),
        student_a1=person(a, "elev-a1", "student", card_barcode="A0001", pin="4321"),
        student_a2=person(a, "elev-a2", "student", card_barcode="A0002", pin="1111"),
        student_b1=person(b, "elev-b1", "student", card_barcode="B0001", pin="2222"),
        consultant=consultant,
        other_consultant=other,
    )


@pytest.fixture
def token_for(db):  # type: ignore[no-untyped-def]
    """A function that makes an API token for a person and returns the auth header."""
    from reol.core import services
    from reol.core.permissions import SYSTEM

    def make(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
        _token, secret = services.create_api_token(SYSTEM, user)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


# The browser fixtures (Debian's Chromium through Playwright). They live here, once, so every
# browser test in the tree shares one Playwright session: a second sync_playwright() in the same
# process fails with "using Playwright Sync API inside the asyncio loop".
CHROMIUM = os.environ.get("REOL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-system-deps (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
