"""Contributors' names as catalogued: ISBD's trailing punctuation goes, an initial's full stop
stays ("Rowling, J. K.")."""

from __future__ import annotations

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from reol.catalog.extract import extract


def _names(*fields: tuple[str, list[tuple[str, str]]]) -> list[str]:
    record = pymarc.Record()
    record.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", "En bog")])
    )
    for tag, subfields in fields:
        record.add_field(
            Field(
                tag=tag,
                indicators=Indicators("1", " "),
                subfields=[Subfield(code, value) for code, value in subfields],
            )
        )
    return [c["name"] for c in extract(record).columns["contributors"]]


@pytest.mark.parametrize(
    ("subfields", "name"),
    [
        ([("a", "Rowling, J. K.,"), ("e", "author.")], "Rowling, J. K."),
        ([("a", "Rowling, J. K.")], "Rowling, J. K."),
        ([("a", "Rowling, J.K.")], "Rowling, J.K."),
        ([("a", "Jensen, Johannes V.,"), ("d", "1873-1950.")], "Jensen, Johannes V."),
        ([("a", "Andersen, H. C."), ("d", "1805-1875")], "Andersen, H. C."),
        ([("a", "Davis, Sammy,"), ("c", "Jr.")], "Davis, Sammy, Jr."),
        # ISBD's full stop after a whole name goes, as before
        ([("a", "Lindgren, Astrid."), ("e", "author.")], "Lindgren, Astrid"),
        ([("a", "Reuter, Bjarne,"), ("d", "1950-")], "Reuter, Bjarne"),
        ([("a", "Christian IV,"), ("c", "King of Denmark.")], "Christian IV, King of Denmark"),
    ],
)
def test_an_initial_keeps_its_full_stop(subfields, name) -> None:  # type: ignore[no-untyped-def]
    assert _names(("100", subfields)) == [name]
    assert _names(("700", subfields)) == [name]
