"""A school's sign-in source is as strong as that school's administrators, no stronger.

The attack: the administrator of school A registers an identity provider (or a learning
platform) for A whose keys are hers: her own server as the issuer, or its key set. A teacher
of A is also the administrator of school B. She mints a token naming that teacher, and Reol
signed him in — a whole session, with B's audit log and patrons, past B's two-step sign-in
(a provider's sign-in leaves the second factor to the provider). Changing that teacher's
e-mail was refused to her (``may_manage_identity``); signing in as him was not.

Now a school's source signs in only people whose every role is at that school
(``permissions.signs_in_within``); a municipality's source, its municipality's people. The
refusal is audited; and a school's "staff must use the provider" no longer binds someone its
providers may not sign in (else he would have no way in at all).
"""

from __future__ import annotations

import pytest

from reol.accounts import services
from reol.core import services as core_services
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import make_provider, sign_in
from .lti_platform import Platform
from .lti_world import launch, library, people, register
from .provider import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeProvider() as provider:
        yield provider


def _signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def _as_teacher(nonce: str, fake: FakeProvider) -> dict:
    return fake.claims(nonce, sub="subject-t", preferred_username="laerer-a")


def test_a_schools_provider_cannot_sign_in_its_teacher_who_administers_another_school(
    client, world, fake
):
    provider = make_provider(fake.issuer, world.school_a)  # school A's, so A's keys
    core_services.grant_role(SYSTEM, world.teacher_a, world.school_b, "administrator")
    response = sign_in(client, provider, fake, lambda nonce: _as_teacher(nonce, fake))
    assert response.status_code == 403
    assert _signed_in_as(client) is None
    [event] = AuditEvent.objects.filter(action="signin.provider_refused")
    assert event.details["reason"] == "beyond_source" and event.school == world.school_a
    assert not AuditEvent.objects.filter(action="signin.success").exists()


def test_a_teacher_of_that_school_alone_still_signs_in(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a)
    response = sign_in(client, provider, fake, lambda nonce: _as_teacher(nonce, fake))
    assert response.status_code == 302
    assert _signed_in_as(client) == world.teacher_a.pk


def test_a_superuser_with_a_role_at_the_school_is_never_signed_in_by_it(client, world, fake):
    provider = make_provider(fake.issuer, world.school_a)
    world.teacher_a.is_superuser = True
    world.teacher_a.save(update_fields=["is_superuser"])
    response = sign_in(client, provider, fake, lambda nonce: _as_teacher(nonce, fake))
    assert response.status_code == 403
    assert _signed_in_as(client) is None


def test_the_municipalitys_provider_signs_in_its_people_of_several_schools(client, world, fake):
    provider = make_provider(fake.issuer, None, municipality=world.municipality)
    core_services.grant_role(SYSTEM, world.teacher_a, world.school_b, "administrator")
    response = sign_in(client, provider, fake, lambda nonce: _as_teacher(nonce, fake))
    assert response.status_code == 302
    assert _signed_in_as(client) == world.teacher_a.pk


def test_a_schools_learning_platform_cannot_launch_its_teacher_who_administers_another_school(
    client, world
):
    with Platform(people()) as platform:
        library(world)
        register(platform, world.school_a)  # A's registration: its key set is A's to choose
        core_services.grant_role(SYSTEM, world.teacher_a, world.school_b, "administrator")
        response = launch(client, platform, "teacher")
    assert response.status_code == 403
    assert _signed_in_as(client) is None
    [event] = AuditEvent.objects.filter(action="lti.launch_refused")
    assert event.details["reason"] == "beyond_source"
    assert not AuditEvent.objects.filter(action="lti.launch").exists()


def test_a_schools_provider_policy_does_not_lock_out_whom_its_providers_may_not_sign_in(
    world, fake
):
    make_provider(fake.issuer, world.school_a)
    services.set_policy(world.admin_a, world.school_a, staff_must_use_provider=True)
    assert services.password_refusal(world.teacher_a) is not None  # A's own teacher: provider
    core_services.grant_role(SYSTEM, world.teacher_a, world.school_b, "administrator")
    assert services.password_refusal(world.teacher_a) is None  # B's administrator: password
