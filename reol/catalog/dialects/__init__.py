"""The national MARC dialects of Danish and Norwegian catalogues, read as MARC21.

Danish school libraries get their records from DBC in **danMARC2**; Norwegian ones often still
hold **NORMARC** (Norway's format before it moved to MARC21 in 2020). Both look like MARC21 to
pymarc and are not: in danMARC2 100 *a is the surname and *h the forename, 245 *c the subtitle,
the ISBN is in 021, the year and language in 008's *subfields*, the material type in 009; in
NORMARC a name's $j is a nationality, roles are abbreviations in $e and 019 $b gives the
material type. Read as MARC21 they give wrong titles, names and years.

``normalise()`` is the one place that knows: the MARC reader (``marc.read_records`` and
``marc.record_from_element``, so also SRU) calls it on every record, and from there on the
importer, the extraction, the stored MARC, the editor, the export and the search index see
MARC21 only. A MARC21 record costs one look at its first fields (well under a microsecond) and
is returned as it came.

Nothing is lost: a field (or subfield) that has no MARC21 place is kept, as it was catalogued,
in an 887 (MARC21's "Non-MARC Information Field": $a the field in the dialect's line form,
$2 the dialect), so a librarian exporting gets a valid MARC21 record that still carries
everything the national record had.
"""

from __future__ import annotations

import pymarc

from . import danmarc2, normarc
from .common import SUBFIELD

MARC21, DANMARC2, NORMARC = "marc21", "danmarc2", "normarc"
NO_WARNINGS: tuple[str, ...] = ()


def detect(record: pymarc.Record) -> str:
    """The dialect of one record, from its first fields only (cheap enough for every record).

    danMARC2: a control field (001–009) carries subfields ("00\\x1fa29147353\\x1fb870970").
    NORMARC: a 019 with material codes ($b, $d, or a letter code in $a); MARC21 knows 019 only
    as OCLC's list of merged record numbers, digits in $a.
    """
    for f in record.fields:
        tag = f.tag
        if tag > "019":
            break
        if f.control_field:
            if SUBFIELD in (f.data or ""):
                return DANMARC2
        elif tag == "019":
            for s in f.subfields:
                if s.code in "bd" or (s.code == "a" and not s.value.strip().isdigit()):
                    return NORMARC
    return MARC21


def normalise(record: pymarc.Record) -> tuple[pymarc.Record, str, tuple[str, ...]]:
    """(the record as MARC21, the dialect it was read in, warnings about it)."""
    dialect = detect(record)
    if dialect == MARC21:
        return record, MARC21, NO_WARNINGS
    if dialect == DANMARC2:
        converted, warnings = danmarc2.convert(record)
    else:
        converted, warnings = normarc.convert(record)
    return converted, dialect, tuple(warnings)
