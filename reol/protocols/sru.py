"""SRU server at ``/sru/<municipality>/`` (every published school) and
``/sru/<municipality>/<school>/`` (one school's holdings): SRU 1.1, 1.2 and 2.0, GET and POST.

Operations: explain and searchRetrieve (scan answers diagnostic 4). Records in MARCXML (with
our holdings in 852, as in OAI-PMH) or Dublin Core, packed as XML or as an escaped string.
``maximumRecords=0`` counts only. Searches go through the catalogue's search engine, without
its typo tolerance (a client asks for what it says; see ``cqlsearch``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reol.catalog import search
from reol.catalog.models import Record, RecordIsbn
from reol.core.models import Municipality, School

from . import records as serialise
from . import srusort
from .cqlsearch import Conjunction, Diagnostic, parse_query
from .selectors import in_schools, marc_and_holdings, sru_schools

VERSIONS = ("1.1", "1.2", "2.0")
DEFAULT_MAXIMUM = 10
MAXIMUM = 100
WINDOW = 10_000  # the deepest record a client can page to (the engine's window)
SCHEMAS = {
    "marcxml": "info:srw/schema/1/marcxml-v1.1",
    "marc21": "info:srw/schema/1/marcxml-v1.1",
    "info:srw/schema/1/marcxml-v1.1": "info:srw/schema/1/marcxml-v1.1",
    "info:srw/schema/1/marcxml-v1.2": "info:srw/schema/1/marcxml-v1.1",
    "http://www.loc.gov/marc21/slim": "info:srw/schema/1/marcxml-v1.1",
    "dc": "info:srw/schema/1/dc-v1.1",
    "info:srw/schema/1/dc-v1.1": "info:srw/schema/1/dc-v1.1",
    "http://purl.org/dc/elements/1.1/": "info:srw/schema/1/dc-v1.1",
}
NS_1 = "http://www.loc.gov/zing/srw/"
NS_1_DIAG = "http://www.loc.gov/zing/srw/diagnostic/"
NS_2 = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
NS_2_DIAG = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
KNOWN_PARAMS = {
    "operation",
    "version",
    "query",
    "queryType",
    "startRecord",
    "maximumRecords",
    "recordSchema",
    "recordPacking",
    "recordXMLEscaping",
    "stylesheet",
    "httpAccept",
    "resultSetTTL",
    "sortKeys",
    "recordXPath",
    "scanClause",
    "responsePosition",
    "maximumTerms",
    "extraRequestData",
}


@dataclass
class Database:
    municipality: Municipality
    schools: list[School]  # whose holdings are shown
    school: School | None  # the one school this database is, if any
    all_published: bool


@dataclass
class Request:
    version: str
    operation: str
    args: dict[str, str]
    escaping: str = "xml"  # records as XML, or as an escaped string


def _database(municipality: str, school: str | None) -> Database:
    """The municipality and its schools that publish over SRU (kept per process: every
    request asks)."""
    found = sru_schools(municipality)
    if found is None or not found[1]:
        raise Http404
    every_school = found[1]
    published: list[School] = [s for s, shown in every_school if shown]
    every = len(published) == len(every_school)
    if school is None:
        return Database(found[0], published, None, every)
    chosen = next((s for s in published if s.code == school), None)
    if chosen is None:
        raise Http404
    return Database(found[0], [chosen], chosen, every)


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def endpoint(request: HttpRequest, municipality: str, school: str | None = None) -> HttpResponse:
    database = _database(municipality, school)
    source = request.POST if request.method == "POST" else request.GET
    args = {key: source.get(key, "") for key in source}
    version = args.get("version") or ("1.2" if "operation" in args else "2.0")
    reply_version = version if version in VERSIONS else "1.2"
    operation = args.get("operation") or ("searchRetrieve" if "query" in args else "explain")
    sru = Request(reply_version, operation, args)
    try:
        if version not in VERSIONS:
            raise Diagnostic(5, "1.2", "Unsupported version")
        if operation == "explain":
            body = _explain(request, database, sru)
        elif operation == "searchRetrieve":
            body = _search_retrieve(database, sru)
        elif operation == "scan":
            raise Diagnostic(4, "scan", "Unsupported operation")
        else:
            raise Diagnostic(4, operation, "Unsupported operation")
    except Diagnostic as diagnostic:
        body = _diagnostic_response(sru, diagnostic)
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        content_type="application/xml; charset=utf-8",
    )


# --- searchRetrieve ------------------------------------------------------------------------


def _integer(args: dict[str, str], name: str, default: int) -> int:
    value = args.get(name, "")
    if value == "":
        return default
    if not value.isdigit():
        raise Diagnostic(6, name, "Unsupported parameter value")
    return int(value)


def _options(sru: Request) -> tuple[int, int, str]:
    args = sru.args
    if not args.get("query"):
        raise Diagnostic(7, "query", "Mandatory parameter not supplied")
    if args.get("queryType", "cql") != "cql":
        raise Diagnostic(6, "queryType", "Unsupported parameter value")
    if args.get("recordXPath"):
        raise Diagnostic(72, "recordXPath", "XPath retrieval unsupported")
    start = _integer(args, "startRecord", 1)
    maximum = min(_integer(args, "maximumRecords", DEFAULT_MAXIMUM), MAXIMUM)
    if start < 1:
        raise Diagnostic(6, "startRecord", "Unsupported parameter value")
    schema = SCHEMAS.get(args.get("recordSchema", "marcxml") or "marcxml")
    if schema is None:
        raise Diagnostic(66, args["recordSchema"], "Unknown schema for retrieval")
    if sru.version == "2.0":
        sru.escaping = args.get("recordXMLEscaping", "xml") or "xml"
        if args.get("recordPacking", "packed") not in ("packed", "unpacked", ""):
            raise Diagnostic(6, "recordPacking", "Unsupported parameter value")
    else:
        sru.escaping = args.get("recordPacking", "xml") or "xml"
    if sru.escaping not in ("xml", "string"):
        raise Diagnostic(71, sru.escaping, "Unsupported record packing")
    return start, maximum, schema


def _search_retrieve(database: Database, sru: Request) -> str:
    start, maximum, schema = _options(sru)
    conjunctions, sort_specs = parse_query(sru.args["query"])
    keys = _sort_keys(sru, sort_specs)
    want = start - 1 + maximum
    if want > WINDOW and maximum:
        raise Diagnostic(61, str(start), "First record position out of range")
    if keys and maximum:
        total, ids = _find(database, conjunctions, WINDOW)  # every match, to be put in order
        if total > len(ids):
            raise Diagnostic(83, str(WINDOW), "Too many records to sort")
        ids = srusort.order(ids, keys)
    else:
        total, ids = _find(database, conjunctions, want)
    if maximum and total and start > total:
        raise Diagnostic(61, str(start), "First record position out of range")
    page_ids = ids[start - 1 : start - 1 + maximum] if maximum else []
    records = _render(database, page_ids, schema, sru) if page_ids else []
    return _search_response(sru, total, start, records, schema)


def _sort_keys(sru: Request, sort_specs: list[Any]) -> list[srusort.SortKey]:
    """The request's sort: CQL's ``sortBy``, or the ``sortKeys`` parameter (not both)."""
    parameter = sru.args.get("sortKeys", "").strip()
    if parameter and sort_specs:
        raise Diagnostic(96, "", "Sort spec included both in query and protocol: error")
    if parameter:
        return srusort.from_sort_keys(parameter, SCHEMAS)
    return srusort.from_cql(sort_specs)


def _find(database: Database, conjunctions: list[Conjunction], want: int) -> tuple[int, list[int]]:
    """How many records match, and the ids of the first ``want`` in order (union of the
    conjunctions: each one's in its relevance order, then the next one's new ones)."""
    seen: dict[int, None] = {}
    total = 0
    for conjunction in conjunctions:
        count, ids = _one(database, conjunction, WINDOW if len(conjunctions) > 1 else want)
        total += count
        for pk in ids:
            seen.setdefault(pk, None)
    if len(conjunctions) > 1 and total <= WINDOW:
        total = len(seen)  # every id of every conjunction was read: the union's exact size
    return total, list(seen)[:want]


def _scoped_records(database: Database) -> Any:
    records = Record.objects.filter(municipality=database.municipality, merged_into__isnull=True)
    if database.school is not None or not database.all_published:
        records = records.filter(in_schools(database.schools))
    return records


def _one(database: Database, conjunction: Conjunction, want: int) -> tuple[int, list[int]]:
    wanted_ids = conjunction.record_ids
    text = conjunction.engine_text()
    if wanted_ids is not None or conjunction.matches_all or not text:
        records = _scoped_records(database).exclude(pk__in=conjunction.excluded_ids)
        if wanted_ids is not None:
            records = records.filter(pk__in=wanted_ids)
        if text:  # rec.id with words: the words must match too
            _, matching = _engine(database, text, WINDOW)
            records = records.filter(pk__in=matching)
        ids = list(records.order_by("pk").values_list("pk", flat=True)[:want])
        return (records.count() if len(ids) == want else len(ids)), ids
    total, ids = _engine(database, text, want)
    excluded = conjunction.excluded_ids
    return total, [pk for pk in ids if pk not in excluded]


def _engine(database: Database, text: str, want: int) -> tuple[int, list[int]]:
    filters: dict[str, list[str]] = {}
    if database.school is None and not database.all_published:
        filters["school"] = [s.code for s in database.schools]
    ids: list[int] = []
    total = 0
    page = 1
    size = max(1, min(want, MAXIMUM))  # a page of 20 asks the engine for 20, not 100
    while True:
        result = search.search(
            search.SearchQuery(
                text=text,
                municipality_id=database.municipality.pk,
                school=database.school.code if database.school else None,
                filters=filters,
                page=page,
                size=size,
                facets=False,
                exact=True,
            ),
            raw=True,  # the ids are all we read: no hit objects made
        )
        total = result.total
        ids += [_hit_id(doc) for doc in result.hits_json]
        if len(ids) >= min(want, total) or not result.hits_json:
            return total, ids[:want]
        page += 1


_LEADING_ID = re.compile(rb'\{"id":(\d+)[,}]')


def _hit_id(doc: bytes) -> int:
    """The record id of a hit's stored JSON, which the engine writes first: read without
    decoding the rest of the document."""
    found = _LEADING_ID.match(doc)
    return int(found.group(1)) if found else int(json.loads(doc)["id"])


def _render(database: Database, ids: list[int], schema: str, sru: Request) -> list[str]:
    if schema.startswith("info:srw/schema/1/marcxml"):
        xmls = _marcxml(database, ids)
    else:
        xmls = _dublin_core(ids)
    return [escape(xml) if sru.escaping == "string" else xml for xml in xmls]


def _marcxml(database: Database, ids: list[int]) -> list[str]:
    """The records in MARCXML, in the order of ``ids``: the MARC read as its stored text, so a
    record whose values need no escaping (most) is checked once, not value by value."""
    texts, held = marc_and_holdings(ids, database.schools)
    out = []
    for pk in ids:
        text = texts.get(pk)
        if text is not None:
            marc = orjson.loads(text)
            out.append(serialise.marcxml(marc, held.get(pk), clean=serialise.is_clean(text)))
    return out


def _dublin_core(ids: list[int]) -> list[str]:
    rows = {row["id"]: row for row in Record.objects.filter(pk__in=ids).values(*serialise.COLUMNS)}
    isbns: dict[int, list[str]] = {}
    for record_id, isbn in RecordIsbn.objects.filter(record_id__in=ids).values_list(
        "record_id", "isbn13"
    ):
        isbns.setdefault(record_id, []).append(isbn)
    return [
        serialise.dublin_core(
            {**rows[pk], "isbns": isbns.get(pk, [])},
            "srw_dc:dc",
            "info:srw/schema/1/dc-schema",
            "http://www.loc.gov/standards/sru/recordSchemas/dc-schema.xsd",
        )
        for pk in ids
        if pk in rows
    ]


# --- Responses -----------------------------------------------------------------------------


def _ns(sru: Request) -> tuple[str, str]:
    return (NS_2, NS_2_DIAG) if sru.version == "2.0" else (NS_1, NS_1_DIAG)


def _echo(sru: Request) -> str:
    if sru.version == "2.0":
        return ""  # SRU 2.0 dropped the echoed request
    parts = [f"<zs:version>{sru.version}</zs:version>"]
    keys = ("query", "startRecord", "maximumRecords", "recordPacking", "recordSchema", "sortKeys")
    for key in keys:
        if sru.args.get(key):
            parts.append(f"<zs:{key}>{escape(sru.args[key])}</zs:{key}>")
    return f"<zs:echoedSearchRetrieveRequest>{''.join(parts)}</zs:echoedSearchRetrieveRequest>"


def _search_response(sru: Request, total: int, start: int, records: list[str], schema: str) -> str:
    ns, _diag = _ns(sru)
    packing_tag = "recordXMLEscaping" if sru.version == "2.0" else "recordPacking"
    parts = [
        f'<zs:searchRetrieveResponse xmlns:zs="{ns}">',
        f"<zs:version>{sru.version}</zs:version>",
        f"<zs:numberOfRecords>{total}</zs:numberOfRecords>",
    ]
    if records:
        parts.append("<zs:records>")
        for position, data in enumerate(records, start=start):
            parts.append(
                f"<zs:record><zs:recordSchema>{schema}</zs:recordSchema>"
                f"<zs:{packing_tag}>{sru.escaping}</zs:{packing_tag}>"
                f"<zs:recordData>{data}</zs:recordData>"
                f"<zs:recordPosition>{position}</zs:recordPosition></zs:record>"
            )
        parts.append("</zs:records>")
        following = start + len(records)
        if following <= total:
            parts.append(f"<zs:nextRecordPosition>{following}</zs:nextRecordPosition>")
    parts.append(_echo(sru))
    parts.append("</zs:searchRetrieveResponse>")
    return "".join(parts)


def _diagnostic_response(sru: Request, diagnostic: Diagnostic) -> str:
    ns, diag_ns = _ns(sru)
    root = "explainResponse" if sru.operation == "explain" else "searchRetrieveResponse"
    details = (
        f"<diag:details>{escape(diagnostic.details)}</diag:details>" if diagnostic.details else ""
    )
    message = (
        f"<diag:message>{escape(diagnostic.message)}</diag:message>" if diagnostic.message else ""
    )
    count = "<zs:numberOfRecords>0</zs:numberOfRecords>" if root != "explainResponse" else ""
    return (
        f'<zs:{root} xmlns:zs="{ns}"><zs:version>{sru.version}</zs:version>{count}'
        f'<zs:diagnostics><diag:diagnostic xmlns:diag="{diag_ns}">'
        f"<diag:uri>info:srw/diagnostic/1/{diagnostic.number}</diag:uri>{details}{message}"
        f"</diag:diagnostic></zs:diagnostics></zs:{root}>"
    )


# --- explain -------------------------------------------------------------------------------

_EXPLAIN_INDEXES = (  # set, name, title, searchable, sortable
    ("cql", "serverChoice", "Anywhere", True, False),
    ("cql", "anywhere", "Anywhere", True, False),
    ("dc", "title", "Title", True, True),
    ("dc", "creator", "Author or other contributor", True, True),
    ("dc", "subject", "Subject", True, False),
    ("dc", "identifier", "ISBN", True, False),
    ("dc", "date", "Year of publication", False, True),
    ("bath", "isbn", "ISBN", True, False),
    ("bath", "issn", "ISSN", True, False),
    ("rec", "id", "Record id", True, False),
)
_SETS = (
    ("cql", "info:srw/cql-context-set/1/cql-v1.2"),
    ("dc", "info:srw/cql-context-set/1/dc-v1.1"),
    ("bath", "http://zing.z3950.org/cql/bath/2.0/"),
    ("rec", "info:srw/cql-context-set/2/rec-1.1"),
    ("sort", "info:srw/cql-context-set/1/sort-v1.0"),
)
# What sortBy's modifiers (and sortKeys) may ask: both directions, case ignored, a record
# without the value highest or lowest (srusort).
_SORT_MODIFIERS = ("ascending", "descending", "ignoreCase", "missingHigh", "missingLow")


def _explain_indexes() -> str:
    sets = "".join(f'<set name="{n}" identifier="{i}"/>' for n, i in _SETS)
    flag = {True: "true", False: "false"}
    indexes = "".join(
        f'<index search="{flag[search]}" scan="false" sort="{flag[sort]}">'
        f'<title>{escape(t)}</title><map><name set="{s}">{n}</name></map></index>'
        for s, n, t, search, sort in _EXPLAIN_INDEXES
    )
    keywords = "".join(f"<sortKeyword>sort.{m}</sortKeyword>" for m in _SORT_MODIFIERS)
    return f"<indexInfo>{sets}{indexes}{keywords}</indexInfo>"


def _explain_config() -> str:
    sort = "".join(f'<supports type="sortModifier">sort.{m}</supports>' for m in _SORT_MODIFIERS)
    return (
        "<configInfo>"
        f'<default type="numberOfRecords">{DEFAULT_MAXIMUM}</default>'
        f'<setting type="maximumRecords">{MAXIMUM}</setting>'
        '<default type="contextSet">cql</default><default type="index">cql.serverChoice</default>'
        '<supports type="relation">=</supports><supports type="relation">==</supports>'
        '<supports type="relation">exact</supports><supports type="relation">any</supports>'
        '<supports type="relation">all</supports><supports type="relation">adj</supports>'
        '<supports type="maskingCharacter">*</supports>'
        f'<supports type="sort"/>{sort}'
        "</configInfo>"
    )


def _explain(request: HttpRequest, database: Database, sru: Request) -> str:
    ns, _diag = _ns(sru)
    host = escape(request.get_host().rsplit(":", 1)[0])
    port = request.get_port()
    path = escape(request.path.strip("/"))
    title = escape(database.school.name if database.school else database.municipality.name)
    record = (
        '<explain xmlns="http://explain.z3950.org/dtd/2.0/">'
        f'<serverInfo protocol="SRU" version="{sru.version}">'
        f"<host>{host}</host><port>{port}</port><database>{path}</database></serverInfo>"
        f"<databaseInfo><title>{title}</title>"
        "<description>The school library catalogue, with holdings per school.</description>"
        "</databaseInfo>"
        f"{_explain_indexes()}"
        "<schemaInfo>"
        '<schema identifier="info:srw/schema/1/marcxml-v1.1" name="marcxml" sort="true" '
        'retrieve="true"><title>MARCXML</title></schema>'
        '<schema identifier="info:srw/schema/1/dc-v1.1" name="dc" sort="true" '
        'retrieve="true"><title>Dublin Core</title></schema>'
        "</schemaInfo>"
        f"{_explain_config()}</explain>"
    )
    packing_tag = "recordXMLEscaping" if sru.version == "2.0" else "recordPacking"
    return (
        f'<zs:explainResponse xmlns:zs="{ns}"><zs:version>{sru.version}</zs:version>'
        "<zs:record><zs:recordSchema>http://explain.z3950.org/dtd/2.0/</zs:recordSchema>"
        f"<zs:{packing_tag}>xml</zs:{packing_tag}><zs:recordData>{record}</zs:recordData>"
        "</zs:record></zs:explainResponse>"
    )
