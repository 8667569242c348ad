"""What the LTI tests share: a registered platform, its people, a reading list whose one title
is out at the students' school, and a launch driven through Reol's endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from reol.accounts import lti_services, oidc
from reol.accounts.models import LtiPlatform
from reol.catalog import services as catalog
from reol.catalog.lists import services as lists
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Record
from reol.circulation.actions import loans
from reol.core.permissions import SYSTEM
from reol.patrons.services import create_patron

from .lti_platform import LTI, STUDENT_ROLE, TEACHER_ROLE, Platform


def people() -> dict[str, dict[str, Any]]:
    def person(sub: str, name: str, sourcedid: str, role: str) -> dict[str, Any]:
        return {
            "sub": sub,
            "name": name,
            LTI + "lis": {"person_sourcedid": sourcedid},
            LTI + "roles": [role],
        }

    return {
        "teacher": person("moodle-10", "Lærer A", "roster-t1", TEACHER_ROLE),
        "student": person("moodle-20", "Elev A1", "roster-a1", STUDENT_ROLE),
        "student-b": person("moodle-30", "Elev B1", "roster-b1", STUDENT_ROLE),
        "stranger": person("moodle-40", "Ukendt", "roster-x", STUDENT_ROLE),
    }


@dataclass
class Library:
    reading_list: ReadingList
    record: Record


def library(world: Any) -> Library:
    """Roster ids for the people; a list at school A with one title, its copy out."""
    for user, school, sourcedid in (
        (world.teacher_a, world.school_a, "roster-t1"),
        (world.student_a1, world.school_a, "roster-a1"),
        (world.student_a2, world.school_a, "roster-a2"),
        (world.student_b1, world.school_b, "roster-b1"),
    ):
        category = "teacher" if user == world.teacher_a else "student"
        create_patron(SYSTEM, school, category=category, user=user, source_id=sourcedid)
    marc = catalog.new_marc(title="Heste i Danmark", author="Jensen, Anne", isbn="", year=2020)
    record = catalog.create_record(SYSTEM, world.municipality, marc)
    (item,) = catalog.add_items(SYSTEM, record, world.school_a, count=1)
    loans.checkout(SYSTEM, world.school_a, world.student_a2, item)
    found = lists.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Dyr i 5.A"
    )
    lists.add_entry(world.librarian_a, found, record)
    return Library(found, record)


def register(platform: Platform, school: Any, **fields: Any) -> LtiPlatform:
    oidc.forget_cache()
    values = platform.registration()
    values.update(fields)
    return lti_services.save_platform(SYSTEM, LtiPlatform(), school=school, **values)


def start(
    client: Any, platform: Platform, login: str, hint: str, target: str = ""
) -> dict[str, str]:
    """Login initiation at Reol; the authentication request's parameters."""
    params = {
        "iss": platform.issuer,
        "login_hint": login,
        "lti_message_hint": hint,
        "target_link_uri": target or "http://testserver/opac/",
        "client_id": "reol-tool-1",
    }
    response = client.get(reverse("lti-login"), params)
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(platform.base + "/auth?")
    return {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}


def launch(
    client: Any,
    platform: Platform,
    login: str,
    *,
    hint: str = "link-1",
    target: str = "",
    tamper: Any = None,
    **headers: str,
) -> Any:
    """A whole launch; ``tamper(claims)`` may change the claims or return a token of its own."""
    asked = start(client, platform, login, hint, target)
    claims = platform.claims(login, asked["nonce"], hint, target)
    token = tamper(claims) if tamper else None
    token = token if isinstance(token, str) else platform.sign(claims)
    form = {"id_token": token, "state": asked["state"]}
    return client.post(reverse("lti-launch"), form, **headers)
