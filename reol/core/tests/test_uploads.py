"""The archive checks of ``reol.core.uploads``: each limit refuses before anything is unpacked,
and a member is read with a hard cap whatever the zip's directory says."""

from __future__ import annotations

import io
import zipfile

import pytest

from reol.core.uploads import ArchiveLimits, UploadRefused, check_archive, open_zip, read_member

LIMITS = ArchiveLimits(members=5, unpacked=1_000_000, ratio=100)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def _random(size: int) -> bytes:
    return bytes((i * 7919 + (i >> 8) * 31) % 251 for i in range(size))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({f"f{i}.csv": b"a" for i in range(6)}, "holds 6 files; at most 5"),
        ({"users.csv": _random(600_000), "more.csv": _random(600_000)}, "unpacks to 2 MB"),
        ({"users.csv": _random(1_100_000)}, "users.csv in the zip file unpacks to 2 MB"),
        ({"users.csv": b"x" * 500_000}, "packed"),
        ({"../../etc/users.csv": b"a"}, "outside its folder"),
        ({"/etc/users.csv": b"a"}, "outside its folder"),
        ({"C:\\users.csv": b"a"}, "outside its folder"),
        ({"inner.zip": b"PK\x03\x04"}, "another archive"),
        ({"users.csv.gz": b"\x1f\x8b"}, "another archive"),
    ],
    ids=["members", "total", "member", "ratio", "dotdot", "absolute", "drive", "zip", "gz"],
)
def test_each_limit_refuses_before_unpacking(members, message):
    archive = _zip(members, zipfile.ZIP_DEFLATED)
    with pytest.raises(UploadRefused, match=message):
        check_archive(archive, LIMITS)


def test_an_ordinary_bundle_passes():
    check_archive(_zip({"users.csv": _random(200_000), "orgs.csv": b"sourcedId\n"}), LIMITS)


def test_a_member_is_read_with_a_hard_cap():
    archive = _zip({"users.csv": _random(300_000)})
    assert len(read_member(archive, archive.getinfo("users.csv"), cap=300_000)) == 300_000
    with pytest.raises(UploadRefused, match="more than 1 MB"):
        read_member(archive, archive.getinfo("users.csv"), cap=200_000)


def test_a_member_that_is_an_archive_by_its_bytes_is_refused():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("users.csv", b"a")
    archive = _zip({"users.csv": inner.getvalue()})
    with pytest.raises(UploadRefused, match="another archive"):
        read_member(archive, archive.getinfo("users.csv"))


def test_a_damaged_zip_is_refused_with_a_message():
    with pytest.raises(UploadRefused, match="damaged"):
        open_zip(io.BytesIO(b"PK\x03\x04 not really a zip"))
