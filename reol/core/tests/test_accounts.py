"""Identity belongs to the person (issue 12): who may change e-mail and password, the
confirmation of a new address, the reset that ends sessions and tokens, the sign-in audit,
the password rules, and the reset mails' rate limit."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from reol.core import accounts, services
from reol.core.models import ApiToken, AuditEvent, User
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "blue whale under ice"


@pytest.fixture
def admin_b(world):  # type: ignore[no-untyped-def]
    """Administrator at Sydskolen who also teaches at Nordskolen (the person of issue 12)."""
    person = services.create_person(
        SYSTEM,
        world.school_b,
        username="admin-b",
        role="administrator",
        password=PASSWORD,
        first_name="Berit",
        last_name="Boss",
        email="berit@syd.example",
    )
    services.grant_role(SYSTEM, person, world.school_a, "teacher")
    return person


def signed_in_client(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return client


def test_a_librarian_may_not_set_the_password_of_an_administrator_of_another_school(world, admin_b):
    with pytest.raises(PermissionDenied):
        services.set_password(world.librarian_a, admin_b, NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        services.set_pin(world.librarian_a, admin_b, "1234")
    admin_b.refresh_from_db()
    assert admin_b.check_password(PASSWORD)
    # The refusal is in both schools' audit logs.
    refused = AuditEvent.objects.filter(action="person.identity_refused", actor=world.librarian_a)
    assert {e.school_id for e in refused} == {world.school_a.pk, world.school_b.pk}


def test_a_librarian_may_not_reset_a_colleagues_password_but_the_administrator_may(world):
    with pytest.raises(PermissionDenied):
        services.set_password(world.librarian_a, world.admin_a, NEW_PASSWORD)
    services.set_password(world.admin_a, world.librarian_a, NEW_PASSWORD)
    services.set_password(world.librarian_a, world.student_a1, NEW_PASSWORD[:10])
    services.set_password(world.librarian_a, world.teacher_a, NEW_PASSWORD)


def test_a_new_address_is_used_only_after_its_link_and_the_old_one_is_told(
    world, admin_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = accounts.request_email_change(
            admin_b, admin_b, "berit@new.example", site="http://testserver"
        )
    admin_b.refresh_from_db()
    assert admin_b.email == "berit@syd.example"
    to_new = next(m for m in mail.outbox if m.to == ["berit@new.example"])
    assert reverse("email-confirm", args=[token]) in to_new.body
    assert any(m.to == ["berit@syd.example"] for m in mail.outbox)

    mail.outbox.clear()
    link = re.search(r"http://testserver(\S+)", to_new.body).group(1)  # type: ignore[union-attr]
    client = Client()
    assert client.get(link).status_code == 200  # a preview of the link changes nothing
    admin_b.refresh_from_db()
    assert admin_b.email == "berit@syd.example"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    admin_b.refresh_from_db()
    assert admin_b.email == "berit@new.example"
    assert [m.to for m in mail.outbox] == [["berit@syd.example"]]
    changed = AuditEvent.objects.filter(action="person.email_changed", object_id=str(admin_b.pk))
    assert {e.school_id for e in changed} == {world.school_a.pk, world.school_b.pk}
    assert client.post(link).status_code == 400  # a link works once


def test_someone_else_may_not_ask_to_change_a_staff_address(world, admin_b):
    with pytest.raises(PermissionDenied):
        accounts.request_email_change(
            world.librarian_a, admin_b, "mallory@evil.example", site="http://testserver"
        )
    assert not mail.outbox


def test_the_email_page_sends_a_link(world, django_capture_on_commit_callbacks):
    client = signed_in_client("bib-a")
    with django_capture_on_commit_callbacks(execute=True):
        wrong = client.post(
            reverse("email-change"), {"email": "bib@new.example", "password": "not-mine"}
        )
        assert wrong.status_code == 200 and not mail.outbox  # a borrowed session is not enough
        response = client.post(
            reverse("email-change"), {"email": "bib@new.example", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert any(m.to == ["bib@new.example"] for m in mail.outbox)


def test_change_own_password_keeps_this_session_and_ends_the_others(
    world, django_capture_on_commit_callbacks
):
    world.librarian_a.email = "bib-a@nord.example"
    world.librarian_a.save()
    desk = signed_in_client("bib-a")
    laptop = signed_in_client("bib-a")
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("password-change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
    assert response.status_code == 302
    (notice,) = mail.outbox  # the person is told (ASVS 2.2.3)
    assert notice.to == ["bib-a@nord.example"] and "was just changed" in notice.body
    assert desk.get(reverse("me")).status_code == 200
    assert laptop.get(reverse("me")).status_code == 302  # to the sign-in page
    world.librarian_a.refresh_from_db()
    assert world.librarian_a.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(
        action="person.set_password", object_id=str(world.librarian_a.pk)
    ).exists()


def test_the_change_page_refuses_a_short_staff_password(world):
    desk = signed_in_client("bib-a")
    short = "Elefant-42x"  # 11 characters
    response = desk.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": short, "new_password2": short},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_staff_need_12_characters_and_students_8(world):
    with pytest.raises(ValidationError, match="at least 12"):
        validate_password("Elefant-42x", world.teacher_a)
    validate_password("Elefant-42x", world.student_a1)
    with pytest.raises(ValidationError) as refused:
        services.create_person(
            SYSTEM,
            world.school_a,
            username="ny-bib",
            role="librarian",
            first_name="Ny",
            password="Elefant-42x",
        )
    assert "password" in refused.value.message_dict
    services.create_person(
        SYSTEM,
        world.school_a,
        username="ny-elev",
        role="student",
        first_name="Ny",
        password="Elefant-42x",
    )


@pytest.mark.parametrize(
    "password",
    ["sommer2024", "Skolebibliotek123", "passord123!", "qwertyuiop"],
)
def test_common_and_breached_passwords_from_reols_list_are_refused(world, password):
    with pytest.raises(ValidationError, match="too common"):
        validate_password(password, world.student_a1)


def test_the_common_password_rule_is_stated_once_and_keeps_djangos_list(world):
    """One validator reads both lists: the password forms list the rule once (they said
    "can't be a commonly used password" twice), and Django's own list is still refused."""
    from django.contrib.auth.password_validation import password_validators_help_texts

    texts = password_validators_help_texts()
    assert len(texts) == len(set(texts)) and sum("common" in t for t in texts) == 1
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234", world.student_a1)  # in Django's list


def reset_link(client: Client, email: str) -> str:
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": email})
    (message,) = mail.outbox
    return re.search(r"https?://testserver(\S+)", message.body).group(1)  # type: ignore[union-attr]


def test_a_reset_ends_other_sessions_revokes_tokens_and_is_audited(world, token_for):
    world.librarian_a.email = "bib-a@nord.example"
    world.librarian_a.save()
    header = token_for(world.librarian_a)
    laptop = signed_in_client("bib-a")
    assert Client().get("/api/v1/me", **header).status_code == 200

    browser = Client()
    link = reset_link(browser, "bib-a@nord.example")
    form = browser.get(link, follow=True)
    response = browser.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content
    assert laptop.get(reverse("me")).status_code == 302
    assert Client().get("/api/v1/me", **header).status_code == 401
    assert not ApiToken.objects.filter(user=world.librarian_a, revoked_at__isnull=True).exists()
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(world.librarian_a.pk), school=world.school_a
        ).values_list("action", flat=True)
    )
    assert {"password_reset.asked", "password_reset.done", "signin.success"} <= actions


def test_reset_mails_are_rate_limited_per_account(world, settings):
    world.librarian_a.email = "bib-a@nord.example"
    world.librarian_a.save()
    for n in range(settings.REOL_RESET_MAILS_PER_ACCOUNT + 2):
        Client().post(
            reverse("password_reset"), {"email": "bib-a@nord.example"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
    assert len(mail.outbox) == settings.REOL_RESET_MAILS_PER_ACCOUNT
    held = AuditEvent.objects.filter(action="password_reset.refused", school=world.school_a)
    assert held.count() == 2


def test_reset_mails_are_rate_limited_per_address(world, settings):
    settings.REOL_RESET_MAILS_PER_ADDRESS = 2
    for n, person in enumerate((world.librarian_a, world.teacher_a, world.admin_a)):
        person.email = f"person{n}@nord.example"
        person.save()
        Client().post(reverse("password_reset"), {"email": person.email}, REMOTE_ADDR="10.9.9.9")
    assert len(mail.outbox) == 2
    # Another address is not held up by the first.
    Client().post(
        reverse("password_reset"), {"email": "person2@nord.example"}, REMOTE_ADDR="10.1.1.1"
    )
    assert len(mail.outbox) == 3


def test_sign_ins_are_audited_where_the_administrator_sees_them(world, admin_b):
    Client().post(reverse("login"), {"username": "admin-b", "password": "wrong"})
    signed_in_client("admin-b")
    events = AuditEvent.objects.filter(object_id=str(admin_b.pk))
    assert {(e.action, e.school_id) for e in events if e.action.startswith("signin")} == {
        ("signin.failure", world.school_a.pk),
        ("signin.failure", world.school_b.pk),
        ("signin.success", world.school_a.pk),
        ("signin.success", world.school_b.pk),
    }
    page = signed_in_client("admin-a").get(reverse("audit-log"), {"action": "signin"})
    assert page.status_code == 200 and "Sign-in failed" in page.content.decode()


def test_tokens_created_and_revoked_are_audited(world):
    token, _secret = services.create_api_token(world.teacher_a, world.teacher_a, name="plan")
    services.revoke_api_token(world.teacher_a, token)
    actions = AuditEvent.objects.filter(school=world.school_a, object_id=str(world.teacher_a.pk))
    assert {"token.create", "token.revoke"} <= set(actions.values_list("action", flat=True))


def test_a_superusers_identity_is_the_installations_alone(world):
    root = User.objects.create_superuser("root", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        services.set_password(world.admin_a, root, NEW_PASSWORD)


def test_sign_out_everywhere_else_needs_the_password_and_keeps_this_session(world):
    desk = signed_in_client("bib-a")
    laptop = signed_in_client("bib-a")
    assert desk.post(reverse("sessions-end"), {"password": "wrong"}).status_code == 200
    assert laptop.get(reverse("me")).status_code == 200
    assert desk.post(reverse("sessions-end"), {"password": PASSWORD}).status_code == 302
    assert desk.get(reverse("me")).status_code == 200
    assert laptop.get(reverse("me")).status_code == 302
    assert signed_in_client("bib-a").get(reverse("me")).status_code == 200
