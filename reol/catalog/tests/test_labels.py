"""Spine and barcode labels: a PDF with the right number of pages, skip positions that work,
custom sheets checked for fit, and the labels page that prints today's new copies."""

from __future__ import annotations

import base64
import re
import zlib

import pytest
from django.urls import reverse

from reol.catalog import labels, services
from reol.catalog.forms import LabelsForm
from reol.catalog.models import LabelRun
from reol.core.permissions import SYSTEM

from .helpers import signed_in

PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pages(pdf: bytes) -> int:
    """Pages of a PDF: its page objects (reportlab writes object dictionaries uncompressed,
    only the page contents are compressed)."""
    assert pdf.startswith(b"%PDF-")
    return len(PAGE.findall(pdf))


def _labels(n: int) -> list[labels.Label]:
    return [
        labels.Label(f"R{i:08d}", f"86.{i} Jen", f"Bog nummer {i}", "Nordskolen")
        for i in range(1, n + 1)
    ]


def test_page_count_is_found_in_the_pdf():
    """The counter itself: reportlab's own page count agrees with it."""
    pdf = labels.render(_labels(22), labels.PRESETS["a4-3x7"])
    assert pages(pdf) == 2
    assert b"/Count 2" in pdf


@pytest.mark.parametrize(
    ("layout", "n", "expected"),
    [
        ("a4-3x7", 1, 1),
        ("a4-3x7", 21, 1),
        ("a4-3x7", 22, 2),
        ("a4-3x7", 63, 3),
        ("a4-4x10", 40, 1),
        ("a4-4x10", 41, 2),
        ("a4-5x13", 130, 2),
        ("letter-3x10", 31, 2),
    ],
)
@pytest.mark.parametrize("kind", ["spine", "barcode"])
def test_labels_fill_pages_of_the_layout(layout, n, expected, kind):
    pdf = labels.render(_labels(n), labels.PRESETS[layout], kind)
    assert pages(pdf) == expected


@pytest.mark.parametrize(
    ("skip", "n", "expected"), [(0, 21, 1), (1, 21, 2), (20, 1, 1), (21, 1, 2)]
)
def test_skipped_positions_of_a_used_sheet_push_labels_on(skip, n, expected):
    pdf = labels.render(_labels(n), labels.PRESETS["a4-3x7"], skip=skip)
    assert pages(pdf) == expected


def test_skipped_positions_are_left_empty():
    first = labels._cells(labels.PRESETS["a4-3x7"], 0)
    positions = [next(first) for _ in range(5)]
    skipped = labels._cells(labels.PRESETS["a4-3x7"], 4)
    assert next(skipped) == positions[4]


def test_long_text_is_fitted_not_overflowing():
    long = labels.Label("R1", "99.4 " + "Meget-langt-forfatternavn" * 5, "T" * 300, "S" * 200)
    assert pages(labels.render([long], labels.PRESETS["a4-5x13"], "barcode")) == 1
    assert pages(labels.render([long], labels.PRESETS["a4-5x13"], "spine")) == 1


def test_presets_fit_their_page():
    """Measured here by hand, not by the check the presets already passed when the module was
    imported (re-running that check could never fail)."""
    paper_mm = {"A4": (210.0, 297.0), "LETTER": (215.9, 279.4)}
    for key, layout in labels.PRESETS.items():
        width, height = paper_mm[layout.page]
        across = layout.margin_left_mm + layout.columns * layout.label_width_mm
        down = layout.margin_top_mm + layout.rows * layout.label_height_mm
        across += (layout.columns - 1) * layout.gap_x_mm
        down += (layout.rows - 1) * layout.gap_y_mm
        assert across <= width + 0.2 and down <= height + 0.2, key


def test_a_sheet_that_does_not_fit_its_page_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        labels.LabelLayout("too wide", 3, 7, 70.0, 38.1, 7.2, 15.1, 2.5, 0)
    with pytest.raises(ValueError, match="do not fit"):
        labels.LabelLayout("too tall", 3, 7, 63.5, 42.0, 7.2, 15.1, 2.5, 0)


# --- the form's own sheet ---------------------------------------------------------------------

CUSTOM = {
    "selection": "today",
    "kind": "spine",
    "layout": "custom",
    "columns": "2",
    "rows": "5",
    "label_width_mm": "90",
    "label_height_mm": "50",
    "margin_left_mm": "10",
    "margin_top_mm": "10",
    "gap_x_mm": "5",
    "gap_y_mm": "2",
}


def test_custom_sheet_that_fits_is_accepted(catalogue):
    form = LabelsForm(CUSTOM, school=catalogue.world.school_a)
    assert form.is_valid(), form.errors
    sheet = form.cleaned_data["sheet"]
    assert (sheet.columns, sheet.rows, sheet.label_width_mm, sheet.gap_y_mm) == (2, 5, 90, 2)
    assert pages(labels.render(_labels(11), sheet)) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"columns": "3"},  # 10 + 3 × 90 + 2 × 5 = 290 mm > 210 mm
        {"rows": "6", "label_height_mm": "48"},  # 10 + 6 × 48 + 5 × 2 = 308 mm > 297 mm
        {"margin_left_mm": "30", "label_width_mm": "95"},
    ],
)
def test_custom_sheet_that_does_not_fit_is_refused(catalogue, change):
    form = LabelsForm({**CUSTOM, **change}, school=catalogue.world.school_a)
    assert not form.is_valid()
    assert "do not fit" in " ".join(form.non_field_errors())


def test_custom_sheet_needs_its_measures(catalogue):
    form = LabelsForm({**CUSTOM, "rows": "", "label_width_mm": ""}, school=catalogue.world.school_a)
    assert not form.is_valid()
    assert set(form.errors) >= {"rows", "label_width_mm"}


@pytest.mark.parametrize(("name", "value"), [("columns", "0"), ("rows", "41"), ("skip", "-1")])
def test_custom_sheet_refuses_numbers_out_of_range(catalogue, name, value):
    form = LabelsForm({**CUSTOM, name: value}, school=catalogue.world.school_a)
    assert not form.is_valid() and name in form.errors


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "Europe/Copenhagen"])
def test_labels_page_prints_copies_added_today(catalogue, record, settings, zone):
    """ "Today" is the school's day, whatever the time of day in UTC (UTC+14 and UTC-12 are on
    different dates from UTC for half of every day)."""
    settings.TIME_ZONE = zone
    services.add_items(SYSTEM, record, catalogue.world.school_a, count=20)  # 22 at school A
    client = signed_in(catalogue.world.librarian_a)

    response = client.post(
        reverse("catalog-labels"),
        {"selection": "today", "kind": "spine", "layout": "a4-3x7", "skip": "0"},
    )

    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "application/pdf"
    assert pages(response.content) == 2  # 22 copies of school A; B100 is school B's


@pytest.mark.django_db
def test_labels_page_prints_the_barcodes_asked_for(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-labels"),
        {
            "selection": "barcodes",
            "barcodes": "A100\na101",
            "kind": "barcode",
            "layout": "a4-5x13",
            "skip": "64",
        },
    )
    assert response["Content-Type"] == "application/pdf"
    assert pages(response.content) == 2  # position 65 is the last of page 1, then page 2


@pytest.mark.django_db
def test_labels_page_refuses_another_schools_copies(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-labels"),
        {"selection": "barcodes", "barcodes": "A100\nB100", "kind": "spine", "layout": "a4-3x7"},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Not copies of this school: B100" in response.content.decode()


@pytest.mark.django_db
def test_labels_page_says_when_nothing_matches(catalogue):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-labels"), {"selection": "today", "kind": "spine", "layout": "a4-3x7"}
    )
    assert "No copies match that choice." in response.content.decode()


@pytest.mark.django_db
def test_labels_page_is_for_cataloguers(catalogue):
    client = signed_in(catalogue.world.teacher_a)
    assert client.get(reverse("catalog-labels")).status_code == 403


@pytest.mark.parametrize(
    ("shelf_mark", "spine"),
    [("[Fic] Gaim", "Fic Gaim"), ("[E]", "E"), ("86.1 [Jen]", "86.1 Jen"), ("sk Jen", "sk Jen")],
)
def test_a_spine_shows_the_shelf_mark_without_marcs_brackets(shelf_mark, spine):
    assert labels.spine_text(shelf_mark) == spine


def test_the_spine_label_pdf_has_no_brackets():
    pdf = labels.render(
        [labels.Label("R1", "[Fic] Gaim", "Coraline", "Nordskolen")], labels.PRESETS["a4-3x7"]
    )
    streams = re.findall(rb"/ASCII85Decode /FlateDecode[^>]*>>\s*stream\r?\n(.*?)~>", pdf, re.S)
    text = b"".join(
        zlib.decompress(base64.a85decode(s.strip() + b"~>", adobe=True)) for s in streams
    )
    assert b"(Fic) Tj" in text and b"(Gaim) Tj" in text
    assert b"(\\[Fic\\]) Tj" not in text and b"([Fic]) Tj" not in text


def _many(catalogue, record, n: int) -> dict[str, str]:
    services.add_items(SYSTEM, record, catalogue.world.school_a, count=n)
    return {"selection": "today", "kind": "spine", "layout": "a4-3x7", "skip": "0"}


@pytest.mark.django_db
def test_a_run_of_over_100_labels_says_how_many_asks_first_then_is_queued(
    catalogue, record, django_capture_on_commit_callbacks
):
    form = _many(catalogue, record, 120)  # and the record's two copies at school A: 122
    client = signed_in(catalogue.world.librarian_a)

    asked = client.post(reverse("catalog-labels"), form)

    assert asked["Content-Type"].startswith("text/html")
    page = asked.content.decode()
    assert "This run makes 122 labels on 6 sheet(s)." in page
    assert 'name="confirm" value="122"' in page and "Yes, make 122 labels" in page

    with django_capture_on_commit_callbacks(execute=True):  # the tests' queue runs at once
        made = client.post(reverse("catalog-labels"), {**form, "confirm": "122"})

    run = LabelRun.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse(
        "catalog-label-run", args=[run.pk]
    )
    assert (run.state, run.done, run.count) == (LabelRun.State.DONE, 122, 122)
    assert (
        reverse("catalog-label-run-pdf", args=[run.pk])
        in client.get(made["Location"]).content.decode()
    )
    pdf = b"".join(client.get(reverse("catalog-label-run-pdf", args=[run.pk])).streaming_content)
    assert pages(pdf) == 6
    # a confirmation for another number is no confirmation
    stale = client.post(reverse("catalog-labels"), {**form, "confirm": "100"})
    assert stale["Content-Type"].startswith("text/html")
    assert LabelRun.objects.count() == 1


@pytest.mark.django_db
def test_the_form_tells_how_many_labels_before_the_pdf_is_made(catalogue, record):
    form = _many(catalogue, record, 20)
    client = signed_in(catalogue.world.librarian_a)

    answer = client.post(reverse("catalog-labels"), form, headers={"HX-Request": "true"})

    assert answer["Content-Type"].startswith("text/html")
    assert "This run makes 22 labels on 2 sheet(s)." in answer.content.decode()
