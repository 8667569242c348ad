"""What a new user's trial of the catalogue found, each fixed and kept fixed: English that
never reached gettext, a merge without a second look, a duplicate ISBN let through, the author's
role in the cataloguer's language, a PDF read as 196 records, an add-copies form that ignored
what it was told, and barcodes that differed only in case.

Translations are checked in a pseudo language (``pseudo_language``: every message reads
⟪message⟫), so a string that bypasses gettext shows without the brackets, whatever the
catalogues hold today.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.importer import ImportReport
from reol.catalog.models import Item, Record, SearchOutbox
from reol.catalog.relators import role_label
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_C, book, iso, run_import, signed_in

pytestmark = pytest.mark.django_db

WRAPPED = re.compile(r"^⟪.*⟫$", re.S)

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    + b"1 0 obj << /Length 5 >> stream\x1dxx\x1d\nendstream\n" * 200
)
CSV = b"barcode;title;author\n12345;Pippi;Astrid Lindgren\n" + b"1\x1d2;x;y\n" * 196


# --- 1. Every message reaches gettext -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "245  10$aNo equals sign",
        "=LDR  00000nam a2200000 a 4500\n=24%  10$aBad tag",
        "=LDR  00000nam a2200000 a 4500\n=245  1",
        "=LDR  00000nam a2200000 a 4500\n=245  10$$a",
        "=LDR  00000nam a2200000 a 4500\n=100  1\\$aNo title field",
    ],
)
def test_marc_editor_errors_are_translated(pseudo_language, text):
    with pytest.raises(marcio.MnemonicError) as caught:
        marcio.from_mnemonic(text)
    assert WRAPPED.match(str(caught.value)), caught.value


def test_marc_editor_error_is_shown_translated_on_the_page(catalogue, record, pseudo_language):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-marc", args=[record.pk]),
        {"marc": "=LDR  00000nam a2200000 a 4500\n=24%  10$aBad tag"},
    )
    (error,) = response.context["form"].errors["marc"]
    assert error == pseudo_language(
        "line %(n)d: “%(tag)s” is not a MARC tag (three letters or digits)"
    ) % {"n": 2, "tag": "24%"}


def test_import_rejections_and_their_places_are_translated(catalogue, pseudo_language):
    good = iso(book("God", control="g1"))
    truncated = iso(book("Kort", control="k1"))[:-40]
    bad_encoding = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    xml_broken = b"<collection><record><leader>00000nam a2200000 a 4500</leader><datafield"
    report = run_import(SYSTEM, catalogue.world.school_a, good + bad_encoding + truncated)
    xml_report = run_import(SYSTEM, catalogue.world.school_a, xml_broken)

    problems = [*report.errors, *report.warnings, *xml_report.errors]
    assert len(report.errors) == 2 and xml_report.errors
    for problem in problems:
        assert WRAPPED.match(problem.reason), problem.reason
        assert WRAPPED.match(problem.where), problem.where
        assert WRAPPED.match(str(problem)), str(problem)
    assert WRAPPED.match(report.summary()[:-1]), report.summary()


def test_import_warnings_about_copies_and_isbns_are_translated(catalogue, pseudo_language):
    data = iso(
        book(
            "Hylder",
            control="h1",
            isbn="9788702284299",  # a wrong check digit
            holdings=[{"p": "W1", "c": "kaelder"}, {"p": "has space"}],
        )
    )
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert len(report.warnings) == 3
    assert all(WRAPPED.match(p.reason) for p in report.warnings), report.warnings


def test_import_summary_is_one_sentence_with_counted_words():
    report = ImportReport(read=1000, created=997, updated=1, rejected=2, copies_created=1)
    assert report.summary() == (
        "Read 1,000 records: 997 created, 1 updated, 2 rejected; 1 copy created."
    )
    one = ImportReport(read=1, created=1, copies_created=2, copies_rejected=1, dry_run=True)
    assert one.summary() == (
        "Read 1 record: 1 created, 0 updated, 0 rejected; 2 copies created, "
        "1 copy rejected (dry run: nothing saved)."
    )


def test_import_summary_follows_the_language(pseudo_language):
    summary = ImportReport(read=3, created=3, copies_created=1).summary()
    assert summary.endswith(".")
    for message, n in (("%(n)s created", 3), ("%(n)s copy created", 1), ("%(n)s rejected", 0)):
        assert pseudo_language(message) % {"n": n} in summary
    assert summary.startswith(pseudo_language("Read %(n)s records: %(records)s; %(copies)s")[:6])


def test_the_import_page_reports_in_the_language_of_who_started_it(
    catalogue, settings, tmp_path, pseudo_language
):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    client = signed_in(catalogue.world.librarian_a)
    upload = io.BytesIO(iso(book("God", control="g1")) + b"00000garbage\x1d")
    upload.name = "katalog.mrc"
    response = client.post(
        reverse("catalog-import"), {"file": upload, "holdings": "952"}, follow=True
    )
    job = response.context["job"]
    assert WRAPPED.match(job.summary[:-1]), job.summary
    assert all(WRAPPED.match(p["reason"]) for p in job.problems), job.problems


# --- 2. A merge is confirmed after a look at both records -------------------------------------


def _duplicate(catalogue, title="Rejsen til Saturn", isbn=ISBN_A, barcodes=("D1",)):
    duplicate = services.create_record(
        SYSTEM,
        catalogue.world.municipality,
        book(title, isbn=isbn, year="2019"),
        allow_duplicate_isbn=True,
    )
    services.add_items(SYSTEM, duplicate, catalogue.world.school_b, barcodes=list(barcodes))
    return duplicate


def test_merge_shows_both_records_and_merges_only_when_confirmed(catalogue, record):
    duplicate = _duplicate(catalogue, title="Rejsen til Saturn.", barcodes=("D1", "D2"))
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-record-merge", args=[record.pk])

    response = client.post(url, {"duplicate": duplicate.pk})

    assert response.status_code == 200  # a page that asks, not the merge
    assert Item.objects.filter(record=duplicate).count() == 2
    assert not AuditEvent.objects.filter(action="record.merge").exists()
    page = response.content.decode()
    comparison = response.context["comparison"]
    rows = {row.label: row for row in comparison.rows}
    assert rows["Copies per school"].keep == "Nordskolen: 2; Sydskolen: 1"
    assert rows["Copies per school"].duplicate == "Sydskolen: 2"
    assert rows["Year"].differs and not rows["Title"].differs and not rows["ISBN"].differs
    assert comparison.warnings == []  # the same book: same ISBN, same title
    assert "Merging cannot be undone" in page and "2 copies move to record" in page
    assert f'name="duplicate" value="{duplicate.pk}"' in page and 'name="confirm"' in page

    response = client.post(url, {"duplicate": duplicate.pk, "confirm": "yes"})

    assert response.status_code == 302
    assert Item.objects.filter(record=duplicate).count() == 0
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == record.pk
    event = AuditEvent.objects.get(action="record.merge")
    assert event.details["merged"] == duplicate.pk and event.details["copies_moved"] == 2


def test_merge_warns_when_isbns_and_titles_differ(catalogue, record):
    other = _duplicate(catalogue, title="Månen", isbn=ISBN_C)
    client = signed_in(catalogue.world.librarian_a)

    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]), {"duplicate": other.pk}
    )

    page = response.content.decode()
    assert 'id="merge-warning"' in page and "These may not be the same book." in page
    assert "The ISBNs differ" in page and "The titles differ." in page
    rows = {row.label: row for row in response.context["comparison"].rows}
    assert rows["ISBN"].differs and rows["Title"].differs
    assert (rows["ISBN"].keep, rows["ISBN"].duplicate) == (ISBN_A, ISBN_C)
    assert page.count('class="differs"') >= 2
    assert Item.objects.get(barcode="D1").record == other  # nothing merged yet


def test_merge_of_a_record_into_itself_is_refused_before_asking(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]),
        {"duplicate": record.pk, "confirm": "yes"},
        follow=True,
    )
    assert "That is this record&#x27;s own number" in response.content.decode()
    assert not AuditEvent.objects.filter(action="record.merge").exists()


# --- 4. A second record with the same ISBN needs a yes ------------------------------------------


def test_the_service_refuses_a_duplicate_isbn_unless_confirmed(catalogue, record):
    m = catalogue.world.municipality
    with pytest.raises(services.DuplicateIsbn) as caught:
        services.create_record_from_form(SYSTEM, m, title="Igen", isbn="87-02-28429-4")
    assert caught.value.records == [record]
    assert ISBN_A in caught.value.message_dict["isbn"][0]
    assert not Record.objects.filter(title="Igen").exists()

    again = services.create_record_from_form(
        SYSTEM, m, title="Igen", isbn=ISBN_A, allow_duplicate_isbn=True
    )
    assert list(again.isbns.values_list("isbn13", flat=True)) == [ISBN_A]
    # another municipality's record with the ISBN is not a duplicate
    far = services.create_record_from_form(
        SYSTEM, catalogue.far_municipality, title="Fjern", isbn=ISBN_A
    )
    assert far.pk


def test_the_new_record_form_warns_links_and_creates_only_when_ticked(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-record-new")
    data = {"title": "Rejsen til Saturn", "isbn": ISBN_A, "material_type": "book"}

    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="duplicate-isbn"' in page
    assert f'href="{reverse("catalog-record", args=[record.pk])}#add-copies"' in page
    assert 'name="confirm_duplicate_isbn"' in page
    assert "already in the catalogue" in str(response.context["form"].errors["isbn"])
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 1

    response = client.post(url, {**data, "confirm_duplicate_isbn": "on"})

    assert response.status_code == 302
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 2


def test_a_copied_record_whose_isbn_arrived_meanwhile_goes_to_the_existing_one(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    session = client.session
    session["catalog.sru_candidates"] = [marcio.to_json(book("Rejsen til Saturn", isbn=ISBN_A))]
    session.save()
    response = client.post(reverse("catalog-copy-candidate"), {"candidate": "0"})
    assert response["Location"] == f"{record.get_absolute_url()}#add-copies"
    assert Record.objects.filter(title="Rejsen til Saturn").count() == 1


# --- 5. The author's role: a code, shown in the reader's language -----------------------------


def test_a_new_records_author_is_stored_as_a_relator_code(catalogue):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    (f100,) = marcio.from_json(created.marc).get_fields("100")
    assert f100.get_subfields("4") == ["aut"] and f100.get_subfields("e") == []
    assert created.contributors == [{"name": "Jensen, Ida", "role": "", "relator": "aut"}]


def test_the_role_is_shown_in_the_readers_language(catalogue, pseudo_language):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    page = signed_in(catalogue.world.librarian_a).get(created.get_absolute_url())
    assert f"Jensen, Ida ({pseudo_language('author')})" in page.content.decode()


@pytest.mark.parametrize(
    ("contributor", "shown"),
    [
        ({"name": "A", "role": "forfatter", "relator": "aut"}, "author"),
        ({"name": "A", "role": "author"}, "author"),  # stored before codes were
        ({"name": "A", "role": "forfatter, aut"}, "author"),
        ({"name": "A", "role": "Forfatter."}, "author"),
        ({"name": "A", "role": "", "relator": "ill,trl"}, "illustrator, translator"),
        ({"name": "A", "role": "indlæser", "relator": "xyz"}, "indlæser"),
        ({"name": "A", "role": "", "relator": "xyz"}, "xyz"),
        ({"name": "A", "role": ""}, ""),
    ],
)
def test_role_label(contributor, shown):
    assert role_label(contributor) == shown


def test_api_gives_the_role_as_a_term(catalogue, client):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    data = client.get(f"/api/v1/records/{created.pk}", {"municipality": "solbjerg"}).json()
    # The code as a search hit gives it, and the term in the reader's language.
    assert data["contributors"] == [{"name": "Jensen, Ida", "relator": "aut", "role": "author"}]


# --- 6. A file that is not MARC is said to be so, once -----------------------------------------


@pytest.mark.parametrize("data", [PDF, CSV], ids=["pdf", "csv-with-terminators"])
def test_a_file_that_is_not_marc_is_one_problem_not_hundreds(catalogue, data):
    assert data.count(b"\x1d") >= 196  # what made ~196 "records" of it

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.not_marc and report.failed
    assert (report.read, report.rejected, report.created) == (0, 0, 0)
    ((problem),) = report.errors
    assert (problem.position, problem.where) == (1, "byte 0")
    assert "this is not a MARC file" in problem.reason
    assert report.summary().startswith("Nothing was imported: this is not a MARC file")


def test_xml_of_another_kind_is_not_marc(catalogue):
    data = b"<?xml version='1.0'?><list>" + b"<record><name>Pippi</name></record>" * 50 + b"</list>"
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert report.not_marc and len(report.errors) == 1 and report.read == 0


def test_a_marc_file_with_a_bad_first_record_is_still_marc(catalogue):
    data = b"garbage before the first record" + iso(book("God", control="g1"))
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert not report.not_marc and report.created == 1


def _command(path: Path) -> str:
    out = io.StringIO()
    call_command("import-marc", str(path), "--school", "nord", stdout=out)
    return out.getvalue()


def test_the_command_fails_for_a_file_that_is_not_marc(catalogue, tmp_path):
    path = tmp_path / "katalog.pdf"
    path.write_bytes(PDF)
    with pytest.raises(CommandError, match="this is not a MARC file") as caught:
        _command(path)
    assert caught.value.returncode == 1


def test_the_command_fails_when_every_record_is_rejected(catalogue, tmp_path):
    bad = iso(book("Ødelagt", control="x1")).replace("Ødelagt".encode(), b"\xff\xfelagt")
    path = tmp_path / "bad.mrc"
    path.write_bytes(bad + bad)
    with pytest.raises(CommandError, match="2 rejected"):
        _command(path)
    path.write_bytes(bad + iso(book("God", control="g1")))
    assert "1 created" in _command(path)  # one good record: not a failure


def test_the_import_page_says_not_marc_once(catalogue, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.REOL_IMPORT_IN_BACKGROUND = False
    upload = io.BytesIO(PDF)
    upload.name = "katalog.pdf"
    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-import"), {"file": upload, "holdings": "952"}, follow=True
    )
    page = response.content.decode()
    assert page.count("this is not a MARC file") == 1
    assert "Rejected records" not in page


# --- 7. Adding copies: the form means what it says ---------------------------------------------


def _add(client, record, **data):
    form = {"count": "1", "barcodes": "", "circulation_type": "normal", **data}
    return client.post(reverse("catalog-items-add", args=[record.pk]), form, follow=True)


def test_a_number_that_disagrees_with_the_barcodes_is_refused(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = _add(client, record, count="3", barcodes="N1\nN2", location=catalogue.skon.pk)
    assert "You scanned 2 barcodes but asked for 3 copies" in response.content.decode()
    assert not Item.objects.filter(barcode__in=["N1", "N2"]).exists()

    _add(client, record, count="1", barcodes="N1\nN2", location=catalogue.skon.pk)  # 1: untouched
    assert Item.objects.filter(barcode__in=["N1", "N2"]).count() == 2
    _add(client, record, count="2", barcodes="N3\nN4", location=catalogue.skon.pk)
    assert Item.objects.filter(barcode__in=["N3", "N4"]).count() == 2


def test_the_service_checks_the_number_against_the_barcodes(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, count=2, barcodes=["Z1"])
    assert "count" in caught.value.message_dict


def test_a_school_with_locations_must_choose_one(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    page = client.get(record.get_absolute_url()).content.decode()
    assert re.search(r'<select name="location"[^>]* required', page)

    response = _add(client, record)

    assert "Choose the location (shelf) the copies go on." in response.content.decode()
    assert Item.objects.filter(record=record).count() == 3


def test_a_school_without_locations_is_not_asked_for_one(catalogue, record):
    far = catalogue.far_school
    far_record = services.create_record(SYSTEM, far.municipality, book("Fjern"))
    response = _add(signed_in(catalogue.far_librarian), far_record, count="2")
    assert "Copies added" in response.content.decode()
    assert Item.objects.filter(record=far_record, location=None).count() == 2


def test_the_status_list_starts_with_a_blank_choice(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    page = client.get(record.get_absolute_url()).content.decode()
    select = re.search(r'<select id="status-\d+" name="status" required>(.*?)</select>', page)
    assert select is not None
    first = re.search(r"<option[^>]*>[^<]*</option>", select.group(1))
    assert first is not None and first.group(0) == '<option value="" selected>— choose —</option>'

    a100 = Item.objects.get(barcode="A100")
    response = client.post(reverse("catalog-item-status", args=[a100.pk]), {"status": ""})
    assert Item.objects.get(pk=a100.pk).status == "available"
    # The page comes back with the error at the copy's own status field.
    assert response.status_code == 400
    assert f'id="status-{a100.pk}-error"' in response.content.decode()


# --- 8. Barcodes are unique ignoring case -------------------------------------------------------


def test_a_barcode_differing_only_in_case_is_refused(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["a100"])
    assert "A100" in caught.value.message_dict["barcodes"][0]
    with pytest.raises(ValidationError):  # within what was scanned, too
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["Q1", "q1"])


def test_the_database_refuses_a_barcode_differing_only_in_case(catalogue, record):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(record=record, school=catalogue.world.school_a, barcode="a101")


def test_an_import_treats_a_barcode_in_other_case_as_the_same(catalogue, record):
    data = iso(book("Tyv", control="t1", holdings=[{"p": "a100"}, {"p": "T2"}]))
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert report.created == 1 and report.copies_created == 1 and report.copies_rejected == 1
    assert "barcode already belongs to a copy of record" in report.errors[0].reason


def test_the_desk_finds_a_copy_whatever_the_case(catalogue, record):
    from reol.circulation.selectors import item_by_barcode

    found = item_by_barcode("a100")
    assert found is not None and found.barcode == "A100"


def test_unusable_barcodes_are_refused(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["ÆØÅ1", "a b"])
    assert "ÆØÅ1" in caught.value.message_dict["barcodes"][0]


# --- 9. The search outbox is written in one statement -------------------------------------------


def test_queue_for_search_writes_each_record_once_in_one_go(
    catalogue, record, django_assert_max_num_queries
):
    before = SearchOutbox.objects.count()
    with django_assert_max_num_queries(2):  # SQLite: one INSERT; PostgreSQL: ids, then COPY
        services.queue_for_search([record.pk] * 3 + list(range(10_000, 10_500)))
    assert SearchOutbox.objects.count() - before == 501
    assert SearchOutbox.objects.filter(record_id=record.pk).count() >= 1


# --- 7. A school's own barcode format -----------------------------------------------------------


def test_a_school_sets_its_barcode_prefix_and_digits(catalogue, record):
    w = catalogue.world
    services.set_barcode_format(w.librarian_a, w.school_a, prefix="NORD", digits=6)

    here = services.add_items(w.librarian_a, record, w.school_a, count=2, location=catalogue.skon)
    there = services.add_items(SYSTEM, record, w.school_b, count=1)

    assert [i.barcode for i in here] == ["NORD000001", "NORD000002"]
    assert [i.barcode for i in there] == ["R00000003"]  # one sequence, each school's look
    event = AuditEvent.objects.get(action="barcode_format.save")
    assert event.details == {"before": {"prefix": "R", "digits": 8}, "prefix": "NORD", "digits": 6}
    page = signed_in(w.librarian_a).get(record.get_absolute_url()).content.decode()
    assert "leave empty to have barcodes made (like NORD000001)." in page


@pytest.mark.parametrize(("prefix", "digits"), [("NØRD", 6), ("A B", 6), ("N", 3), ("N", 13)])
def test_a_barcode_format_that_labels_cannot_carry_is_refused(catalogue, prefix, digits):
    with pytest.raises(ValidationError):
        services.set_barcode_format(SYSTEM, catalogue.world.school_a, prefix=prefix, digits=digits)


def test_only_who_manages_the_school_sets_its_barcode_format(catalogue):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_barcode_format(catalogue.world.teacher_a, catalogue.world.school_a, prefix="X")
    with pytest.raises(PermissionDenied):
        services.set_barcode_format(
            catalogue.world.librarian_b, catalogue.world.school_a, prefix="X"
        )


def test_the_barcode_format_command(catalogue):
    out = io.StringIO()
    call_command("barcode-format", "--school", "nord", stdout=out)
    assert "look like R00000001." in out.getvalue()
    call_command(
        "barcode-format", "--school", "nord", "--prefix", "NS", "--digits", "5", stdout=out
    )
    assert "look like NS00001." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("barcode-format", "--school", "nord", "--prefix", "N-S")


def test_the_barcode_format_page(catalogue):
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-barcode-format")
    assert "<code>R00000001</code>" in client.get(url).content.decode()

    response = client.post(url, {"barcode_prefix": "NØRD", "digits": "6"})
    assert response.context["form"].errors["barcode_prefix"] == [
        "A prefix may have only the letters A–Z and digits."
    ]

    response = client.post(url, {"barcode_prefix": "NORD", "digits": "6"}, follow=True)
    assert "New copies&#x27; barcodes will look like NORD000001." in response.content.decode()
    assert signed_in(catalogue.world.teacher_a).get(url).status_code == 403
