"""Covers: images made small once, never blank, cached for a year at a versioned address."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import defusedxml.ElementTree as ET
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reol.catalog.models import Record, RecordIsbn
from reol.core.models import AuditEvent
from reol.reading import cover_service as by_isbn
from reol.reading import covers, selectors, services
from reol.reading.models import Cover, CoverSource

pytestmark = pytest.mark.django_db


def jpeg(width: int = 1200, height: int = 1800, colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def noisy_photo() -> bytes:
    """A phone-like photo (noise compresses badly) with an EXIF position in it."""
    img = Image.effect_noise((3000, 4000), 80).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° (the stored picture lies on its side)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def make_record(world, title: str = "Hestepigen", **kw) -> Record:  # type: ignore[no-untyped-def]
    return Record.objects.create(
        municipality=world.municipality,
        marc={},
        title=title,
        contributors=[{"name": "Ida Hest"}],
        subjects=["Heste"],
        **kw,
    )


def test_a_phone_photo_is_made_small_upright_and_loses_its_exif() -> None:
    resized = covers.resize(noisy_photo())
    assert resized.width == covers.WIDTH
    assert len(resized.data) <= covers.MAX_BYTES
    with Image.open(io.BytesIO(resized.data)) as img:
        # 3000×4000 lying on its side (orientation 6) stands up as 4000 high → wider than high
        assert img.size == (covers.WIDTH, round(3000 * covers.WIDTH / 4000))
        assert not img.getexif()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"%PDF-1.4 not a picture", "not a picture"),
        (jpeg(20, 20), "too small"),
        (jpeg(2000, 100), "too narrow"),
    ],
)
def test_what_cannot_be_a_cover_is_refused_with_its_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(covers.CoverError, match=reason):
        covers.resize(raw)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(covers.CoverError, match="too many pixels"):
        covers.resize(out.getvalue())


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", covers.PALETTE)
def test_white_text_on_every_generated_colour_is_readable(colour: str) -> None:
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5


def test_a_generated_cover_is_safe_xml_with_the_title_and_author() -> None:
    svg = covers.generated_svg('<script>alert("x")</script> & heste', "Ida & Co", "Heste")
    tree = ET.fromstring(svg)
    assert tree.tag.endswith("svg")
    text = "".join(tree.itertext())
    assert "<script>" in text and "Ida & Co" in text  # as text, escaped in the markup
    assert "<script>" not in svg
    assert covers.colour_for("Heste") == covers.colour_for("heste")


def test_without_a_picture_the_record_gets_its_drawn_cover_cached_for_a_year(world, client):  # type: ignore[no-untyped-def]
    record = make_record(world)
    view = selectors.cover_view(record)
    assert view.generated
    answer = client.get(view.url)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/svg+xml"
    assert "immutable" in answer["Cache-Control"] and "max-age=31536000" in answer["Cache-Control"]
    assert b"Hestepigen" in answer.content
    # An old address (the title changed since) moves to the current one, never a stale image.
    stale = reverse("reading-cover", args=[record.pk, "gdeadbeef0000"])
    assert client.get(stale)["Location"] == view.url
    assert client.get(view.url, HTTP_IF_NONE_MATCH=answer["ETag"]).status_code == 304


def test_a_librarian_uploads_a_cover_from_the_record_page(world, client):  # type: ignore[no-untyped-def]
    record = make_record(world)
    client.force_login(world.librarian_a)
    page = client.get(reverse("catalog-record", args=[record.pk]))
    assert b'capture="environment"' in page.content  # the phone's camera at the record page
    upload = SimpleUploadedFile("cover.jpg", jpeg(), content_type="image/jpeg")
    answer = client.post(reverse("reading-cover-upload", args=[record.pk]), {"image": upload})
    assert answer.status_code == 302
    cover = Cover.objects.get(record=record)
    assert cover.source == CoverSource.UPLOAD and len(cover.image) <= covers.MAX_BYTES
    assert AuditEvent.objects.filter(action="cover.upload", object_id=str(record.pk)).exists()
    view = selectors.cover_view(record)
    assert not view.generated and view.url.endswith(cover.digest)
    image = client.get(view.url)
    assert image["Content-Type"] == "image/jpeg" and image.content == bytes(cover.image)


def test_a_student_or_another_municipality_cannot_upload(world, client):  # type: ignore[no-untyped-def]
    record = make_record(world)
    upload = SimpleUploadedFile("cover.jpg", jpeg(), content_type="image/jpeg")
    client.force_login(world.student_a1)
    answer = client.post(reverse("reading-cover-upload", args=[record.pk]), {"image": upload})
    assert answer.status_code == 403
    assert not Cover.objects.exists()


def test_a_bad_upload_says_why_and_stores_nothing(world, client):  # type: ignore[no-untyped-def]
    record = make_record(world)
    client.force_login(world.librarian_a)
    upload = SimpleUploadedFile("cover.jpg", b"GIF89a but not really", content_type="image/gif")
    answer = client.post(
        reverse("reading-cover-upload", args=[record.pk]), {"image": upload}, follow=True
    )
    assert "This is not a picture Reol can read" in answer.content.decode()
    assert not Cover.objects.exists()


class _Covers(BaseHTTPRequestHandler):
    known: dict[str, bytes] = {}
    asked: list[str] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = self.known.get(self.path)
        self.send_response(200 if body else 404)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cover_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Covers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Covers.asked.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_cover_service_is_asked_by_isbn_once_and_a_placeholder_is_not_a_cover(  # type: ignore[no-untyped-def]
    world, cover_service
):
    found = make_record(world, "Med omslag")
    RecordIsbn.objects.create(record=found, isbn13="9788711111111")
    placeholder = make_record(world, "Kun pixel")
    RecordIsbn.objects.create(record=placeholder, isbn13="9788722222222")
    _Covers.known = {"/9788711111111.jpg": jpeg(), "/9788722222222.jpg": jpeg(1, 1)}
    # Off by default: nothing is asked.
    assert by_isbn.fetch_cover(found) is None and _Covers.asked == []
    by_isbn.set_cover_provider(
        world.admin_a, world.school_a, cover_service + "/{isbn}.jpg", enabled=True
    )
    assert by_isbn.fetch_cover(found).source == CoverSource.PROVIDER  # type: ignore[union-attr]
    assert by_isbn.fetch_cover(placeholder).source == CoverSource.NONE  # type: ignore[union-attr]
    asked = list(_Covers.asked)
    by_isbn.fetch_cover(found)
    by_isbn.fetch_cover(placeholder)
    assert _Covers.asked == asked  # stored, and "none" remembered: not asked again
    assert selectors.cover_view(placeholder).generated


def test_a_librarian_cannot_set_the_municipality_cover_service(world):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        by_isbn.set_cover_provider(
            world.librarian_a, world.school_a, "https://x.example/{isbn}", enabled=True
        )
    with pytest.raises(services.ReadingError, match="isbn"):
        by_isbn.set_cover_provider(
            world.admin_a, world.school_a, "file:///etc/passwd", enabled=True
        )


def test_new_records_get_their_covers_from_the_worker_once_the_service_is_on(  # type: ignore[no-untyped-def]
    world, cover_service, django_capture_on_commit_callbacks
):
    """Deliver 1(b) wired end to end: an import and a hand-made record queue the cover task;
    switching the service on queues the catalogue's records, in batches; an upload stays."""
    import pymarc

    from reol.catalog import importer
    from reol.catalog import services as catalog

    isbns = ["9788711111000", "9788711111017", "9788711111024", "9788711111031"]  # valid ones
    _Covers.known = {f"/{isbn}.jpg": jpeg() for isbn in isbns}
    uploaded = make_record(world, "Eget foto")
    RecordIsbn.objects.create(record=uploaded, isbn13=isbns[0])
    services.upload_cover(world.librarian_a, world.school_a, uploaded, jpeg(colour="red"))
    before = make_record(world, "Før tjenesten")
    RecordIsbn.objects.create(record=before, isbn13=isbns[1])
    with django_capture_on_commit_callbacks(execute=True):  # off: nothing is queued
        catalog.create_record(
            world.librarian_a, world.municipality, catalog.new_marc(isbn=isbns[2], title="A")
        )
    assert _Covers.asked == []

    with django_capture_on_commit_callbacks(execute=True):
        by_isbn.set_cover_provider(
            world.admin_a, world.school_a, cover_service + "/{isbn}.jpg", enabled=True
        )
    covered = Cover.objects.filter(source=CoverSource.PROVIDER).values_list("record", flat=True)
    assert set(covered) == {before.pk, Record.objects.get(title="A").pk}
    assert Cover.objects.get(record=uploaded).source == CoverSource.UPLOAD  # never replaced

    marc = pymarc.Record(to_unicode=True, force_utf8=True)
    marc.add_field(pymarc.Field(tag="001", data="cover-1"))
    marc.add_field(
        pymarc.Field(
            tag="020",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", isbns[3])],
        ),
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("0", "0"),
            subfields=[pymarc.Subfield("a", "Importeret")],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_marc(world.librarian_a, world.school_a, io.BytesIO(marc.as_marc()))
    imported = Record.objects.get(isbns__isbn13=isbns[3])
    assert Cover.objects.get(record=imported).source == CoverSource.PROVIDER


def test_the_cover_task_works_in_batches_and_stops(world, cover_service, monkeypatch):  # type: ignore[no-untyped-def]
    for n in range(5):
        record = make_record(world, f"Bog {n}")
        RecordIsbn.objects.create(record=record, isbn13=f"97887222222{n:02d}")
    _Covers.known = {}  # the service has none of them: each is remembered as "none"
    by_isbn.set_cover_provider(
        world.admin_a, world.school_a, cover_service + "/{isbn}.jpg", enabled=True
    )
    monkeypatch.setattr(by_isbn, "BATCH", 2)
    assert by_isbn.fetch_missing_covers.call(world.municipality.pk) == 2  # and queued the next
    assert Cover.objects.filter(source=CoverSource.NONE).count() == 5
    assert by_isbn.fetch_missing_covers.call(world.municipality.pk) == 0  # asked lately: done
