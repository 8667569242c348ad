"""Fixes from the new-user trial: the chosen school year wins over the bundle's sessions; new
usernames are ASCII; the dry run warns about deactivation, a missing class column and formulas;
the run page renders its facts in the viewer's language."""

from __future__ import annotations

import pytest

from reol.patrons.models import Group

from .helpers import ONEROSTER_11, oneroster_11, run

pytestmark = pytest.mark.django_db


def _old_sessions() -> list[list[str]]:
    """The sample's sessions moved back to 2021/22."""
    rows = [list(r) for r in ONEROSTER_11["academicSessions"]]
    header = rows[0]
    start, end, year = (header.index(c) for c in ("startDate", "endDate", "schoolYear"))
    for row in rows[1:]:
        row[start] = "2021" + row[start][4:] if row[start] else row[start]
        row[end] = "2022" + row[end][4:] if row[end][:4] == "2027" else "2021" + row[end][4:]
        row[year] = "2022"
    return rows


def test_the_chosen_school_year_wins_over_the_bundles_sessions(world, tmp_path):
    data = oneroster_11(academicSessions=_old_sessions())
    report = run(world.school_a, tmp_path, data, name="roster.zip", school_year="2026/27")
    assert report.saved, report.problems
    years = set(Group.objects.filter(school=world.school_a).values_list("school_year", flat=True))
    assert years == {"2026/27"}
    assert any("2021/22" in w.reason and "as chosen" in w.reason for w in report.warnings)


def test_without_a_choice_the_bundles_sessions_decide(world, tmp_path):
    data = oneroster_11(academicSessions=_old_sessions())
    report = run(world.school_a, tmp_path, data, name="roster.zip")
    assert report.saved, report.problems
    years = set(Group.objects.filter(school=world.school_a).values_list("school_year", flat=True))
    assert years == {"2021/22"}


def test_the_cli_school_year_wins_too(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "roster.zip"
    path.write_bytes(oneroster_11(academicSessions=_old_sessions()))
    call_command("import-patrons", str(path), school="nord", school_year="2026/27")
    years = set(Group.objects.filter(school=world.school_a).values_list("school_year", flat=True))
    assert years == {"2026/27"}


def test_made_usernames_are_ascii(world, tmp_path):
    from reol.core.models import User

    from .helpers import csv_bytes

    rows = [
        ["Elev-ID", "Fornavn", "Efternavn", "Klasse"],
        ["2001", "Jørgen", "Blåbær", "5.B"],
        ["2002", "Zoë", "Ærø-Müller", "5.B"],
    ]
    mapping = {
        "source_id": "Elev-ID",
        "first_name": "Fornavn",
        "last_name": "Efternavn",
        "groups": "Klasse",
    }
    report = run(world.school_a, tmp_path, csv_bytes(rows), mapping=mapping)
    assert report.saved, report.problems
    names = set(
        User.objects.filter(patrons__source_id__in=["2001", "2002"]).values_list(
            "username", flat=True
        )
    )
    assert names == {"joergen.blaabaer", "zoe.aeroe-muller"}


# --- The pages ---------------------------------------------------------------------------------

HEADER = ["Elev nr.", "Fornavn", "Efternavn", "Klasse"]


def _pages(settings, tmp_path):
    settings.REOL_IMPORT_IN_BACKGROUND = False
    settings.VAR_DIR = tmp_path


def _csv_dry_run(client, rows, mapping, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from reol.rosters.models import RosterImport

    from .helpers import csv_bytes

    file = SimpleUploadedFile("elever.csv", csv_bytes(rows), content_type="text/csv")
    client.post(reverse("rosters-upload"), {"file": file})
    job = RosterImport.objects.order_by("-pk").first()
    options = client.get(reverse("rosters-options", args=[job.pk])).content.decode()
    form = {f"map_{k}": v for k, v in mapping.items()}
    form.update(school_year="2026/27", default_category="student", **extra)
    response = client.post(reverse("rosters-options", args=[job.pk]), form)
    return options, client.get(response["Location"]).content.decode()


def test_csv_deactivation_is_unticked_and_warned_with_the_count(world, settings, tmp_path):
    _pages(settings, tmp_path)
    from django.test import Client

    from .helpers import csv_bytes

    client = Client()
    client.force_login(world.librarian_a)
    mapping = {"source_id": "Elev nr.", "first_name": "Fornavn", "last_name": "Efternavn"}
    mapping["groups"] = "Klasse"
    rows = [HEADER, ["1", "Anna", "Ås", "5.B"], ["2", "Bo", "Bø", "5.B"]]
    first = run(world.school_a, tmp_path, csv_bytes(rows), mapping=mapping, school_year="2026/27")
    assert first.saved
    options, page = _csv_dry_run(client, [HEADER, rows[1]], mapping)
    assert 'name="deactivate_missing"' in options
    assert 'name="deactivate_missing" id="id_deactivate_missing" checked' not in options
    assert "Importing deactivates" not in page  # not chosen: nobody is deactivated
    _options, page = _csv_dry_run(client, [HEADER, rows[1]], mapping, deactivate_missing="on")
    assert "Importing deactivates 1 patron from an earlier import who is not in this file." in page


def test_csv_without_class_column_and_formula_names_are_warned(world, settings, tmp_path):
    _pages(settings, tmp_path)
    from django.test import Client

    client = Client()
    client.force_login(world.librarian_a)
    mapping = {"source_id": "Elev nr.", "first_name": "Fornavn", "last_name": "Efternavn"}
    _options, page = _csv_dry_run(client, [HEADER, ["1", "=HYPERLINK(1)", "Ås", "5.B"]], mapping)
    assert "No class column: students will not be put in classes." in page
    assert "looks like a spreadsheet formula" in page


def test_the_run_page_speaks_the_viewers_language(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from reol.rosters.models import RosterImport

    from .helpers import bundle

    _pages(settings, tmp_path)
    client = Client()
    client.force_login(world.librarian_a)
    files = {k: v for k, v in ONEROSTER_11.items() if k != "manifest"}
    upload = SimpleUploadedFile("roster.zip", bundle(files), content_type="application/zip")
    with translation.override("da"):
        client.post(reverse("rosters-upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="da")
        job = RosterImport.objects.get()
        response = client.post(
            reverse("rosters-options", args=[job.pk]),
            {"org": "nord-org", "school_year": "2026/27"},
            HTTP_ACCEPT_LANGUAGE="da",
        )
        dry_run = RosterImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
        done = client.post(reverse("rosters-confirm", args=[dry_run.pk]), HTTP_ACCEPT_LANGUAGE="da")
    english = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The import is saved." in english
    assert "not given (no manifest)" in english and "ikke angivet" not in english
    assert "3 people in the file" in english and "personer" not in english
    assert "3 new groups" in english.replace("<strong>", "").replace("</strong>", "")
    danish = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "ikke angivet (intet manifest)" in danish
