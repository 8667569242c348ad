"""Uploads with a bounded cost: the one place that opens an uploaded archive or a large upload.

A zip names the sizes of its members in its own directory, and an attacker writes that
directory. So an archive is checked twice: before anything is unpacked (member count, each
member's and the total declared size, the compression ratio, nested archives, names that
climb out of a folder), and again while a member is read (in chunks, counting the bytes that
really come out, stopping at the cap whatever the directory said). A 600 KB zip holding a
200 MB ``users.csv`` is refused on its ratio before a byte of it is inflated.

The limits are settings (``REOL_UPLOAD_MAX_MEMBERS``, ``REOL_UPLOAD_MAX_UNPACKED_BYTES``,
``REOL_UPLOAD_MAX_RATIO``), so an installation with an unusually large roster raises them for
the command line. The defaults (1000 members, 128 MB unpacked, a ratio of 100) fit the bundle
of a municipality of 100,000 students (a zip of some 3 MB) with room to spare.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

CHUNK = 64 * 1024
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".jar")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!")


class UploadRefused(ValueError):
    """The upload is not read: the message says why, in the user's language."""


@dataclass(frozen=True)
class ArchiveLimits:
    members: int
    unpacked: int  # each member and all members together, in bytes
    ratio: int  # unpacked size / packed size, per member

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        return cls(
            members=int(getattr(settings, "REOL_UPLOAD_MAX_MEMBERS", 1000)),
            unpacked=int(getattr(settings, "REOL_UPLOAD_MAX_UNPACKED_BYTES", 128 * 2**20)),
            # CSV text packs 5 to 20 times; a bomb packs a thousand times
            ratio=int(getattr(settings, "REOL_UPLOAD_MAX_RATIO", 100)),
        )


def _megabytes(size: int) -> int:
    return -(-size // 2**20)


def _unsafe_name(name: str) -> bool:
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return True
    return ".." in PurePosixPath(name).parts


def _is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def check_archive(archive: zipfile.ZipFile, limits: ArchiveLimits | None = None) -> None:
    """Refuse an archive whose directory promises more than the limits, before unpacking."""
    limits = limits or ArchiveLimits.from_settings()
    entries = archive.infolist()
    if len(entries) > limits.members:
        raise UploadRefused(
            _("The zip file holds %(count)d files; at most %(limit)d are read.")
            % {"count": len(entries), "limit": limits.members}
        )
    total = 0
    for info in entries:
        if _unsafe_name(info.filename):
            raise UploadRefused(
                _("The zip file names a file outside its folder (%(name)s); it is not read.")
                % {"name": info.filename[:80]}
            )
        if info.is_dir():
            continue
        if _is_archive_name(info.filename):
            raise UploadRefused(
                _("The zip file holds another archive (%(name)s); unpack it first.")
                % {"name": info.filename[:80]}
            )
        _check_member(info, limits)
        total += info.file_size
    if total > limits.unpacked:
        raise UploadRefused(
            _("The zip file unpacks to %(size)d MB; at most %(limit)d MB are read.")
            % {"size": _megabytes(total), "limit": _megabytes(limits.unpacked)}
        )


def _check_member(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    if info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > CHUNK:
        raise UploadRefused(
            _(
                "%(name)s in the zip file is packed %(ratio)d times; an ordinary file packs "
                "at most %(limit)d times. It looks like a zip bomb and is not read."
            )
            % {
                "name": info.filename[:80],
                "ratio": info.file_size // max(info.compress_size, 1),
                "limit": limits.ratio,
            }
        )
    if info.file_size > limits.unpacked:
        raise UploadRefused(
            _("%(name)s in the zip file unpacks to %(size)d MB; at most %(limit)d MB are read.")
            % {
                "name": info.filename[:80],
                "size": _megabytes(info.file_size),
                "limit": _megabytes(limits.unpacked),
            }
        )


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, cap: int | None = None
) -> bytes:
    """The member's bytes, read in chunks and refused as soon as more than ``cap`` come out
    (whatever the directory declared), or when the member is itself an archive."""
    cap = ArchiveLimits.from_settings().unpacked if cap is None else cap
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            if not parts and chunk.startswith(ARCHIVE_MAGIC):
                raise UploadRefused(
                    _("The zip file holds another archive (%(name)s); unpack it first.")
                    % {"name": info.filename[:80]}
                )
            size += len(chunk)
            if size > cap:
                raise UploadRefused(
                    _("%(name)s in the zip file unpacks to more than %(limit)d MB; it is not read.")
                    % {"name": info.filename[:80], "limit": _megabytes(cap)}
                )
            parts.append(chunk)
    return b"".join(parts)


def open_zip(stream: IO[bytes]) -> zipfile.ZipFile:
    """The archive, checked (``check_archive``); a damaged zip is refused with a message."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(_("The zip file is damaged and cannot be opened.")) from None
    try:
        check_archive(archive)
    except UploadRefused:
        archive.close()
        raise
    return archive


def declared_too_large(request: HttpRequest, limit: int) -> bool:
    """True when the request announces a body larger than the limit (plus a margin for the
    form's other fields): such an upload is refused before Django reads it to disk."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > limit + 2**20
