"""A report's description is in the reader's language, whichever language was active when the
reports were registered (they once showed Danish to an English reader: "Loans by month —
Elevers udlån og forskellige lånere, Måned.")."""

from __future__ import annotations

from django.utils import translation

from reol.reports import framework


def _descriptions() -> dict[str, str]:
    return {str(r.title): str(r.description) for r in framework.reports()}


def test_every_report_describes_itself_in_the_readers_language():
    with translation.override("en"):
        english = _descriptions()
    with translation.override("da"):
        danish = _descriptions()
    with translation.override("nb"):
        norwegian = _descriptions()
    assert english["Loans by month"] == "Students' loans and distinct borrowers, Month."
    assert "Elevers udlån" in danish["Udlån pr. måned"]
    assert any("ulike lånere" in text or "utlån" in text for text in norwegian.values())
    for texts, others in ((english, danish), (danish, english)):
        assert not set(texts.values()) & {t for t in others.values() if "%" not in t and t}
