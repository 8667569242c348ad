"""MARC in and out without a database: the editor's mnemonic text, ISBNs, what each format can
hold. Properties are checked on generated records (hypothesis) and on every real record."""

from __future__ import annotations

import io
import string

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield
from stdnum import ean
from stdnum import isbn as stdisbn

from reol.catalog import marc as marcio
from reol.catalog.extract import normalize_isbn

from .helpers import ISBN_A, ISBN_B, ISBN_B10, book, comparable, read, shared_marc_files

# --- The editor's text form -------------------------------------------------------------------

# Any text a cataloguer or another system may put in a field, including the characters the
# mnemonic form gives a meaning to ($, \, {, }) and Unicode line separators.
values = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from("$\\{}|=\n\r\t\u2028\u2029\x85 "),
    ),
    max_size=25,
)
codes = st.sampled_from(string.ascii_lowercase + string.digits)
indicators = st.sampled_from(" 0123456789")
leaders = st.text(alphabet=string.ascii_lowercase + string.digits + " ", min_size=24, max_size=24)
control_fields = st.builds(
    lambda tag, data: Field(tag=tag, data=data),
    st.sampled_from(["001", "003", "005", "007", "008"]),
    values,
)
data_fields = st.builds(
    lambda tag, i1, i2, subs: Field(
        tag=tag, indicators=Indicators(i1, i2), subfields=[Subfield(c, v) for c, v in subs]
    ),
    st.integers(10, 999).map(lambda n: f"{n:03d}"),
    indicators,
    indicators,
    st.lists(st.tuples(codes, values), min_size=1, max_size=4),
)


@st.composite
def records(draw: st.DrawFn) -> pymarc.Record:
    record = pymarc.Record(to_unicode=True, force_utf8=True, leader=draw(leaders))
    for f in draw(st.lists(control_fields, max_size=3)):
        record.add_field(f)
    record.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", draw(values))])
    )
    for f in draw(st.lists(data_fields, max_size=5)):
        record.add_field(f)
    return record


def exact(record: pymarc.Record) -> tuple[object, ...]:
    return (
        str(record.leader),
        tuple(
            (f.tag, f.data)
            if f.is_control_field()
            else (f.tag, f.indicator1, f.indicator2, tuple((s.code, s.value) for s in f.subfields))
            for f in record.fields
        ),
    )


@settings(max_examples=300, deadline=None)
@given(records())
def test_mnemonic_text_round_trips_any_record(record):
    text = marcio.to_mnemonic(record)
    assert exact(marcio.from_mnemonic(text)) == exact(record)


@settings(max_examples=100, deadline=None)
@given(records())
def test_mnemonic_text_survives_a_browser(record):
    """A textarea sends CRLF line ends and may lose a final line break."""
    text = marcio.to_mnemonic(record).replace("\n", "\r\n") + "\r\n"
    assert exact(marcio.from_mnemonic(text)) == exact(record)


def test_mnemonic_text_is_readable():
    record = book("Pippi Långstrømpe $ co", control="p 1", isbn=ISBN_A)
    text = marcio.to_mnemonic(record)
    assert "=001  p\\1" in text
    assert "=245  10$aPippi Långstrømpe {dollar} co$cJensen, Carsten" in text
    assert text.splitlines()[0] == f"=LDR  {record.leader}"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("=LDR  00000nam a2200000 a 4500\n245  10$aNo equals sign", 2, "expected"),
        ("=LDR  00000nam a2200000 a 4500\n=245 10$aOne space", 2, "expected"),
        ("=LDR  00000nam a2200000 a 4500\n=24%  10$aBad tag", 2, "not a MARC tag"),
        ("=LDR  00000nam a2200000 a 4500\n=245  1$aOne indicator", 2, "two indicators"),
        ("=LDR  00000nam a2200000 a 4500\n=245  10$aTitle$\n=100  1\\$aX", 2, "empty subfield"),
        ("=LDR  00000nam a2200000 a 4500\n=100  1\\$aNo title", None, "245"),
    ],
)
def test_malformed_mnemonic_names_the_line(text, line, words):
    with pytest.raises(marcio.MnemonicError) as caught:
        marcio.from_mnemonic(text)
    message = str(caught.value)
    assert words in message
    if line is not None:
        assert message.startswith(f"line {line}:")


@pytest.mark.skipif(not shared_marc_files(), reason="the shared MARC test data is absent")
@pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning")
def test_every_real_record_survives_the_editor_unchanged():
    checked = 0
    for path in shared_marc_files():
        for result in read(path.read_bytes()):
            if result.record is None or not result.record.get_fields("245"):
                continue
            text = marcio.to_mnemonic(result.record)
            again = marcio.from_mnemonic(text)
            assert exact(again) == exact(result.record), (path.name, result.position)
            checked += 1
    assert checked > 3000


# --- ISBN -------------------------------------------------------------------------------------

isbn13s = st.builds(
    lambda prefix, body: prefix + body + ean.calc_check_digit(prefix + body),
    st.sampled_from(["978", "979"]),
    st.text(alphabet=string.digits, min_size=9, max_size=9),
)


@given(isbn13s, st.sampled_from(["", "-", " "]))
def test_isbn13_normalises_however_it_is_typed(isbn, separator):
    typed = separator.join([isbn[:3], isbn[3:5], isbn[5:9], isbn[9:12], isbn[12]])
    assert normalize_isbn(typed) == isbn
    assert normalize_isbn(f"  {typed} (hbk.)") == isbn


@given(isbn13s.filter(lambda i: i.startswith("978")))
def test_isbn10_and_isbn13_are_the_same_book(isbn):
    isbn10 = stdisbn.to_isbn10(isbn)
    assert normalize_isbn(isbn10) == isbn
    assert normalize_isbn(isbn10.lower()) == isbn  # a check digit X typed small
    assert normalize_isbn(stdisbn.format(isbn10)) == isbn


@given(isbn13s, st.integers(1, 9))
def test_a_wrong_check_digit_is_refused(isbn, delta):
    wrong = isbn[:-1] + str((int(isbn[-1]) + delta) % 10)
    assert normalize_isbn(wrong) is None


@pytest.mark.parametrize("typed", ["", "   ", "abc", "978870228429", "97887022842999", "hej 978"])
def test_what_is_not_an_isbn_is_refused(typed):
    assert normalize_isbn(typed) is None


def test_known_isbns():
    assert normalize_isbn(ISBN_B10) == ISBN_B
    assert normalize_isbn("978-87-02-28429-4") == ISBN_A


# --- What each format can hold ----------------------------------------------------------------


def test_marcxml_export_is_well_formed_even_with_control_characters():
    record = book("Bell\x07 and\x1b escape\r\nand a CR", control="c1")
    record.add_field(
        Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", "x\x00y")])
    )
    data = b"<collection>" + marcio.as_marcxml(record) + b"</collection>"
    (result,) = read(data)
    assert result.record is not None, result.error
    assert result.record["245"]["a"] == "Bell\ufffd and\ufffd escape\r\nand a CR"
    assert result.record["500"]["a"] == "x\ufffdy"


def test_iso2709_refuses_a_record_it_cannot_hold():
    record = book("Lang", control="l1")
    record.add_field(
        Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "x" * 10_000)])
    )
    with pytest.raises(marcio.CannotWrite, match="too long for ISO 2709"):
        marcio.as_iso2709(record)
    (back,) = read(b"<collection>" + marcio.as_marcxml(record) + b"</collection>")
    assert back.record is not None and len(back.record["505"]["a"]) == 10_000


def test_iso2709_written_is_read_back_identically():
    record = book("Æblet falder", control="a1", isbn=ISBN_A, holdings=[{"p": "X1", "o": "86 Jen"}])
    (back,) = read(marcio.as_iso2709(record))
    assert back.record is not None and back.warnings == []
    assert comparable(back.record) == comparable(record)


def test_leader_and_indicators_that_are_not_ascii_are_blanked_with_a_warning():
    data = (
        '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00733cam\u00a0a2200265\u00a0'
        'a\u00a04500</leader><datafield tag="245" ind1="\u00a0" ind2="10">'
        '<subfield code="a">Upper Canada</subfield></datafield></record>'
    ).encode()
    (result,) = read(data)
    assert str(result.record.leader) == "00733cam a2200265 a 4500"
    assert result.record["245"].indicators == Indicators(" ", " ")
    assert len(result.warnings) == 3
    assert len(marcio.as_iso2709(result.record)) == int(marcio.as_iso2709(result.record)[:5])


def test_detects_the_format_by_its_first_bytes():
    assert marcio.detect_format(b"\xef\xbb\xbf  <?xml version='1.0'?>") == "marcxml"
    assert marcio.detect_format(b"00714cam a2200205 a 4500") == "iso2709"
    assert [r.record is not None for r in marcio.read_records(io.BytesIO(b""), "iso2709")] == [
        False
    ]
