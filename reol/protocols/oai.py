"""OAI-PMH 2.0 data provider at ``/oai/<municipality>/``.

The six verbs over the municipality's published records, in ``oai_dc`` and ``marc21``
(MARCXML with our holdings in 852). Sets: ``school:<code>`` (records with copies there) and
``type:<material type>``. Datestamps are the record's last change at seconds granularity (a
copy added or withdrawn changes the record's datestamp too). A merged record, or one whose
every copy at the published schools (at the set's school) is withdrawn, is reported as deleted,
and stays so: records are never removed, so ``deletedRecord`` is ``persistent``.

Lists page by record id (keyset), so a resumption token (signed, never expiring) keeps its
place whatever changes meanwhile: a record changed during a harvest is either still ahead of
the token (and sent once) or behind it (and sent by the next incremental harvest, its datestamp
being newer). No patron data is read here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core import signing
from django.db.models import Min, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reol.catalog.models import MaterialType, Record, RecordIsbn
from reol.core.models import Municipality, School

from . import records as serialise
from .selectors import Holdings, holdings, in_schools, published_schools

PAGE = 500
_CHUNK = 64 * 1024
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
FORMATS = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
    ),
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", serialise.MARC_NS),
}
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
_SALT = "reol.oai.resumption"


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Repository:
    municipality: Municipality
    schools: list[School]
    base_url: str

    def identifier(self, pk: int) -> str:
        return f"oai:{namespace()}:{self.municipality.code}:{pk}"

    def record_id(self, identifier: str) -> int:
        prefix = f"oai:{namespace()}:{self.municipality.code}:"
        if identifier.startswith(prefix) and identifier[len(prefix) :].isdigit():
            return int(identifier[len(prefix) :])
        raise OaiError("idDoesNotExist", f"No record {identifier!r} in this repository.")


def namespace() -> str:
    return str(getattr(settings, "REOL_OAI_NAMESPACE", "") or "reol")


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: str, *, end: bool) -> dt.datetime:
    """A ``from``/``until`` argument: a day or a second (UTC); ``until`` includes its whole
    day or second."""
    try:
        if len(value) == 10:
            day = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return day + dt.timedelta(days=1) if end else day
        if len(value) == 20 and value.endswith("Z"):
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return moment + dt.timedelta(seconds=1) if end else moment
    except ValueError:
        pass
    raise OaiError("badArgument", f"{value!r} is not a date in the form {GRANULARITY}.")


# --- The request --------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def endpoint(request: HttpRequest, municipality: str) -> HttpResponse | StreamingHttpResponse:
    found = Municipality.objects.filter(code=municipality).first()
    args = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    if found is None:
        return _response(base_url, {}, error=("badArgument", "No such repository."))
    repo = Repository(found, published_schools(found, "oai"), base_url)
    shown = {k: args.get(k, "") for k in args}
    try:
        verb, params = _check(args)
        parts = _VERB_BODIES[verb](repo, params)
        first = next(parts, "")  # a verb checks everything before its first part
        body = itertools.chain([first], parts)
    except OaiError as error:
        known = shown if error.code not in ("badVerb", "badArgument") else {}
        return _response(base_url, known, error=(error.code, error.message))
    return _response(base_url, shown, body=body)


def _check(args: Any) -> tuple[str, dict[str, str]]:
    verb = args.get("verb", "")
    if verb not in VERBS or len(args.getlist("verb")) != 1:
        raise OaiError("badVerb", "Missing, repeated or unknown verb.")
    required, optional = VERBS[verb]
    params = {}
    for key in args:
        if key == "verb":
            continue
        if len(args.getlist(key)) != 1:
            raise OaiError("badArgument", f"The argument {key} is repeated.")
        params[key] = args[key]
    allowed = required | optional
    if "resumptionToken" in params and verb.startswith("List") and verb != "ListMetadataFormats":
        if set(params) != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, params
    if unknown := set(params) - allowed:
        raise OaiError("badArgument", f"Illegal argument(s): {', '.join(sorted(unknown))}.")
    if missing := required - set(params):
        raise OaiError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")
    return verb, params


def _response(
    base_url: str,
    args: dict[str, str],
    *,
    body: Iterator[str] | None = None,
    error: tuple[str, str] | None = None,
) -> HttpResponse | StreamingHttpResponse:
    attrs = "".join(f' {k}="{serialise._x(v)}"' for k, v in sorted(args.items()))

    def document() -> Iterator[bytes]:
        yield (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
            'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{stamp(timezone.now())}</responseDate>"
            f"<request{attrs}>{serialise._x(base_url)}</request>"
        ).encode()
        if error:
            yield f'<error code="{error[0]}">{serialise._x(error[1])}</error>'.encode()
        else:
            # Sent in chunks of about 64 kB, not a write to the socket a record: through gunicorn
            # a harvest of 391,000 records went from 1,900 to 6,800 records a second.
            parts: list[str] = []
            size = 0
            for part in body or ():
                parts.append(part)
                size += len(part)
                if size >= _CHUNK:
                    yield "".join(parts).encode()
                    parts, size = [], 0
            if parts:
                yield "".join(parts).encode()
        yield b"</OAI-PMH>\n"

    if error:
        return HttpResponse(b"".join(document()), content_type="text/xml; charset=utf-8")
    return StreamingHttpResponse(document(), content_type="text/xml; charset=utf-8")


# --- The verbs -----------------------------------------------------------------------------


def _identify(repo: Repository, _params: dict[str, str]) -> Iterator[str]:
    earliest = (
        Record.objects.filter(municipality=repo.municipality).aggregate(first=Min("updated_at"))[
            "first"
        ]
        or timezone.now()
    )
    admin = getattr(settings, "REOL_OAI_ADMIN_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    yield (
        "<Identify>"
        f"<repositoryName>{serialise._x(repo.municipality.name)}</repositoryName>"
        f"<baseURL>{serialise._x(repo.base_url)}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{serialise._x(admin)}</adminEmail>"
        f"<earliestDatestamp>{stamp(earliest)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        f"<granularity>{GRANULARITY}</granularity>"
        '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
        'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
        "<scheme>oai</scheme>"
        f"<repositoryIdentifier>{serialise._x(namespace())}</repositoryIdentifier>"
        "<delimiter>:</delimiter>"
        f"<sampleIdentifier>{serialise._x(repo.identifier(1))}</sampleIdentifier>"
        "</oai-identifier></description>"
        "</Identify>"
    )


def _list_metadata_formats(repo: Repository, params: dict[str, str]) -> Iterator[str]:
    if "identifier" in params:
        _record_or_error(repo, repo.record_id(params["identifier"]))
    yield "<ListMetadataFormats>"
    for prefix, (schema, ns) in FORMATS.items():
        yield (
            f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix>"
            f"<schema>{schema}</schema><metadataNamespace>{ns}</metadataNamespace>"
            "</metadataFormat>"
        )
    yield "</ListMetadataFormats>"


def _list_sets(repo: Repository, params: dict[str, str]) -> Iterator[str]:
    if "resumptionToken" in params:
        raise OaiError("badResumptionToken", "ListSets is never split.")
    yield "<ListSets>"
    for school in repo.schools:
        yield (
            f"<set><setSpec>school:{serialise._x(school.code)}</setSpec>"
            f"<setName>{serialise._x(school.name)}</setName></set>"
        )
    for value, label in MaterialType.choices:
        yield (
            f"<set><setSpec>type:{value}</setSpec><setName>{serialise._x(label)}</setName></set>"
        )
    yield "</ListSets>"


def _get_record(repo: Repository, params: dict[str, str]) -> Iterator[str]:
    prefix = _prefix(params["metadataPrefix"])
    row = _record_or_error(repo, repo.record_id(params["identifier"]))
    page = _Page(repo, [row], repo.schools, prefix)
    yield "<GetRecord>"
    yield page.record(row, prefix)
    yield "</GetRecord>"


def _list(repo: Repository, params: dict[str, str], *, full: bool) -> Iterator[str]:
    state = _state(params)
    prefix = _prefix(state["m"])
    schools = repo.schools
    records = _records(repo, state)
    if state.get("s", "").startswith("school:"):
        schools = [s for s in schools if s.code == state["s"][7:]]
    after = records.filter(pk__gt=state.get("a", 0))
    fields = _LIST_FIELDS[prefix] if full else _HEADER_FIELDS
    rows = list(after.order_by("pk").annotate(**_MARC_TEXT).values(*fields)[:PAGE])
    if not rows:
        if state.get("a"):  # a token past the end: an empty, final page is not an error
            raise OaiError("badResumptionToken", "This resumption token is used up.")
        raise OaiError("noRecordsMatch", "No records match the request.")
    verb = "ListRecords" if full else "ListIdentifiers"
    page = _Page(repo, rows, schools, prefix if full else "")
    yield f"<{verb}>"
    for row in rows:
        yield page.record(row, prefix) if full else page.header(row)
    cursor = int(state.get("c", 0))
    more = records.filter(pk__gt=rows[-1]["id"]).exists() if len(rows) == PAGE else False
    if more:
        token = signing.dumps(
            {**state, "a": rows[-1]["id"], "c": cursor + len(rows)}, salt=_SALT, compress=True
        )
        yield f'<resumptionToken cursor="{cursor}">{token}</resumptionToken>'
    elif cursor:
        yield f'<resumptionToken cursor="{cursor}" completeListSize="{cursor + len(rows)}"/>'
    yield f"</{verb}>"


_VERB_BODIES = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda repo, params: _list(repo, params, full=False),
    "ListRecords": lambda repo, params: _list(repo, params, full=True),
}


# --- Helpers -------------------------------------------------------------------------------

# The stored MARC is read as its JSON text (``marc_text``), decoded with orjson and checked
# once for anything XML must escape (``records.is_clean``), as SRU does (the CPU time this saves
# is small beside writing the XML: ``bench/README.md``, Protocols).
_MARC_TEXT = {"marc_text": Cast("marc", TextField())}
_FIELDS = (*(c for c in serialise.COLUMNS if c != "marc"), "marc_text")
# A list reads only what its format writes: the Dublin Core columns' JSON (contributors,
# subjects, languages) decoded for a marc21 harvest were a sixth of its time.
_HEADER_FIELDS = ("id", "updated_at", "merged_into_id", "material_type")
_LIST_FIELDS = {
    "marc21": (*_HEADER_FIELDS, "marc_text"),
    "oai_dc": tuple(c for c in _FIELDS if c != "marc_text"),
}


def _prefix(value: str) -> str:
    if value not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"No metadata format {value!r}.")
    return value


def _state(params: dict[str, str]) -> dict[str, Any]:
    state: dict[str, Any]
    if "resumptionToken" in params:
        try:
            state = signing.loads(params["resumptionToken"], salt=_SALT)
        except signing.BadSignature:
            raise OaiError("badResumptionToken", "The resumption token is not valid.") from None
        if not isinstance(state, dict) or "m" not in state:
            raise OaiError("badResumptionToken", "The resumption token is not valid.")
        return state
    state = {"m": params["metadataPrefix"]}
    for key, short in (("from", "f"), ("until", "u"), ("set", "s")):
        if key in params:
            state[short] = params[key]
    if "f" in state and "u" in state and len(state["f"]) != len(state["u"]):
        raise OaiError("badArgument", "from and until must have the same granularity.")
    for key in ("f", "u"):
        if key in state:
            parse_stamp(state[key], end=key == "u")
    return state


def _records(repo: Repository, state: dict[str, Any]) -> QuerySet[Record]:
    records = Record.objects.filter(municipality=repo.municipality)
    spec = state.get("s", "")
    if spec.startswith("school:"):
        school = next((s for s in repo.schools if s.code == spec[7:]), None)
        if school is None:
            raise OaiError("badArgument", f"No set {spec!r}.")
        records = records.filter(in_schools([school]))
    elif spec.startswith("type:"):
        if spec[5:] not in MaterialType.values:
            raise OaiError("badArgument", f"No set {spec!r}.")
        records = records.filter(in_schools(repo.schools), material_type=spec[5:])
    elif spec:
        raise OaiError("badArgument", f"No set {spec!r}.")
    else:
        records = records.filter(in_schools(repo.schools))
    if "f" in state:
        records = records.filter(updated_at__gte=parse_stamp(state["f"], end=False))
    if "u" in state:
        records = records.filter(updated_at__lt=parse_stamp(state["u"], end=True))
    return records


def _record_or_error(repo: Repository, pk: int) -> dict[str, Any]:
    row = (
        Record.objects.filter(Q(pk=pk), in_schools(repo.schools), municipality=repo.municipality)
        .annotate(**_MARC_TEXT)
        .values(*_FIELDS)
        .first()
    )
    if row is None:
        raise OaiError("idDoesNotExist", "No such record in this repository.")
    return row


class _Page:
    """One page of records with what their serialisation needs, read in two queries."""

    def __init__(
        self, repo: Repository, rows: list[dict[str, Any]], schools: list[School], prefix: str
    ):
        self.repo = repo
        ids = [row["id"] for row in rows]
        self.holdings: dict[int, Holdings] = holdings(ids, schools)
        self.isbns: dict[int, list[str]] = {}
        if prefix == "oai_dc":  # MARC carries its own ISBNs
            for record_id, isbn in RecordIsbn.objects.filter(record_id__in=ids).values_list(
                "record_id", "isbn13"
            ):
                self.isbns.setdefault(record_id, []).append(isbn)
        self.school_codes = {s.code for s in repo.schools}

    def deleted(self, row: dict[str, Any]) -> bool:
        held = self.holdings.get(row["id"])
        return row["merged_into_id"] is not None or held is None or not held.live

    def header(self, row: dict[str, Any]) -> str:
        status = ' status="deleted"' if self.deleted(row) else ""
        specs = [f"school:{code}" for code in self.holdings.get(row["id"], Holdings()).schools]
        if row["material_type"]:
            specs.append(f"type:{row['material_type']}")
        sets = "".join(f"<setSpec>{serialise._x(s)}</setSpec>" for s in specs)
        return (
            f"<header{status}><identifier>{self.repo.identifier(row['id'])}</identifier>"
            f"<datestamp>{stamp(row['updated_at'])}</datestamp>{sets}</header>"
        )

    def record(self, row: dict[str, Any], prefix: str) -> str:
        if self.deleted(row):
            return f"<record>{self.header(row)}</record>"
        if prefix == "marc21":
            text = row["marc_text"]
            metadata = serialise.marcxml(
                orjson.loads(text), self.holdings.get(row["id"]), clean=serialise.is_clean(text)
            )
        else:
            row = {**row, "isbns": self.isbns.get(row["id"], [])}
            metadata = serialise.dublin_core(
                row, "oai_dc:dc", FORMATS["oai_dc"][1], FORMATS["oai_dc"][0]
            )
        return f"<record>{self.header(row)}<metadata>{metadata}</metadata></record>"
