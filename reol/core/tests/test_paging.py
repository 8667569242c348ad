"""One convention for every list of the REST API: ``page``/``size`` in, ``{"count", "items"}``
out, ``from``/``to`` for dates, and a clear 422 for anything else (``reol.core.paging``).

``assert_pages`` is the check each app's API tests run on each of its paged lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.utils import timezone

from reol.core.models import AuditEvent, User
from reol.core.paging import MAX_SIZE, DateRange, PageParams, Pagination, Shaped
from reol.core.permissions import visible_people

pytestmark = pytest.mark.django_db

# Lists short by nature, answered whole: a person's own roles, a municipality's schools, one
# school's shelves; and the search box's suggestions (a handful, by design).
UNPAGED_LISTS = {
    "/api/v1/schools",
    "/api/v1/schools/{code}/locations",
    "/api/v1/autocomplete",
    "/api/v1/reports",  # the registry of reports
}
# The search API pages with the same names, but answers ``{"total", "hits", ...}`` (the
# product's issue prescribes it).
OWN_SHAPE = {"/api/v1/search", "/api/v1/reports/{key}"}
RETIRED = {"limit", "offset", "page_size", "starts", "ends"}


def assert_pages(
    client: Client, url: str, headers: dict[str, str], params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """``url`` pages the one way; answers every item (so the caller can check them).

    Pages of two cover the whole list exactly once, in the same order (no row repeated or
    skipped); a page past the end is empty, not an error; a size or page out of range, or a
    retired parameter name, is a 422 that names the parameter.
    """
    params = params or {}
    whole = client.get(url, {**params, "size": MAX_SIZE}, **headers)
    assert whole.status_code == 200, whole.content
    body = whole.json()
    assert set(body) == {"count", "items"}
    items = body["items"]
    assert body["count"] == len(items) >= 3, "page a list of at least three rows"
    seen: list[dict[str, Any]] = []
    for page in range(1, len(items) // 2 + 2):
        part = client.get(url, {**params, "page": page, "size": 2}, **headers).json()
        assert part["count"] == len(items)
        seen += part["items"]
    assert seen == items
    for past in (len(items) + 1, 1_000_000):
        answer = client.get(url, {**params, "page": past, "size": 2}, **headers)
        assert answer.status_code == 200 and answer.json() == {"count": len(items), "items": []}
    for name, bad in (
        ("size", MAX_SIZE + 1),
        ("size", 0),
        ("page", 0),
        ("page", 1_000_001),
        ("page", "two"),
        ("offset", 2),
    ):
        answer = client.get(url, {**params, name: bad}, **headers)
        assert answer.status_code == 422, (name, bad, answer.content)
        assert answer.json()["code"] == "invalid" and list(answer.json()["fields"]) == [name]
    return items


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, op["get"]) for path, op in schema["paths"].items() if "get" in op]


def _params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}


def _ok_schema(schema: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = op["responses"]["200"]["content"]["application/json"]["schema"]
    while "$ref" in found:
        found = schema["components"]["schemas"][found["$ref"].rsplit("/", 1)[1]]
    return found


def test_the_openapi_document_shows_one_convention(client):
    schema = client.get("/api/v1/openapi.json").json()
    paged = []
    for path, op in _operations(schema):
        params = _params(op)
        assert not RETIRED & set(params), (path, RETIRED & set(params))
        if "page" in params or "size" in params:
            assert {"page", "size"} <= set(params), path
            assert params["page"]["schema"]["minimum"] == 1, path
            assert params["size"]["schema"]["maximum"] <= MAX_SIZE, path
            paged.append(path)
            if path not in OWN_SHAPE:
                answer = _ok_schema(schema, op)
                assert set(answer["properties"]) == {"count", "items"}, path
        elif "content" in op["responses"].get("200", {}):
            # A list that is not paged is one of the few short by nature.
            is_list = _ok_schema(schema, op).get("type") == "array"
            assert not is_list or path in UNPAGED_LISTS, f"{path} answers a list without pages"
        dates = {
            name
            for name, p in params.items()
            if "date" in {s.get("format") for s in [p["schema"], *p["schema"].get("anyOf", [])]}
        }
        assert dates <= {"from", "to"}, (path, dates)
    assert set(paged) >= {
        "/api/v1/people",
        "/api/v1/audit",
        "/api/v1/patrons",
        "/api/v1/groups",
        "/api/v1/plans",
        "/api/v1/bookings",
        "/api/v1/resources",
        "/api/v1/circulation/class-sets",
        "/api/v1/patrons/{barcode}/loans",
        "/api/v1/search",
    }
    for path in ("/api/v1/plans", "/api/v1/bookings", "/api/v1/audit", "/api/v1/calendar"):
        assert {"from", "to"} <= set(_params(dict(schema["paths"][path])["get"])), path


def test_people_and_audit_page_the_one_way(world, client, token_for):
    people = assert_pages(client, "/api/v1/people", token_for(world.consultant))
    assert len(people) == visible_people(world.consultant).count()
    events = assert_pages(client, "/api/v1/audit", token_for(world.admin_a))
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)


def test_the_audit_log_takes_a_date_range(world, client, token_for):
    headers = token_for(world.admin_a)
    today = timezone.localdate()
    every = client.get("/api/v1/audit", {"size": MAX_SIZE}, **headers).json()["count"]
    assert every == AuditEvent.objects.filter(school=world.school_a).count() > 0

    def count(**days: dt.date) -> int:
        query = {("from" if k == "since" else "to"): v.isoformat() for k, v in days.items()}
        return int(client.get("/api/v1/audit", query, **headers).json()["count"])

    day = dt.timedelta(days=1)
    assert count(since=today - day, until=today + day) == every
    assert count(since=today + day) == 0 and count(until=today - day) == 0
    answer = client.get("/api/v1/audit", {"from": "2027-02-30"}, **headers)
    assert answer.status_code == 422 and list(answer.json()["fields"]) == ["from"]
    assert "2027-10-11" in answer.json()["message"]  # the example, in any language
    answer = client.get("/api/v1/audit", {"from": "2027-10-12", "to": "2027-10-11"}, **headers)
    assert answer.status_code == 422 and list(answer.json()["fields"]) == ["to"]


@pytest.mark.parametrize(
    ("text", "day"),
    [("2027-10-11", dt.date(2027, 10, 11)), ("", None), (" 2028-02-29 ", dt.date(2028, 2, 29))],
)
def test_dates_are_iso_days(text, day):
    assert DateRange.model_validate({"from": text}).from_ == day


@pytest.mark.parametrize("text", ["1700000000", "11-10-2027", "2027-10-32", "2027-W41-1", "x"])
def test_anything_else_is_not_a_date(text):
    with pytest.raises(ValidationError) as info:
        DateRange.model_validate({"to": text})
    assert list(info.value.message_dict) == ["to"]


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "501", "٣", "true"])
def test_sizes_are_whole_numbers_up_to_the_maximum(text):
    with pytest.raises(ValidationError):
        PageParams.model_validate({"size": text})
    assert PageParams.model_validate({"size": "500", "page": ""}).model_dump() == {
        "page": 1,
        "size": 500,
    }


def test_rows_not_ordered_by_a_unique_key_are_refused(world, rf):
    paginator, request = Pagination(), rf.get("/")
    params = PageParams()
    unstable_rows = (User.objects.order_by(), User.objects.order_by("last_name", "first_name"))
    for unstable in (*unstable_rows, AuditEvent.objects.order_by("-at")):
        with pytest.raises(ImproperlyConfigured):
            paginator.paginate_queryset(unstable, params, request)
    stable_rows = (User.objects.all(), User.objects.order_by("last_name", "-pk"))
    for stable in (*stable_rows, User.objects.order_by("-username")):
        assert paginator.paginate_queryset(stable, params, request)["count"] == User.objects.count()


def test_a_shaped_list_shapes_only_its_page(rf):
    calls: list[list[int]] = []

    def shape(page: list[int]) -> list[int]:
        calls.append(page)
        return [n * 10 for n in page]

    result = Pagination().paginate_queryset(
        Shaped(list(range(7)), shape), PageParams(page=2, size=3), rf.get("/")
    )
    assert result == {"count": 7, "items": [30, 40, 50]} and calls == [[3, 4, 5]]
