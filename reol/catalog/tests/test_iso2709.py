"""The fast ISO 2709 reader reads exactly what pymarc reads, and leaves the rest to it: every
shared real file (marc4j's malformed ones too) and a synthetic catalogue give the same records,
warnings and rejections with it and without it."""

from __future__ import annotations

import io

import pytest

from reol.catalog import iso2709, sample
from reol.catalog import marc as marcio

from .helpers import book, comparable, iso, shared_marc_files

pytestmark = pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning")


def _outcome(data: bytes) -> list[tuple[object, ...]]:
    return [
        (
            r.position,
            r.offset,
            r.error,
            tuple(r.warnings),
            comparable(r.record) if r.record is not None else None,
            [type(f.indicators).__name__ for f in r.record.fields] if r.record else None,
        )
        for r in marcio.read_records(io.BytesIO(data), "iso2709")
    ]


def _iso_files() -> list[object]:
    files = [p for p in shared_marc_files() if p.suffix.lower() in (".mrc", ".marc")]
    return [pytest.param(p, id=p.name) for p in files] or [
        pytest.param(None, marks=pytest.mark.skip(reason="the shared MARC test data is absent"))
    ]


def _same_with_and_without_the_fast_reader(monkeypatch, data: bytes) -> None:
    with_it = _outcome(data)
    monkeypatch.setattr(iso2709, "decode_utf8", lambda chunk: None)
    assert with_it == _outcome(data)


@pytest.mark.parametrize("path", _iso_files())
def test_real_files_read_the_same_with_the_fast_reader(monkeypatch, path):
    _same_with_and_without_the_fast_reader(monkeypatch, path.read_bytes())


def test_a_synthetic_catalogue_reads_the_same_and_fast(monkeypatch):
    fast = iso2709.decode_utf8
    assert all(fast(marcio.as_iso2709(r)) is not None for r in map(sample.record, range(20)))
    data = b"".join(marcio.as_iso2709(r) for r in map(sample.record, range(300)))
    _same_with_and_without_the_fast_reader(monkeypatch, data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.replace(b"Saturn", b"Sat\xffrn"),  # not UTF-8
        lambda d: d.replace(b"\x1f", b"", 1),  # a field without its first subfield mark
        lambda d: d.replace(b"10\x1fa", b"1\x1fa", 1),  # one indicator
        lambda d: d[:9] + b" " + d[10:],  # says MARC-8
        lambda d: d.replace(b"\x1fc", b"\x1f\xc3\xa6", 1),  # danMARC2's æ as a code
    ],
)
def test_what_the_fast_reader_is_not_sure_of_goes_to_pymarc(monkeypatch, damage):
    data = damage(iso(book("Rejsen til Saturn", control="f1", isbn="9788702284294")))
    assert data != iso(book("Rejsen til Saturn", control="f1", isbn="9788702284294"))
    assert iso2709.decode_utf8(data) is None
    _same_with_and_without_the_fast_reader(monkeypatch, data)
