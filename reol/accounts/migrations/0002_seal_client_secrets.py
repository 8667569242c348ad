# Providers' client secrets were kept in clear; they are sealed from now on (reol/core/sealed.py).

import reol.core.sealed
from django.db import migrations


def seal_existing(apps, schema_editor):
    """Read each secret (an old clear value is read as is) and write it back sealed."""
    providers = apps.get_model("accounts", "IdentityProvider")
    for pk, secret in providers.objects.values_list("pk", "client_secret"):
        providers.objects.filter(pk=pk).update(client_secret=secret)


def unseal_existing(apps, schema_editor):
    """Going back: the secrets in clear again, written past the field (which would seal them)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, client_secret FROM accounts_identityprovider")
        for pk, stored in cursor.fetchall():
            clear = reol.core.sealed.unseal(stored)
            cursor.execute(
                "UPDATE accounts_identityprovider SET client_secret = %s WHERE id = %s",
                [clear, pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_sign_in_providers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="identityprovider",
            name="client_secret",
            field=reol.core.sealed.SealedField(
                blank=True, max_length=300, verbose_name="client secret"
            ),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
