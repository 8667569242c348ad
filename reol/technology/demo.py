"""The demo's devices: a class set of Chromebooks at each demo school, once (a school that has
devices is left as it is)."""

from __future__ import annotations

from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from .importer import import_devices
from .models import Device

_HEADER = "annotatedAssetId,serialNumber,model,macAddress,purchase date,price,accessories\n"


def _inventory(code: str) -> bytes:
    rows = [
        f"{code.upper()}-CB{n:03},SN{code.upper()}{n:05},Chromebook Acer 511,"
        f"00:1A:2B:{n // 256:02X}:{n % 256:02X}:{len(code):02X},2023-08-01,2899.00,charger"
        for n in range(1, 31)
    ]
    return (_HEADER + "\n".join(rows) + "\n").encode()


def load_demo_devices(municipality: Municipality) -> None:
    for school in municipality.schools.all():
        if Device.objects.filter(school=school).exists():
            continue  # loaded before: a second run writes nothing (not even an import event)
        import_devices(SYSTEM, school, _inventory(school.code), name="demo.csv")
