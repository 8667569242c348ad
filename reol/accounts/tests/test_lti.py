"""LTI 1.3 launches from a real platform (``lti_platform``: its own keys, signed ID tokens,
and checks of what Reol signs): a student's launch of a deep-linked reading list signs her in
and shows the list with availability at her school, where she reserves the title; a teacher's
deep linking returns a signed answer the platform verifies with Reol's published keys; each
bad launch is refused with a clear page and an audit entry naming its reason, signing nobody
in."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from joserfc.jwk import RSAKey

from reol.accounts import lti_services
from reol.accounts.models import LtiIdentity, LtiToolKey
from reol.circulation.models import Hold
from reol.core.models import AuditEvent

from .lti_platform import CLIENT_ID, LTI, Platform
from .lti_world import launch, register, start

pytestmark = pytest.mark.django_db


def _signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def _list_url(shelf) -> str:
    return "http://testserver" + reverse("opac-reading-list", args=[shelf.reading_list.pk])


def test_a_student_launches_a_reading_list_sees_it_at_her_school_and_reserves(
    client, world, platform, registered, shelf
):
    response = launch(client, platform, "student", target=_list_url(shelf))
    assert response.status_code == 302
    assert response["Location"] == _list_url(shelf)
    assert _signed_in_as(client) == world.student_a1.pk
    assert LtiIdentity.objects.get(platform=registered, subject="moodle-20").user == (
        world.student_a1
    )
    assert AuditEvent.objects.filter(action="lti.launch", actor=world.student_a1).exists()
    page = client.get(response["Location"])
    assert "Borrowed at Nordskolen" in page.content.decode()
    hold_url = reverse("opac-hold", args=[shelf.record.pk])
    assert hold_url in page.content.decode()
    back = client.post(
        hold_url, {"next": reverse("opac-reading-list", args=[shelf.reading_list.pk])}
    )
    assert back["Location"] == reverse("opac-reading-list", args=[shelf.reading_list.pk])
    hold = Hold.objects.get(patron=world.student_a1)
    assert hold.record == shelf.record and hold.school == world.school_a


def test_a_teacher_deep_links_a_reading_list_and_the_platform_verifies_the_answer(
    client, world, platform, registered, shelf
):
    response = launch(client, platform, "teacher", hint="deep-link")
    assert response.status_code == 302 and "/opac/lti/pick/" in response["Location"]
    assert _signed_in_as(client) == world.teacher_a.pk
    picker = client.get(response["Location"])
    assert "Dyr i 5.A" in picker.content.decode()
    answer = client.post(
        response["Location"], {"list": [shelf.reading_list.pk], "topic": "vulkaner"}
    )
    assert answer.status_code == 200
    assert platform.base in answer["Content-Security-Policy"]  # the form may post there
    token = answer.context["jwt"]
    platform.tool_keys = lambda: client.get(reverse("lti-jwks")).json()
    items = platform.accept_deep_link(token)
    assert [i["title"] for i in items] == ["Dyr i 5.A", "Search the library: vulkaner"]
    assert items[0]["url"] == _list_url(shelf)
    assert items[1]["url"].endswith("/opac/search/?q=vulkaner")
    # The request is used up: the picker is gone.
    assert client.post(response["Location"], {"topic": "x"}).status_code == 404


def test_a_student_may_not_deep_link(client, world, platform, registered, shelf):
    platform.people["student"][LTI + "roles"] = []
    response = launch(client, platform, "student", hint="deep-link")
    assert response.status_code == 403
    assert _signed_in_as(client) is None
    assert AuditEvent.objects.get(action="lti.launch_refused").details["reason"] == "not_a_teacher"


def _expired(claims):  # type: ignore[no-untyped-def]
    claims["exp"] = int(time.time()) - 600
    claims["iat"] = int(time.time()) - 900


def _other_audience(claims):  # type: ignore[no-untyped-def]
    claims["aud"] = "someone-else"


def _other_key(claims):  # type: ignore[no-untyped-def]
    forger = RSAKey.generate_key(2048, parameters={"kid": "platform-1"})
    return Platform.sign(None, claims, forger)  # type: ignore[arg-type]


def _other_deployment(claims):  # type: ignore[no-untyped-def]
    claims[LTI + "deployment_id"] = "deployment-9"


def _other_nonce(claims):  # type: ignore[no-untyped-def]
    claims["nonce"] = "not-the-one"


@pytest.mark.parametrize(
    ("login", "tamper", "reason"),
    [
        ("student", _expired, "expired"),
        ("student", _other_audience, "wrong_audience"),
        ("student", _other_key, "bad_signature"),
        ("student", _other_deployment, "unknown_deployment"),
        ("student", _other_nonce, "nonce_mismatch"),
        ("stranger", None, "unknown_person"),
        ("student-b", None, "unknown_person"),  # a person of the other school
    ],
)
def test_a_bad_launch_is_refused_audited_and_signs_nobody_in(
    client, world, platform, registered, shelf, login, tamper, reason
):
    response = launch(client, platform, login, target=_list_url(shelf), tamper=tamper)
    assert response.status_code == 403
    assert "Not signed in" in response.content.decode()
    assert _signed_in_as(client) is None
    event = AuditEvent.objects.get(action="lti.launch_refused")
    assert event.details["reason"] == reason and event.school == world.school_a
    assert not AuditEvent.objects.filter(action="lti.launch").exists()


def test_a_replayed_launch_is_refused(client, world, platform, registered, shelf):
    asked = start(client, platform, "student", "link-1", _list_url(shelf))
    token = platform.sign(platform.claims("student", asked["nonce"], "link-1", _list_url(shelf)))
    data = {"id_token": token, "state": asked["state"]}
    assert client.post(reverse("lti-launch"), data).status_code == 302
    client.logout()
    assert client.post(reverse("lti-launch"), data).status_code == 403
    assert _signed_in_as(client) is None
    assert AuditEvent.objects.get(action="lti.launch_refused").details["reason"] == (
        "nonce_replayed"
    )


def test_an_unregistered_or_switched_off_platform_gets_no_login(client, world, platform):
    params = {"iss": platform.issuer, "login_hint": "student", "target_link_uri": "/"}
    assert client.get(reverse("lti-login"), params).status_code == 400
    register(platform, world.school_a, enabled=False)
    assert client.get(reverse("lti-login"), params).status_code == 400


def test_the_platform_rotates_its_key_without_downtime(client, world, platform, registered, shelf):
    assert launch(client, platform, "student", target=_list_url(shelf)).status_code == 302
    client.logout()
    platform.rotate()  # a new kid: Reol fetches the key set again at once
    assert launch(client, platform, "student", target=_list_url(shelf)).status_code == 302
    assert _signed_in_as(client) == world.student_a1.pk


def test_reol_rotates_its_key_and_publishes_old_and_new(client, world):
    first = lti_services.signing_key()
    assert [k["kid"] for k in client.get(reverse("lti-jwks")).json()["keys"]] == [first.kid]
    lti_services.rotate_keys(world.consultant.__class__.objects.create_superuser("root", "", "x"))
    second = lti_services.signing_key()
    published = [k["kid"] for k in client.get(reverse("lti-jwks")).json()["keys"]]
    assert second.kid != first.kid and published == [second.kid, first.kid]
    assert all("d" not in k for k in client.get(reverse("lti-jwks")).json()["keys"])
    lti_services.rotate_keys(world.consultant.__class__.objects.get(username="root"))
    assert first.kid not in [k["kid"] for k in client.get(reverse("lti-jwks")).json()["keys"]]
    assert LtiToolKey.objects.filter(kid=first.kid, retired_at__isnull=False).exists()


def test_an_administrator_registers_a_platform_and_another_school_cannot_see_it(
    client, world, platform
):
    from reol.core import services as core
    from reol.core.permissions import SYSTEM

    client.force_login(world.librarian_a)
    assert client.get(reverse("lti-platforms")).status_code == 403
    client.force_login(world.admin_a)
    page = client.get(reverse("lti-platform-new")).content.decode()
    assert "http://testserver/lti/login/" in page and "http://testserver/lti/jwks.json" in page
    form = dict(platform.registration(), enabled="on", match_field="source_id", name="Skole-Moodle")
    form["match_claim"] = LTI + "lis#person_sourcedid"
    response = client.post(reverse("lti-platform-new"), form)
    assert response.status_code == 302, response.content
    saved = AuditEvent.objects.get(action="lti.platform_add")
    assert saved.school == world.school_a and saved.actor == world.admin_a
    assert "Skole-Moodle" in client.get(reverse("lti-platforms")).content.decode()
    admin_b = core.create_person(
        SYSTEM, world.school_b, username="admin-b", role="administrator", first_name="B"
    )
    client.force_login(admin_b)
    assert "Skole-Moodle" not in client.get(reverse("lti-platforms")).content.decode()
    pk = int(saved.object_id)
    assert client.post(reverse("lti-platform-edit", args=[pk]), form).status_code == 404
    assert form["client_id"] == CLIENT_ID


def test_the_course_roster_becomes_a_teaching_group_for_staff_only(
    client, world, platform, registered, shelf
):
    from reol.core.permissions import SYSTEM
    from reol.patrons.models import Group
    from reol.patrons.services import create_patron

    from .lti_platform import TEACHER_ROLE

    create_patron(
        SYSTEM, world.school_a, category="teacher", user=world.librarian_a, source_id="roster-l1"
    )
    platform.people["librarian"] = {
        "sub": "moodle-50",
        LTI + "lis": {"person_sourcedid": "roster-l1"},
        LTI + "roles": [TEACHER_ROLE],
    }
    keys = client.get(reverse("lti-jwks")).json()
    platform.tool_keys = lambda: keys  # the platform checks Reol's signed assertion with them
    # A teacher may deep-link, but groups are made by those who manage the school's people.
    picker = launch(client, platform, "teacher", hint="deep-link")["Location"]
    refused = client.post(picker + "group/", follow=True)
    assert "Only library staff who manage people make groups" in refused.content.decode()
    assert not Group.objects.exists()
    client.logout()

    picker = launch(client, platform, "librarian", hint="deep-link")["Location"]
    made = client.post(picker + "group/", follow=True).content.decode()
    assert "has 3 members from the course (2 not known to the library here)" in made
    group = Group.objects.get(school=world.school_a)
    assert group.kind == "team" and group.name == "5.A Danish"
    roles = {m.patron.user.username: m.role for m in group.members.select_related("patron__user")}
    assert roles == {"bib-a": "teacher", "laerer-a": "teacher", "elev-a1": "student"}
    assertion = platform.assertions[-1]
    assert assertion["iss"] == CLIENT_ID and assertion["aud"] == platform.base + "/token"

    del platform.people["student"]  # she left the course: the refresh takes her out
    client.post(picker + "group/")
    assert set(group.members.values_list("patron__user__username", flat=True)) == {
        "bib-a",
        "laerer-a",
    }
    assert Group.objects.count() == 1


def test_reols_private_key_is_sealed_at_rest(db):
    from django.db import connection

    key = lti_services.signing_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_jwk FROM accounts_ltitoolkey")
        (stored,) = cursor.fetchone()
    assert stored.startswith("sealed:") and '"d"' not in stored
    assert lti_services.signing_key().as_dict(private=True) == key.as_dict(private=True)


def test_dynamic_registration_from_a_one_time_address(client, world, platform, shelf):
    from reol.accounts.models import LtiPlatform

    client.force_login(world.admin_a)
    page = client.post(reverse("lti-platforms"), {"invite": "1"})
    address = page.context["invite_url"]
    assert address.startswith("http://testserver/lti/register/")
    client.logout()  # the platform's administrator opens it, not a Reol user
    query = {
        "openid_configuration": platform.base + "/.well-known/openid-configuration",
        "registration_token": "reg-token-1",
    }
    response = client.get(address, query)
    assert response.status_code == 200 and "Reol is registered" in response.content.decode()
    assert platform.base in response["Content-Security-Policy"]  # the platform may frame it
    bearer, body = platform.registrations[0]
    assert bearer == "reg-token-1"
    assert body["initiate_login_uri"] == "http://testserver/lti/login/"
    assert body["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert body["jwks_uri"] == "http://testserver/lti/jwks.json"
    registered = LtiPlatform.objects.get()
    assert (registered.client_id, registered.deployments()) == (CLIENT_ID, ["deployment-1"])
    assert registered.school == world.school_a and registered.enabled
    # It works at once: a student's launch signs her in.
    assert launch(client, platform, "student", target=_list_url(shelf)).status_code == 302
    assert _signed_in_as(client) == world.student_a1.pk
    client.logout()
    # The address is used up.
    assert client.get(address, query).status_code == 400
    assert LtiPlatform.objects.count() == 1


def test_dynamic_registration_refuses_a_configuration_of_another_site(client, world, platform):
    invite = lti_services.create_invite(world.admin_a, world.school_a)
    platform.issuer = "https://elsewhere.example"
    url = reverse("lti-register", args=[invite.token])
    query = {"openid_configuration": platform.base + "/.well-known/openid-configuration"}
    assert client.get(url, query).status_code == 400
    assert not platform.registrations
    with pytest.raises(PermissionDenied):
        lti_services.create_invite(world.librarian_b, world.school_a)
