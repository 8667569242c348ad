"""The OAI-PMH provider, harvested by Sickle (a harvesting library nobody here wrote) over a
live server, and asked for every error the protocol defines."""

from __future__ import annotations

import datetime as dt
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as ET
from django.test import Client
from django.utils import timezone
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from reol.catalog import services
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import require_shared_data, run_import
from reol.core.permissions import SYSTEM
from reol.protocols import oai

from .conftest import Shelf

OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC = "{http://www.loc.gov/MARC21/slim}"


@pytest.fixture
def small_pages(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(oai, "PAGE", 2)


def harvester(live_server) -> Sickle:  # type: ignore[no-untyped-def]
    return Sickle(live_server.url + "/oai/solbjerg/", max_retries=1, timeout=30)


def title_of(record) -> str:  # type: ignore[no-untyped-def]
    root = ET.fromstring(record.raw)
    for field in root.iter(f"{MARC}datafield"):
        if field.get("tag") == "245":
            return field.findtext(f"{MARC}subfield[@code='a']") or ""
    return ""


def ask(client: Client, **params: str) -> Element:
    response = client.get("/oai/solbjerg/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


def error_code(root: Element) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_identify_formats_and_sets(shelf: Shelf, live_server) -> None:  # type: ignore[no-untyped-def]
    sickle = harvester(live_server)
    identify = sickle.Identify()
    assert identify.repositoryName == "Solbjerg Kommune"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.protocolVersion == "2.0"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "marc21"}
    specs = {s.setSpec for s in sickle.ListSets()}
    assert {"school:nord", "school:syd", "type:book"} <= specs


def test_harvest_with_resumption_tokens(shelf: Shelf, live_server, small_pages) -> None:  # type: ignore[no-untyped-def]
    records = list(harvester(live_server).ListRecords(metadataPrefix="marc21"))
    # Four records with copies; the one without copies is not published.
    assert sorted(title_of(r) for r in records) == [
        "Dinosaurernes verden",
        "Fodbold for alle",
        "Heste i Danmark",
        "The horse book",
    ]
    assert len({r.header.identifier for r in records}) == 4
    syd = list(harvester(live_server).ListRecords(metadataPrefix="marc21", set="school:syd"))
    assert sorted(title_of(r) for r in syd) == ["Dinosaurernes verden", "Fodbold for alle"]
    dc = list(harvester(live_server).ListRecords(metadataPrefix="oai_dc", set="school:nord"))
    assert {r.metadata["title"][0] for r in dc} == {
        "Dinosaurernes verden",
        "Heste i Danmark",
        "The horse book",
    }


def test_withdrawn_and_merged_records_are_deleted_and_stay_so(shelf: Shelf, live_server) -> None:  # type: ignore[no-untyped-def]
    before = timezone.now() - dt.timedelta(seconds=1)
    copy = Item.objects.get(record=shelf.horse_book)
    services.withdraw_item(SYSTEM, copy, note="worn out")
    services.merge_records(SYSTEM, shelf.horses, shelf.only_b)
    since = before.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = list(
        harvester(live_server).ListIdentifiers(metadataPrefix="marc21", **{"from": since})
    )
    deleted = {h.identifier.rsplit(":", 1)[1] for h in changed if h.deleted}
    assert deleted == {str(shelf.horse_book.pk), str(shelf.only_b.pk)}
    # The record that took the merged one's copies changed too, and is not deleted.
    assert str(shelf.horses.pk) in {h.identifier.rsplit(":", 1)[1] for h in changed}
    # A deleted record has a header and no metadata.
    sickle = harvester(live_server)
    gone = sickle.GetRecord(
        identifier=f"oai:reol:solbjerg:{shelf.horse_book.pk}", metadataPrefix="marc21"
    )
    assert gone.header.deleted and not getattr(gone, "metadata", None)


def test_a_token_keeps_its_place_when_records_change(
    shelf: Shelf, client: Client, small_pages
) -> None:  # type: ignore[no-untyped-def]
    first = ask(client, verb="ListIdentifiers", metadataPrefix="marc21")
    seen = [h.findtext(f"{OAI}identifier") for h in first.iter(f"{OAI}header")]
    token = first.findtext(f".//{OAI}resumptionToken")
    assert len(seen) == 2 and token
    # Meanwhile: a record already sent changes, and a new one is catalogued with a copy.
    services.update_record(
        SYSTEM, Record.objects.get(pk=int(seen[0].rsplit(":", 1)[1])), title="Nyt navn"
    )
    new = services.create_record(
        SYSTEM, shelf.world.municipality, services.new_marc(title="Ny bog")
    )
    services.add_items(SYSTEM, new, shelf.world.school_a, count=1)
    while token:
        page = ask(client, verb="ListIdentifiers", resumptionToken=token)
        seen += [h.findtext(f"{OAI}identifier") for h in page.iter(f"{OAI}header")]
        token = page.findtext(f".//{OAI}resumptionToken")
    ids = [int(i.rsplit(":", 1)[1]) for i in seen]
    assert len(ids) == len(set(ids))  # nothing twice
    assert set(ids) == {
        shelf.horses.pk,
        shelf.dinosaurs.pk,
        shelf.horse_book.pk,
        shelf.only_b.pk,
        new.pk,
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21", "colour": "red"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "set": "school:nowhere"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2026-13-01"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "marc21",
                "from": "2026-01-01",
                "until": "2026-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21", "from": "2099-01-01"},
            "noRecordsMatch",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "marc21",
                "identifier": "oai:reol:solbjerg:999999",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": "oai:elsewhere:1"},
            "idDoesNotExist",
        ),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ],
)
@pytest.mark.django_db
def test_errors(shelf: Shelf, client: Client, params: dict[str, str], code: str) -> None:
    root = ask(client, **params)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert not root.find(f"{OAI}request").attrib  # the request echoed without arguments


@pytest.mark.django_db
def test_a_school_that_does_not_publish_is_not_harvested(shelf: Shelf, client: Client) -> None:
    from reol.protocols import services as publishing

    publishing.set_publication(SYSTEM, shelf.world.school_b, sru=True, oai=False)
    root = ask(client, verb="ListIdentifiers", metadataPrefix="marc21")
    ids = {h.findtext(f"{OAI}identifier").rsplit(":", 1)[1] for h in root.iter(f"{OAI}header")}
    assert str(shelf.only_b.pk) not in ids
    assert (
        error_code(ask(client, verb="ListRecords", metadataPrefix="marc21", set="school:syd"))
        == "badArgument"
    )


@pytest.mark.django_db
def test_no_patron_data_anywhere(shelf: Shelf, client: Client) -> None:
    world = shelf.world
    body = ET.tostring(ask(client, verb="ListRecords", metadataPrefix="marc21"))
    body += ET.tostring(ask(client, verb="ListRecords", metadataPrefix="oai_dc"))
    for person in (world.student_a1, world.student_b1, world.librarian_a):
        assert person.username.encode() not in body
        assert (person.card_barcode or "NO-CARD").encode() not in body
    for barcode in Item.objects.values_list("barcode", flat=True):
        assert barcode.encode() not in body


def test_a_real_catalogue_is_harvested_whole(world, index, live_server, small_pages) -> None:  # type: ignore[no-untyped-def]
    """A real MARC file from another library system, imported, then harvested in marc21."""
    data = (require_shared_data() / "evergreen" / "lul_fre_100.mrc").read_bytes()
    report = run_import(SYSTEM, world.school_a, data)
    assert report.created == 100, report
    for record in Record.objects.all():  # the file has no holdings: a copy of each at A
        services.add_items(SYSTEM, record, world.school_a, count=1)
    imported = Record.objects.filter(items__school=world.school_a).distinct().count()
    sickle = harvester(live_server)
    harvested = list(sickle.ListRecords(metadataPrefix="marc21", set="school:nord"))
    assert len(harvested) == imported
    assert all(not r.header.deleted and title_of(r) for r in harvested)
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="marc21", set="school:syd"))
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier="oai:reol:solbjerg:0", metadataPrefix="marc21")
    with pytest.raises(BadResumptionToken):
        list(sickle.ListRecords(resumptionToken="x"))
