"""Barcodes unique ignoring case (a scanner and a keyboard differ in case).

An installation that already has two copies whose barcodes differ only in case cannot take the
constraint: the migration stops before changing anything and names them, to be renamed first.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_case_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    Item = apps.get_model("catalog", "Item")
    clashes = list(
        Item.objects.annotate(code=Lower("barcode"))
        .values("code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("code", flat=True)[:20]
    )
    if clashes:
        raise RuntimeError(
            "These barcodes belong to more than one copy when capital and small letters count "
            f"as the same; give the copies different barcodes, then migrate: {', '.join(clashes)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_searchindexstate"),
    ]

    operations = [
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("barcode"),
                name="item_barcode_unique_ignoring_case",
                violation_error_message="That barcode is already in use.",
            ),
        ),
    ]
