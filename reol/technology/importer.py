"""Import a device inventory from CSV as IT departments export it.

Columns are guessed from their names (Google Admin's Chromebook export — ``serialNumber``,
``macAddress``, ``model``, ``annotatedAssetId``, ``supportEndDate`` — and Danish, Norwegian and
English names), or named by the librarian. Every bad row is reported with its line and reason;
the good rows are imported in one transaction. Re-running the same file changes nothing: a row
matches its device by asset tag, else by serial number, and only what differs is written.
The file is read by the rosters' CSV reader (encodings, delimiters, Excel's quirks); its size is
bounded before it is read (``MAX_BYTES``, the view also refuses a larger declared body).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.catalog import services as catalog
from reol.catalog.models import CirculationType
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require
from reol.rosters.reader import Table, TableError, header_key, parse_date, read_table

from .identifiers import normalise_serial, parse_macs
from .models import Device
from .services import device_model

MAX_BYTES = 5 * 2**20  # some 40,000 devices; a municipality's inventory fits
MAX_ROWS = 50_000

FIELDS: dict[str, str | Promise] = {
    "asset_tag": gettext_lazy("Asset tag (the barcode)"),
    "serial": gettext_lazy("Serial number"),
    "model": gettext_lazy("Model"),
    "macs": gettext_lazy("MAC addresses"),
    "purchase_date": gettext_lazy("Purchase date"),
    "price": gettext_lazy("Price"),
    "warranty_end": gettext_lazy("Warranty end"),
    "supplier": gettext_lazy("Supplier"),
    "accessories": gettext_lazy("Accessories"),
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "asset_tag": (
        "annotatedAssetId",
        "asset tag",
        "assettag",
        "asset",
        "asset id",
        "inventory number",
        "barcode",
        "stregkode",
        "strekkode",
        "inventarnummer",
        "aktivnummer",
    ),
    "serial": ("serialNumber", "serial", "serial no", "serienummer", "serienr", "sn"),
    "model": ("model", "device model", "modell", "model name", "product", "produkt"),
    "macs": (
        "macAddress",
        "mac",
        "mac address",
        "mac addresses",
        "wifi mac",
        "ethernetMacAddress",
        "mac-adresse",
        "macadresse",
    ),
    "purchase_date": (
        "purchase date",
        "purchased",
        "købsdato",
        "kjøpsdato",
        "indkøbt",
        "innkjøpt",
        "orderDate",
    ),
    "price": ("price", "cost", "pris", "indkøbspris", "innkjøpspris"),
    "warranty_end": (
        "warranty end",
        "warranty",
        "warrantyEnd",
        "supportEndDate",
        "garanti",
        "garanti til",
        "garantiudløb",
    ),
    "supplier": ("supplier", "vendor", "leverandør", "forhandler"),
    "accessories": ("accessories", "tilbehør"),
}


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Reol field → column, for the columns whose names say what they are."""
    keys = {header_key(h): h for h in reversed(header) if h}
    mapping: dict[str, str] = {}
    for name, synonyms in _SYNONYMS.items():
        for synonym in synonyms:
            column = keys.get(header_key(synonym))
            if column and column not in mapping.values():
                mapping[name] = column
                break
    return mapping


@dataclass
class Problem:
    line: int
    reason: str


@dataclass
class DeviceImport:
    mapping: dict[str, str] = field(default_factory=dict)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.problems.append(Problem(line, reason))


@dataclass
class _Row:
    line: int
    tag: str
    serial: str
    model: str
    values: dict[str, Any]


def _money(text: str) -> Decimal | None:
    cleaned = text.replace("kr.", "").replace("kr", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")  # 4.299,00
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount.") % {"value": text[:40]}) from None
    if value < 0 or value >= Decimal("10000000"):
        raise ValueError(_("“%(value)s” is not a price.") % {"value": text[:40]})
    return value


def _date(text: str) -> dt.date | None:
    return parse_date(text) if text.strip() else None


def _parse(table: Table, mapping: dict[str, str], report: DeviceImport) -> list[_Row]:
    index = {name: table.header.index(col) for name, col in mapping.items()}
    rows: list[_Row] = []
    for row in table.rows[:MAX_ROWS]:
        cell = {
            name: row.cells[i].strip() if i < len(row.cells) else "" for name, i in index.items()
        }
        try:
            serial = normalise_serial(cell.get("serial", ""))
            tag = cell.get("asset_tag", "") or serial
            if not tag:
                raise ValueError(_("The row has neither an asset tag nor a serial number."))
            if not catalog.usable_barcode(tag):
                raise ValueError(
                    _("“%(tag)s” cannot be a barcode (letters, digits, - . _; at most 64).")
                    % {"tag": tag[:70]}
                )
            if not cell.get("model"):
                raise ValueError(_("The row names no model."))
            values = {
                "mac_addresses": parse_macs(cell.get("macs", "")),
                "purchase_date": _date(cell.get("purchase_date", "")),
                "price": _money(cell.get("price", "")),
                "warranty_end": _date(cell.get("warranty_end", "")),
                "supplier": cell.get("supplier", "")[:200],
                "accessories": [
                    a.strip()[:60] for a in cell.get("accessories", "").split(",") if a.strip()
                ],
            }
        except ValidationError as error:
            report.reject(row.line, " ".join(error.messages))
            continue
        except ValueError as error:
            report.reject(row.line, str(error))
            continue
        rows.append(_Row(row.line, tag, serial, cell["model"], values))
    if len(table.rows) > MAX_ROWS:
        report.reject(table.rows[MAX_ROWS].line, _("Only %(n)d rows are read.") % {"n": MAX_ROWS})
    return rows


def _no_repeats(rows: list[_Row], report: DeviceImport) -> list[_Row]:
    """A second row with an asset tag or serial seen before in the file is refused."""
    tags: dict[str, int] = {}
    serials: dict[str, int] = {}
    kept: list[_Row] = []
    for row in rows:
        first = tags.get(row.tag.lower()) or (serials.get(row.serial) if row.serial else None)
        if first is not None:
            report.reject(
                row.line,
                _("The asset tag or serial number is already on line %(line)d.") % {"line": first},
            )
            continue
        tags[row.tag.lower()] = row.line
        if row.serial:
            serials[row.serial] = row.line
        kept.append(row)
    return kept


def _check_mapping(table: Table, mapping: dict[str, str]) -> None:
    unknown = [c for c in mapping.values() if c not in table.header]
    if unknown:
        raise TableError(_("The file has no column %(name)s.") % {"name": ", ".join(unknown)})
    if "model" not in mapping or not ({"asset_tag", "serial"} & set(mapping)):
        raise TableError(
            _(
                "Name the columns that hold the model and the asset tag or serial number; "
                "the file's columns are: %(columns)s"
            )
            % {"columns": ", ".join(table.header)}
        )


def import_devices(
    actor: Actor,
    school: School,
    data: bytes,
    *,
    mapping: dict[str, str] | None = None,
    name: str = "",
) -> DeviceImport:
    """Import the inventory in ``data`` for ``school``; ``TableError`` when the file cannot be
    read as one (too large, not text, no usable columns)."""
    require(actor, Perm.TECHNOLOGY, school)
    require(actor, Perm.CATALOG_EDIT, school)
    if len(data) > MAX_BYTES:
        raise TableError(
            _("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_BYTES // 2**20}
        )
    table = read_table(data, name)
    wanted = {**guess_mapping(table.header), **{k: v for k, v in (mapping or {}).items() if v}}
    wanted = {k: v for k, v in wanted.items() if k in FIELDS}
    _check_mapping(table, wanted)
    report = DeviceImport(mapping=wanted)
    rows = _no_repeats(_parse(table, wanted, report), report)
    with transaction.atomic():
        _write(actor, school, rows, report)
        audit.record(
            actor,
            "device.import",
            school,
            school=school,
            details={
                "file": name[:100],
                "added": report.added,
                "updated": report.updated,
                "problems": len(report.problems),
            },
        )
    report.problems.sort(key=lambda p: p.line)
    return report


def _existing(school: School, rows: list[_Row]) -> tuple[dict[str, Device], dict[str, Device]]:
    devices = Device.objects.filter(school=school).select_related("item")
    by_tag = {d.item.barcode.lower(): d for d in devices}
    by_serial = {d.serial_number: d for d in by_tag.values() if d.serial_number}
    return by_tag, by_serial


def _write(actor: Actor, school: School, rows: list[_Row], report: DeviceImport) -> None:
    by_tag, by_serial = _existing(school, rows)
    taken = catalog.barcodes_taken([r.tag for r in rows])
    new: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        device = by_tag.get(row.tag.lower()) or (by_serial.get(row.serial) if row.serial else None)
        if device is None:
            if row.tag.lower() in taken:
                report.reject(
                    row.line,
                    _("The barcode %(tag)s belongs to another copy.") % {"tag": row.tag},
                )
                continue
            if row.serial and row.serial in by_serial:
                report.reject(row.line, _("Another device has that serial number."))
                continue
            new[row.model].append(row)
            continue
        _update(device, row, report)
    for model_name, model_rows in new.items():
        record = device_model(actor, school, model_name)
        items = catalog.add_items(
            actor,
            record,
            school,
            barcodes=[r.tag for r in model_rows],
            circulation_type=CirculationType.DEVICE,
        )
        by_barcode = {i.barcode: i for i in items}
        for row in model_rows:
            item = by_barcode[row.tag]
            item.price, item.acquired_on = row.values["price"], row.values["purchase_date"]
            item.save(update_fields=["price", "acquired_on", "updated_at"])
            Device.objects.create(item=item, school=school, serial_number=row.serial, **row.values)
        report.added += len(model_rows)


def _update(device: Device, row: _Row, report: DeviceImport) -> None:
    changed = [
        k for k, v in row.values.items() if v not in (None, "", []) and getattr(device, k) != v
    ]
    if row.serial and device.serial_number != row.serial:
        device.serial_number = row.serial
        changed.append("serial_number")
    if not changed:
        report.unchanged += 1
        return
    for key in changed:
        if key in row.values:
            setattr(device, key, row.values[key])
    device.save(update_fields=[*changed, "updated_at"])
    report.updated += 1
