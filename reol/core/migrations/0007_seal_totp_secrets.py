# Authenticator keys were kept in clear; they are sealed from now on (reol/core/sealed.py).

import reol.core.sealed
from django.db import migrations


def seal_existing(apps, schema_editor):
    """Read each key (an old clear value is read as is) and write it back sealed."""
    devices = apps.get_model("core", "TotpDevice")
    for pk, secret in devices.objects.values_list("pk", "secret"):
        devices.objects.filter(pk=pk).update(secret=secret)


def unseal_existing(apps, schema_editor):
    """Going back: the keys in clear again, written past the field (which would seal them)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, secret FROM core_totpdevice")
        for pk, stored in cursor.fetchall():
            clear = reol.core.sealed.unseal(stored)
            cursor.execute("UPDATE core_totpdevice SET secret = %s WHERE id = %s", [clear, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_mfa_and_sessions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=reol.core.sealed.SealedField(),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
