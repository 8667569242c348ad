"""Editing a record: the MARC editor's text, and the friendly form that writes into MARC and
keeps every field it does not show."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pymarc import Field, Indicators, Subfield

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.models import Record, RecordIsbn, SearchOutbox
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_B, book, comparable, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(catalogue):
    """A record with more than the form shows: subjects, notes, holdings, odd characters."""
    marc = book(
        "Vulkaner",
        isbn=ISBN_A,
        control="v1",
        author="Bo, Ib",
        extra=[
            Field(
                tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "vulkaner")]
            ),
            Field(tag="521", indicators=Indicators(" ", " "), subfields=[Subfield("a", "LIX 14")]),
            Field(tag="999", indicators=Indicators(" ", " "), subfields=[Subfield("a", "{kode} ")]),
        ],
        holdings=[{"p": "V1", "o": "55 Bo"}],
    )
    marc["245"]["c"] = "Ib Bo ; ill. $ Co"
    marc["245"].add_subfield("b", "og jordskælv", pos=1)
    return services.create_record(SYSTEM, catalogue.world.municipality, marc)


def _text(record: Record) -> str:
    return marcio.to_mnemonic(marcio.from_json(Record.objects.get(pk=record.pk).marc))


# --- the MARC editor --------------------------------------------------------------------------


def test_marc_page_shows_the_record_as_text(catalogue, rich):
    response = signed_in(catalogue.world.librarian_a).get(
        reverse("catalog-record-marc", args=[rich.pk])
    )
    assert response.status_code == 200
    text = response.context["form"]["marc"].value()
    assert "=245  10$aVulkaner$bog jordskælv$cIb Bo ; ill. {dollar} Co" in text
    assert "=001  v1" in text


def test_saving_the_text_unchanged_changes_nothing(catalogue, rich):
    before = comparable(marcio.from_json(rich.marc))
    text = _text(rich).replace("\n", "\r\n")  # as a browser sends a textarea

    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-record-marc", args=[rich.pk]), {"marc": text}
    )

    assert response.status_code == 302
    after = marcio.from_json(Record.objects.get(pk=rich.pk).marc)
    assert comparable(after) == before
    assert after["999"]["a"] == "{kode} "  # the trailing space of the last line too


def test_spaces_at_the_ends_of_the_text_are_kept(catalogue):
    marc = book("Mellemrum", control="s1")
    marc.add_field(
        Field(tag="999", indicators=Indicators(" ", " "), subfields=[Subfield("a", "slut  ")])
    )
    rec = services.create_record(SYSTEM, catalogue.world.municipality, marc)

    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-record-marc", args=[rec.pk]), {"marc": _text(rec) + "\r\n"}
    )

    assert response.status_code == 302
    assert marcio.from_json(Record.objects.get(pk=rec.pk).marc)["999"]["a"] == "slut  "


def test_edited_text_is_saved_and_the_columns_follow(catalogue, rich):
    text = _text(rich).replace("$aVulkaner", "$aVulkaner og bjerge")
    text = text.replace(f"=020  \\\\$a{ISBN_A}", f"=020  \\\\$a{ISBN_B}")
    text += "\n=500  \\\\$aNote med {dollar}-tegn"
    outbox = SearchOutbox.objects.count()

    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-record-marc", args=[rich.pk]), {"marc": text}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog-record", args=[rich.pk])
    saved = Record.objects.get(pk=rich.pk)
    assert saved.title == "Vulkaner og bjerge"
    assert marcio.from_json(saved.marc)["500"]["a"] == "Note med $-tegn"
    assert list(RecordIsbn.objects.filter(record=saved).values_list("isbn13", flat=True)) == [
        ISBN_B
    ]
    assert marcio.from_json(saved.marc)["952"]["p"] == "V1"
    assert SearchOutbox.objects.count() == outbox + 1
    assert AuditEvent.objects.filter(action="record.update", object_id=str(rich.pk)).exists()


@pytest.mark.parametrize(
    ("tag", "change", "message"),
    [
        ("=650", lambda line: line[1:], "expected “=TAG  …”"),
        ("=521", lambda line: line.replace("$a", ""), "two indicators"),
        ("=264", lambda line: line.replace("=264", "=2%4"), "not a MARC tag"),
        ("=264", lambda line: line + "$", "empty subfield code"),
    ],
)
def test_a_malformed_line_is_named_and_nothing_changes(catalogue, rich, tag, change, message):
    before = Record.objects.get(pk=rich.pk).marc
    lines = _text(rich).split("\n")
    number = next(n for n, line in enumerate(lines) if line.startswith(tag))
    lines[number] = change(lines[number])
    text = "\n".join(lines)

    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-record-marc", args=[rich.pk]), {"marc": text}
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["marc"])
    assert errors.startswith(f"line {number + 1}:") and message in errors
    assert Record.objects.get(pk=rich.pk).marc == before
    assert response.context["form"]["marc"].value() == text  # the text is kept to mend


def test_a_record_without_a_title_field_is_refused(catalogue, rich):
    before = Record.objects.get(pk=rich.pk).marc
    text = "\n".join(x for x in _text(rich).split("\n") if not x.startswith("=245"))
    response = signed_in(catalogue.world.librarian_a).post(
        reverse("catalog-record-marc", args=[rich.pk]), {"marc": text}
    )
    assert "needs a title field (245)" in " ".join(response.context["form"].errors["marc"])
    assert Record.objects.get(pk=rich.pk).marc == before


def test_a_teacher_sees_the_marc_but_cannot_save_it(catalogue, rich):
    client = signed_in(catalogue.world.teacher_a)
    page = client.get(reverse("catalog-record-marc", args=[rich.pk]))
    assert page.status_code == 200 and b"<textarea" not in page.content
    response = client.post(
        reverse("catalog-record-marc", args=[rich.pk]), {"marc": "=LDR  x\n=245  00$aHacked"}
    )
    assert response.status_code == 403
    assert Record.objects.get(pk=rich.pk).title == "Vulkaner"


# --- the friendly form ------------------------------------------------------------------------


def _form_data(client, record: Record, **changes: object) -> dict[str, object]:
    page = client.get(reverse("catalog-record-edit", args=[record.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return {k: "" if v is None else v for k, v in data.items()}


def test_friendly_form_writes_into_marc_and_keeps_every_other_field(catalogue, rich):
    client = signed_in(catalogue.world.librarian_a)
    before = marcio.from_json(rich.marc)
    data = _form_data(
        client,
        rich,
        title="Vulkaner i Norden",
        summary="Om vulkaner på Island.",
        year="2024",
        age_min="9",
        age_max="12",
    )

    response = client.post(reverse("catalog-record-edit", args=[rich.pk]), data)

    assert response.status_code == 302, response.context["form"].errors
    saved = Record.objects.get(pk=rich.pk)
    after = marcio.from_json(saved.marc)
    assert after["245"]["a"] == "Vulkaner i Norden"
    assert after["245"]["b"] == "og jordskælv" and after["245"]["c"] == "Ib Bo ; ill. $ Co"
    assert after["520"]["a"] == "Om vulkaner på Island."
    assert (saved.title, saved.year, saved.age_min, saved.age_max) == (
        "Vulkaner i Norden",
        2024,
        9,
        12,
    )
    assert saved.summary.startswith("Om vulkaner på Island")
    untouched = {"001", "003", "008", "020", "100", "650", "521", "999", "952"}
    for tag in untouched:
        assert [str(f) for f in after.get_fields(tag)] == [str(f) for f in before.get_fields(tag)]
    assert [f.tag for f in after.fields if f.tag in untouched] == [
        f.tag for f in before.fields if f.tag in untouched
    ]


def test_friendly_form_clears_a_subfield_that_is_emptied(catalogue, rich):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-edit", args=[rich.pk]), _form_data(client, rich, subtitle="")
    )
    assert response.status_code == 302
    after = marcio.from_json(Record.objects.get(pk=rich.pk).marc)
    assert after["245"].get("b") is None and after["245"]["a"] == "Vulkaner"


def test_friendly_form_refuses_ages_in_the_wrong_order(catalogue, rich):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-edit", args=[rich.pk]),
        _form_data(client, rich, age_min="12", age_max="9"),
    )
    assert response.status_code == 200 and "age_max" in response.context["form"].errors
    assert Record.objects.get(pk=rich.pk).age_min is None
