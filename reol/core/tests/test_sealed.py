"""Secrets the server must read back are sealed at rest (ASVS 6.4.1): an authenticator key is
not in the database in clear, survives a change of SECRET_KEY with the old key among the
fallbacks, and ``reol reseal`` moves it to the new key."""

from __future__ import annotations

import importlib

import pyotp
import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reol.core import mfa, sealed
from reol.core.models import AuditEvent, TotpDevice

pytestmark = pytest.mark.django_db


def stored(device: TotpDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_totpdevice WHERE id = %s", [device.pk])
        value: str = cursor.fetchone()[0]
    return value


def enrol(person) -> str:  # type: ignore[no-untyped-def]
    secret = mfa.new_secret()
    totp = pyotp.TOTP(secret)
    mfa.enrol(person, secret, totp.generate_otp(totp.timecode(timezone.now())))
    return secret


def test_an_authenticator_key_is_not_stored_in_clear(world):
    secret = enrol(world.teacher_a)
    device = TotpDevice.objects.get(user=world.teacher_a)
    raw = stored(device)
    assert raw.startswith(sealed.PREFIX)
    assert secret not in raw
    assert device.secret == secret  # read back clear by the server


def test_a_key_change_keeps_secrets_readable_and_reseal_moves_them(world, settings):
    secret = enrol(world.teacher_a)
    old_key = settings.SECRET_KEY
    before = stored(TotpDevice.objects.get(user=world.teacher_a))

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 40, [old_key]
    assert TotpDevice.objects.get(user=world.teacher_a).secret == secret
    call_command("reseal")
    after = stored(TotpDevice.objects.get(user=world.teacher_a))
    assert after != before
    assert AuditEvent.objects.filter(action="security.secrets_resealed").exists()

    settings.SECRET_KEY_FALLBACKS = []  # the old key can go now
    assert TotpDevice.objects.get(user=world.teacher_a).secret == secret


def test_a_secret_sealed_under_a_lost_key_says_so(world, settings):
    enrol(world.teacher_a)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-key-" + "y" * 40, []
    with pytest.raises(ImproperlyConfigured, match="REOL_SECRET_KEY_FALLBACKS"):
        TotpDevice.objects.get(user=world.teacher_a)


def test_the_migration_seals_keys_kept_in_clear_before(world):
    secret = enrol(world.teacher_a)
    device = TotpDevice.objects.get(user=world.teacher_a)
    with connection.cursor() as cursor:  # as an installation from before this change has it
        cursor.execute("UPDATE core_totpdevice SET secret = %s WHERE id = %s", [secret, device.pk])
    assert TotpDevice.objects.get(pk=device.pk).secret == secret  # old clear values still work

    migration = importlib.import_module("reol.core.migrations.0007_seal_totp_secrets")
    migration.seal_existing(apps, None)
    assert stored(device).startswith(sealed.PREFIX)
    assert TotpDevice.objects.get(pk=device.pk).secret == secret
