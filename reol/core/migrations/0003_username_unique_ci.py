"""Usernames unique ignoring case, in the database as in the services ("Ida" beside "ida" is
refused); also the index the desk's scan of a username reads (``LOWER(username) = LOWER(?)``).

An installation that already has two people whose usernames differ only in case cannot take
the constraint: the migration stops before changing anything and names them, to be renamed
first (``reol user``).
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_case_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("core", "User")
    clashes = list(
        User.objects.annotate(name=Lower("username"))
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)[:20]
    )
    if clashes:
        raise RuntimeError(
            "These usernames belong to more than one person when capital and small letters "
            f"count as the same; rename one of each, then migrate: {', '.join(clashes)}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0002_search_keys"),
    ]

    operations = [
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="user_username_unique_ci",
                violation_error_message="Another person has this username.",
            ),
        ),
    ]
