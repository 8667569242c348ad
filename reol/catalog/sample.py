"""A synthetic school-library catalogue: realistic MARC21 records, the same every time.

``records(n, seed=..., start=...)`` yields pymarc Records for a Danish, Norwegian or English
school library: children's and young-adult books (fiction and non-fiction), e-books,
audiobooks, films, board games and devices. Each record has 15–30 fields: leader, 001/003,
005, 008 (with audience and language), 020 (valid ISBN-13s, some typed with hyphens or as
ISBN-10), 041, 082, 652 (DK5), 100/700 with relators, 245/246/250/264/300/336/337/338, 490,
520, sometimes a 521 reading level ("LIX 12") or age range, subjects, 856 for e-resources, and
1–3 Koha-style 952 holdings (barcode $p unique over the whole catalogue, shelf mark $o,
location $c, price $g, acquired $d).

Record number ``k`` is the same record whatever ``n`` and ``start`` are (each record has its
own random generator, seeded from ``seed`` and ``k``), so ``records(10, start=5)`` is the tail
of ``records(15)``. Benchmarks (``bench/dataset.py``), tests and the demo use it. It needs
pymarc and python-stdnum, not Django settings.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymarc import Field, Indicators, Record, Subfield
from stdnum import ean
from stdnum import isbn as stdisbn

from .sample_words import (
    AUDIENCES,
    DEVICES,
    FICTION_SUBJECTS,
    FILMS,
    FORMATS,
    GAMES,
    GENRES,
    KINDS,
    LANGS,
    LOCATION_CODES,
    SUBTITLES,
    TOPICS,
)

__all__ = [
    "DEFAULT_SEED",
    "LOCATION_CODES",
    "make_isbn13",
    "record",
    "records",
    "write_iso2709",
    "write_marcxml",
]

DEFAULT_SEED = 2026


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    roll, total = rng.randrange(sum(w for _k, w in pairs)), 0
    for key, weight in pairs:
        total += weight
        if roll < total:
            return key
    return pairs[-1][0]


_LANG_WEIGHTS = [(code, int(v["weight"])) for code, v in LANGS.items()]


def make_isbn13(serial: int, group: str) -> str:
    """The ISBN-13 number ``serial`` of a language's registration group (978-87 Danish, 978-82
    Norwegian, 978-1 English): scattered over the group, but distinct for distinct serials (up
    to 10 million in a two-digit group), so no two records share an ISBN by chance."""
    width = 9 - len(group)
    scattered = serial * 7_654_321 % 10**width  # odd, not a multiple of 5: one-to-one
    body = f"978{group}{scattered:0{width}d}"
    return body + ean.calc_check_digit(body)


def _typed(rng: random.Random, isbn13: str, lang: str) -> str:
    """How a cataloguer typed it: mostly plain, some hyphenated or as ISBN-10 with a binding."""
    roll = rng.random()
    if roll < 0.7:
        return isbn13
    if roll < 0.85:
        return stdisbn.format(isbn13)
    binding = {"dan": "indb.", "nob": "innb.", "eng": "hardback"}[lang]
    return f"{stdisbn.to_isbn10(isbn13)} ({binding})"


def _sf(*pairs: str) -> list[Subfield]:
    return [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]


RELATOR_CODES = {
    "author": "aut",
    "illustrator": "ill",
    "translator": "trl",
    "narrator": "nrt",
    "director": "drt",
    "designer": "dsr",
}


def _df(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=_sf(*pairs))


def _person(rng: random.Random, v: dict) -> tuple[str, str]:
    """(inverted name "Last, First", direct name "First Last")."""
    first, last = rng.choice(v["first"]), rng.choice(v["last"])
    return f"{last}, {first}", f"{first} {last}"


@dataclass
class _Draw:
    """What the first draws decide about record ``number``; every later step reads it and goes
    on drawing from the same generator, in the same order, so the record stays the same."""

    number: int
    rng: random.Random
    kind: str
    lang: str
    v: dict[str, Any]
    audience: str
    age_lo: int
    age_hi: int
    year: int
    entered: dt.date
    changed: dt.date
    topic: tuple[str, str, str, str, str]
    topic_word: str
    translated: bool


@dataclass
class _Names:
    """Who made the record's item and what it is called (100/245), for the later fields."""

    main_inverted: str
    has_author: bool
    title: str
    others: list[tuple[str, str]]


def record(number: int, seed: int = DEFAULT_SEED) -> Record:
    """Record number ``number`` of the synthetic catalogue ``seed`` (always the same record)."""
    rng = random.Random(seed * 1_000_003 + number)  # noqa: S311 - test data, not secrets
    d = _draw(number, rng)
    leader6, leader7, content, location, itype = FORMATS[d.kind]
    fields = _control_fields(d)
    codes, dk5 = _numbers_and_codes(d)
    fields += codes
    described, names = _people_and_title(d)
    fields += described
    fields += _publication(d, names.title, content)
    fields += _notes(d)
    fields += _subjects_and_links(d, names, dk5)
    fields += _holdings(d, names, dk5, location, itype)
    fields = _fit(fields)
    fields.sort(key=lambda f: f.tag)  # stable: repeated tags keep their order
    leader = f"00000n{leader6}{leader7} a2200000 i 4500"
    result = Record(to_unicode=True, force_utf8=True, leader=leader)
    result.fields = fields
    return result


def _draw(number: int, rng: random.Random) -> _Draw:
    kind = _weighted(rng, KINDS)
    lang = _weighted(rng, _LANG_WEIGHTS)
    audience, age_lo, age_hi = rng.choice(AUDIENCES)
    if kind == "easy":
        audience, age_lo, age_hi = "b", 6, 9
    year = rng.randrange(1985, 2026) if rng.random() < 0.3 else rng.randrange(2010, 2026)
    entered = dt.date(max(year, 2000), 1, 1) + dt.timedelta(days=rng.randrange(365))
    changed = entered + dt.timedelta(days=rng.randrange(3000))
    topic = rng.choice(TOPICS)
    topic_word = topic[{"dan": 0, "nob": 1, "eng": 2}[lang]]
    translated = lang != "eng" and kind in ("fiction", "audiobook") and rng.random() < 0.25
    return _Draw(
        number,
        rng,
        kind,
        lang,
        LANGS[lang],
        audience,
        age_lo,
        age_hi,
        year,
        entered,
        changed,
        topic,
        topic_word,
        translated,
    )


def _control_fields(d: _Draw) -> list[Field]:
    """001, 003, 005, 007 and the 008 of the record's kind of material."""
    rng, kind, audience = d.rng, d.kind, d.audience
    fields = [Field(tag="001", data=str(20_000_000 + d.number))]
    fields.append(Field(tag="003", data=str(d.v["source"])))
    clock = f"{rng.randrange(7, 17):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}"
    fields.append(Field(tag="005", data=f"{d.changed:%Y%m%d}{clock}.0"))
    if kind == "ebook":
        fields.append(Field(tag="007", data="cr |n ||||||||"))
    elif kind == "film":
        fields.append(Field(tag="007", data="vd cvaizq"))
    elif kind == "audiobook":
        fields.append(Field(tag="007", data="sd fsngnnmmned"))
    literary = "1" if kind in ("fiction", "easy") else "0"
    if kind in ("film", "boardgame", "device"):  # visual materials
        running = f"{rng.randrange(60, 130):03d}" if kind == "film" else "nnn"
        visual = "vl" if kind == "film" else "gn"  # 008/33 type, /34 technique
        middle = f"{running} {audience}          {visual}"
    elif kind == "audiobook":  # sound recordings
        middle = f"nnnn{audience}       {'f ' if literary == '1' else '  '} n "
    else:  # books
        illustrated = "a   " if rng.random() < 0.6 else "    "
        form = "o" if kind == "ebook" else " "
        middle = f"{illustrated}{audience}{form}     000 {literary} "
    assert len(middle) == 17, middle
    f008 = f"{d.entered:%y%m%d}s{d.year}    {d.v['country']}{middle}{d.lang} d"
    fields.append(Field(tag="008", data=f008))
    return fields


def _numbers_and_codes(d: _Draw) -> tuple[list[Field], str]:
    """020 ISBNs, 024 EAN, 041 languages and 082 DDC; and the DK5 number for 652 and shelving."""
    rng, kind, lang, v = d.rng, d.kind, d.lang, d.v
    fields: list[Field] = []
    isbns: list[str] = []
    if kind in ("fiction", "nonfiction", "easy", "ebook", "audiobook"):
        isbns.append(make_isbn13(d.number * 2, str(v["isbn_group"])))
        if kind in ("fiction", "nonfiction") and rng.random() < 0.2:
            isbns.append(make_isbn13(d.number * 2 + 1, str(v["isbn_group"])))  # the paperback
    for i, isbn13 in enumerate(isbns):
        qualifier = ("hæftet" if lang == "dan" else "paperback") if i else ""
        pairs = ["a", _typed(rng, isbn13, lang)] + (["q", qualifier] if qualifier else [])
        fields.append(_df("020", "  ", *pairs))
    if kind in ("film", "boardgame", "device"):
        ean13 = "57" + "".join(str(rng.randrange(10)) for _ in range(10))
        fields.append(_df("024", "3 ", "a", ean13 + ean.calc_check_digit(ean13)))
    if d.translated:
        original = rng.choice(["eng", "swe", "ger", "fre"])
        fields.append(_df("041", "1 ", "a", lang, "h", original))
    else:
        fields.append(_df("041", "0 ", "a", lang))
    if kind == "nonfiction" or (kind == "ebook" and rng.random() < 0.5):
        ddc, dk5 = d.topic[4], d.topic[3]
    elif kind == "film":
        ddc, dk5 = "791.4372", "77.7"
    elif kind == "boardgame":
        ddc, dk5 = "794", "79.41"
    elif kind == "device":
        ddc, dk5 = "004.16", "68.3"
    else:
        ddc, dk5 = "839.8136" if lang == "dan" else "839.8238" if lang == "nob" else "823.92", "sk"
    fields.append(_df("082", "04", "a", ddc, "2", "23"))
    return fields, dk5


def _people_and_title(d: _Draw) -> tuple[list[Field], _Names]:
    """100 main entry, 240 original title of a translation, 245 title and statement."""
    rng, kind, v = d.rng, d.kind, d.v
    fields: list[Field] = []
    main_inverted, main_direct = _person(rng, v)
    relators = v["relators"]
    has_author = kind not in ("film", "boardgame", "device")
    if has_author:
        fields.append(_df("100", "1 ", "a", main_inverted, "e", relators["author"], "4", "aut"))
    title = _title(rng, v, kind, d.topic_word, d.lang)
    subtitle = ""
    if rng.random() < 0.3:
        subtitle = rng.choice(SUBTITLES[d.lang])
    if d.translated:
        original_title = _title(rng, LANGS["eng"], kind, d.topic[2], "eng")
        fields.append(_df("240", "10", "a", original_title))
    statement = main_direct if has_author else ""
    others: list[tuple[str, str]] = []
    if kind in ("fiction", "easy", "nonfiction") and rng.random() < 0.5:
        others.append((_person(rng, v)[0], "illustrator"))
    if d.translated:
        others.append((_person(rng, v)[0], "translator"))
    if kind == "audiobook":
        others.append((_person(rng, v)[0], "narrator"))
    if kind == "film":
        others.append((main_inverted, "director"))
        statement = f"{relators['director']}: {main_direct}"
    if kind == "boardgame":
        others.append((main_inverted, "designer"))
    pairs = ["a", title + (" :" if subtitle else " /" if statement else "")]
    if subtitle:
        pairs += ["b", subtitle + (" /" if statement else "")]
    if statement:
        pairs += ["c", statement]
    fields.append(_df("245", "10" if has_author else "00", *pairs))
    return fields, _Names(main_inverted, has_author, title, others)


def _publication(d: _Draw, title: str, content: tuple[str, ...] | None) -> list[Field]:
    """246 variant title, 250 edition, 264 imprint, 300 extent, 336–338 and 490 series."""
    rng, kind, v = d.rng, d.kind, d.v
    fields: list[Field] = []
    if rng.random() < 0.12:
        fields.append(_df("246", "30", "a", title.split(" ", 1)[-1]))
    if rng.random() < 0.2:
        fields.append(_df("250", "  ", "a", str(v["edition"]).format(n=rng.randrange(2, 6))))
    publisher = rng.choice(v["publishers"])
    fields.append(
        _df(
            "264",
            " 1",
            "a",
            rng.choice(v["places"]) + " :",
            "b",
            publisher + ",",
            "c",
            f"[{d.year}]",
        )
    )
    fields.append(_df("300", "  ", *_extent(rng, kind, d.lang, v)))
    if content is None:
        content = (v["content"][0], "txt", v["content"][1], "n", v["content"][2], "nc")
    fields.append(_df("336", "  ", "a", content[0], "b", content[1], "2", "rdacontent"))
    fields.append(_df("337", "  ", "a", content[2], "b", content[3], "2", "rdamedia"))
    fields.append(_df("338", "  ", "a", content[4], "b", content[5], "2", "rdacarrier"))
    if kind in ("fiction", "easy", "nonfiction") and rng.random() < 0.3:
        fields.append(
            _df("490", "0 ", "a", rng.choice(v["series"]), "v", str(rng.randrange(1, 30)))
        )
    return fields


def _notes(d: _Draw) -> list[Field]:
    """520 summary and, for some books, a 521 reading level or age range."""
    rng, kind, v = d.rng, d.kind, d.v
    if kind in ("nonfiction", "ebook", "device"):
        start, about, end = rng.choice(v["fact_start"]), d.topic_word, rng.choice(v["fact_end"])
    else:
        start, about, end = (
            rng.choice(v["story_start"]),
            rng.choice(v["heroes"]),
            rng.choice(v["story_end"]),
        )
    joiner = ". " if end[0].isupper() else ", "
    fields = [_df("520", "  ", "a", f"{start} {about}{joiner}{end}")]
    if kind in ("fiction", "easy", "nonfiction") and rng.random() < 0.45:
        roll = rng.random()
        if roll < 0.5:
            note = f"LIX {rng.randrange(5, 12) if kind == 'easy' else rng.randrange(10, 35)}"
        elif roll < 0.8:
            note = str(v["age_range"]).format(a=d.age_lo, b=d.age_hi)
        else:
            note = str(v["age"]).format(a=d.age_lo)
        fields.append(_df("521", "  ", "a", note))
    return fields


def _subjects_and_links(d: _Draw, names: _Names, dk5: str) -> list[Field]:
    """Subjects, 700 added entries, a 600 biography, 856 for e-resources and the 652 DK5."""
    rng, kind, lang = d.rng, d.kind, d.lang
    fiction_like = kind in ("fiction", "easy", "audiobook")
    fields = _subjects(rng, kind, lang, d.topic_word, fiction_like)
    relators = d.v["relators"]
    for name, role in names.others:  # the term in the record's language, and the relator code
        fields.append(_df("700", "1 ", "a", name, "e", relators[role], "4", RELATOR_CODES[role]))
    if kind in ("fiction", "nonfiction", "easy") and rng.random() < 0.1:
        fields.append(_df("600", "10", "a", _person(rng, d.v)[0], "v", "biografi"))
    if kind in ("ebook", "audiobook") and (kind == "ebook" or rng.random() < 0.4):
        host = (
            "ereolen.dk" if lang == "dan" else "bibliofil.no" if lang == "nob" else "overdrive.com"
        )
        url = f"https://{host}/ting/object/{20_000_000 + d.number}"
        fields.append(_df("856", "40", "u", url, "z", "Adgang for skolens elever"))
    main = names.main_inverted if names.has_author else names.title
    fields.append(_df("652", "  ", "m", dk5, "a", main))
    return fields


def _holdings(d: _Draw, names: _Names, dk5: str, location: str, itype: str) -> list[Field]:
    """952: 1–3 copies, one barcode per (record, copy) over the whole catalogue."""
    rng = d.rng
    word = names.main_inverted.split(",")[0] if names.has_author else names.title.split()[0]
    fields = []
    for copy in range(rng.choice((1, 1, 1, 2, 2, 3))):
        acquired = dt.date(max(d.year, 2000), 1, 1) + dt.timedelta(days=rng.randrange(365 * 2))
        holding = {
            "a": "BENCH",
            "b": "BENCH",
            "c": location if rng.random() < 0.95 else "mag",
            "d": acquired.isoformat(),
            "g": f"{rng.randrange(49, 400)}.{rng.choice(('00', '50', '95'))}",
            "o": f"{dk5} {word[:4]}",
            "p": str(5_000_000_000 + d.number * 3 + copy),
            "y": itype,
        }
        fields.append(_df("952", "  ", *(x for pair in holding.items() for x in pair)))
    return fields


def _title(rng: random.Random, v: dict, kind: str, topic: str, lang: str) -> str:
    if kind in ("nonfiction", "ebook") and rng.random() < 0.7:
        return str(rng.choice(v["nonfiction"])).format(topic=topic)
    if kind == "boardgame":
        return rng.choice(GAMES)
    if kind == "device":
        return rng.choice(DEVICES)
    if kind == "film" and rng.random() < 0.5:
        return rng.choice(FILMS)
    noun = rng.choice(v["nouns"])
    noun2 = noun.removeprefix("the ") if lang == "eng" else noun
    text = str(rng.choice(v["patterns"])).format(
        hero=rng.choice(v["heroes"]), noun=noun, noun2=noun2, adj=rng.choice(v["adjs"])
    )
    return text[0].upper() + text[1:]


def _extent(rng: random.Random, kind: str, lang: str, v: dict) -> list[str]:
    if kind == "film":
        return ["a", f"1 dvd-video ({rng.randrange(60, 130)} min.)", "b", "farver"]
    if kind == "audiobook":
        hours = rng.randrange(1, 12)
        return ["a", f"{hours} cd (ca. {hours} t., {rng.randrange(60)} min.)"]
    if kind == "boardgame":
        return ["a", "1 spil (1 spilleplade, 48 kort, 4 brikker)", "c", "30 x 30 cm"]
    if kind == "device":
        return ["a", "1 enhed", "b", "oplader, etui"]
    if kind == "ebook":
        return ["a", str(v["online"])]
    pages = rng.randrange(24, 60) if kind == "easy" else rng.randrange(60, 480)
    pairs = ["a", str(v["pages"]).format(n=pages)]
    if rng.random() < 0.6:
        pairs += ["b", str(v["ill"])]
    return [*pairs, "c", f"{rng.choice((19, 21, 22, 24, 28))} cm"]


def _subjects(
    rng: random.Random, kind: str, lang: str, topic: str, fiction_like: bool
) -> list[Field]:
    thesaurus = "lcsh" if lang == "eng" else "DBC" if lang == "dan" else "noubomn"
    ind2 = "0" if lang == "eng" else "7"
    fields = []
    if fiction_like:
        fields.append(_df("655", " 7", "a", rng.choice(GENRES[lang]), "2", thesaurus))
        for word in rng.sample(FICTION_SUBJECTS[lang], rng.randrange(1, 4)):
            pairs = ["a", word] + (["2", thesaurus] if ind2 == "7" else [])
            fields.append(_df("650", f" {ind2}", *pairs))
    else:
        pairs = ["a", topic] + (["v", "Juvenile literature"] if lang == "eng" else [])
        fields.append(_df("650", f" {ind2}", *pairs, *(["2", thesaurus] if ind2 == "7" else [])))
        if rng.random() < 0.5:
            fields.append(_df("650", f" {ind2}", "a", rng.choice(FICTION_SUBJECTS[lang])))
    if kind == "film":
        fields.append(_df("655", " 7", "a", "film", "2", thesaurus))
    return fields


_OPTIONAL = ("600", "246", "250", "490", "521", "700", "650")


def _fit(fields: list[Field]) -> list[Field]:
    """At most 30 fields: drop optional ones from the end; at least 15 (all kinds have more)."""
    for tag in _OPTIONAL:
        while len(fields) > 30 and any(f.tag == tag for f in fields):
            last = max(i for i, f in enumerate(fields) if f.tag == tag)
            del fields[last]
    return fields


def records(n: int, seed: int = DEFAULT_SEED, start: int = 1) -> Iterator[Record]:
    """Records ``start`` … ``start + n - 1`` of the synthetic catalogue ``seed``."""
    for number in range(start, start + n):
        yield record(number, seed)


def write_iso2709(path: str | Path, n: int, seed: int = DEFAULT_SEED, start: int = 1) -> int:
    """Write ``n`` records as ISO 2709 (UTF-8); returns the number written."""
    with open(path, "wb") as out:
        for rec in records(n, seed, start):
            out.write(rec.as_marc21())
    return n


def write_marcxml(path: str | Path, n: int, seed: int = DEFAULT_SEED, start: int = 1) -> int:
    """Write ``n`` records as a MARCXML collection, one record per line; returns the number."""
    from pymarc import record_to_xml

    with open(path, "wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
        for rec in records(n, seed, start):
            out.write(record_to_xml(rec) + b"\n")
        out.write(b"</collection>\n")
    return n
