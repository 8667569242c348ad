"""The set-up commands an operator runs: schools, people, tokens, the demo, backup/restore."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client

from reol.cli import locale_language
from reol.core.commands_help import print_help
from reol.core.models import ApiToken, AuditEvent, Membership, Municipality, School, User

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None, monkeypatch=None) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_school_user_token_from_the_command_line(monkeypatch):
    run("school", "add", "--code", "vest", "--name", "Vestskolen", "--municipality", "by")
    assert School.objects.get(code="vest").municipality == Municipality.objects.get(code="by")
    run(
        "user",
        "add",
        "lene",
        "--first-name",
        "Lene",
        "--role",
        "librarian",
        "--school",
        "vest",
        "--password-stdin",
        stdin="Correct-Horse-42\n",
        monkeypatch=monkeypatch,
    )
    lene = User.objects.get(username="lene")
    assert lene.check_password("Correct-Horse-42")
    assert Membership.objects.filter(user=lene, school__code="vest", role="librarian").exists()
    token = run("token", "create", "lene").strip()
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["roles"] == [{"school": "vest", "role": "librarian"}]
    assert AuditEvent.objects.filter(action="person.create", via="cli").count() == 1


def test_consultant_from_the_command_line(monkeypatch):
    run("school", "add", "--code", "vest", "--name", "Vestskolen", "--municipality", "by")
    run(
        "user",
        "add",
        "karen",
        "--first-name",
        "Karen",
        "--role",
        "consultant",
        "--municipality",
        "by",
        "--no-password",
    )
    assert Membership.objects.get(user__username="karen").school is None


def test_command_errors_are_plain_sentences(monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match="No school has the code"):
        run("user", "add", "x", "--role", "student", "--school", "nowhere", "--no-password")
    run("school", "add", "--code", "vest", "--name", "Vestskolen")
    with pytest.raises(CommandError, match="exists"):
        run("school", "add", "--code", "vest", "--name", "Igen")
    with pytest.raises(CommandError, match=r"short|common|numeric"):
        run(
            "user",
            "add",
            "y",
            "--role",
            "teacher",
            "--school",
            "vest",
            "--password-stdin",
            stdin="1234\n",
            monkeypatch=monkeypatch,
        )


def test_demo_is_idempotent():
    first = run("demo")
    counts = (User.objects.count(), School.objects.count(), Membership.objects.count())
    events = AuditEvent.objects.count()
    assert "bibliotekar-nord" in first and "konsulent" in first
    run("demo")
    assert (User.objects.count(), School.objects.count(), Membership.objects.count()) == counts
    assert AuditEvent.objects.count() == events
    assert School.objects.count() == 2
    assert Membership.objects.filter(role="student").count() >= 60


def test_the_demo_names_its_logins_in_the_commands_language(settings):
    """`make run` printed "Demoen er indlæst…" over "Municipal consultant" and "student (card +
    PIN)": the roles are in the command's one language too."""
    settings.LANGUAGE_CODE = "da"  # REOL_LANGUAGE=da
    out = run("demo")
    assert "Kommunal konsulent" in out and ": bibliotekar" in out and "elev (kort + pinkode)" in out
    assert "Municipal consultant" not in out and "student (card" not in out


def test_demo_login_works():
    run("demo")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "bibliotekar-nord", "password": "reol-demo-2026"}
    )
    assert response.status_code == 302
    assert client.get("/staff/people/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(tmp_path):
    run("school", "add", "--code", "vest", "--name", "Vestskolen")
    target = tmp_path / "reol.backup"
    run("backup", str(target))
    assert target.stat().st_size > 0
    School.objects.filter(code="vest").update(name="Changed after backup")
    run("school", "add", "--code", "nord", "--name", "Nordskolen")
    run("restore", str(target), "--yes")
    assert School.objects.get(code="vest").name == "Vestskolen"
    assert not School.objects.filter(code="nord").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    run("school", "add", "--code", "vest", "--name", "Vestskolen")
    with pytest.raises(CommandError, match="not a"):
        run("restore", str(bogus), "--yes")
    assert School.objects.filter(code="vest").exists()


def test_a_second_token_with_the_same_name_is_refused(monkeypatch):
    run("school", "add", "--code", "vest", "--name", "Vestskolen")
    run(
        "user",
        "add",
        "lene",
        "--first-name",
        "Lene",
        "--role",
        "librarian",
        "--school",
        "vest",
        "--no-password",
    )
    run("token", "create", "lene", "--name", "SIP-kiosk")

    with pytest.raises(CommandError, match="already has an active token named “SIP-kiosk”"):
        run("token", "create", "lene", "--name", "SIP-kiosk")

    prefix = User.objects.get(username="lene").api_tokens.get().prefix
    run("token", "revoke", prefix)
    run("token", "create", "lene", "--name", "SIP-kiosk")  # the name is free again
    listed = run("token", "list", "lene")
    assert "“SIP-kiosk”" in listed and "revoked" in listed and "active" in listed
    assert [t["revoked"] for t in json.loads(run("token", "list", "lene", "--json"))] == [
        True,
        False,
    ]


def test_two_active_tokens_of_one_name_cannot_be_stored():
    user = User.objects.create(username="solo")
    ApiToken.objects.create(user=user, name="job", prefix="a", digest="1")
    ApiToken.objects.create(user=user, name="", prefix="b", digest="2")
    ApiToken.objects.create(user=user, name="", prefix="c", digest="3")  # no name: no clash
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=user, name="job", prefix="d", digest="4")


def test_reol_help_lists_reols_commands_first_with_what_they_are_for():
    out = io.StringIO()

    print_help(out)

    text = out.getvalue()
    ours, django_part = text.split("Django's commands")
    assert "  import-marc " in ours and "  token " in ours and "  backup " in ours
    assert "migrate" not in ours and "runserver" not in ours
    assert "migrate" in django_part and "import-marc" not in django_part
    line = next(x for x in ours.splitlines() if x.startswith("  import-marc "))
    assert line.split(None, 1)[1] == (
        "Import MARC21 records (ISO 2709 or MARCXML) with their copies into a school."
    )
    assert all(len(x.split(None, 1)) == 2 for x in ours.splitlines()[1:] if x.strip())


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "nb_NO.UTF-8"}, "nb"),
        ({"LANG": "da_DK.UTF-8"}, "da"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "da_DK.UTF-8"}, "en"),
        ({"LANG": "nn_NO"}, "nb"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "de_DE.UTF-8"}, None),
        ({}, None),
    ],
)
def test_the_cli_takes_its_language_from_the_locale(environ, language):
    assert locale_language(environ) == language


def test_commands_speak_the_language_chosen(settings):
    settings.LANGUAGE_CODE = "nb"
    with pytest.raises(CommandError) as caught:
        run("user", "add", "x", "--role", "student", "--school", "ingen", "--no-password")
    assert str(caught.value) == "Ingen skole har koden «ingen». Se `reol school list`."


def test_every_reol_command_explains_itself_with_help(capsys, settings):
    from django.core.management import ManagementUtility, get_commands

    settings.LANGUAGE_CODE = "da"
    ours = sorted(name for name, app in get_commands().items() if app.startswith("reol."))
    assert len(ours) > 20
    for name in ours:
        with pytest.raises(SystemExit) as exit_:
            ManagementUtility(["reol", name, "--help"]).execute()
        assert exit_.value.code == 0, name
        assert f"usage: reol {name}" in capsys.readouterr().out, name
    with pytest.raises(SystemExit):
        ManagementUtility(["reol", "user", "--help"]).execute()
    assert "Administrerer personer" in capsys.readouterr().out  # the command's one language


def test_reol_help_and_option_help_speak_the_commands_one_language(capsys, settings):
    from django.core.management import ManagementUtility

    settings.LANGUAGE_CODE = "nb"
    out = io.StringIO()
    print_help(out)
    text = out.getvalue()
    assert "Oppgavekøen." in text and "The task queue" not in text
    # an abbreviation's full stop does not end the line ("én gang pr. slutdato")
    assert next(x for x in text.splitlines() if "warn-licences" in x).rstrip().endswith(").")
    with pytest.raises(SystemExit):
        ManagementUtility(["reol", "user", "add", "--help"]).execute()
    assert "les passordet fra standard input" in capsys.readouterr().out
