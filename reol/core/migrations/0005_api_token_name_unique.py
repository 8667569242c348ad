"""A person's active API tokens have distinct names (a blank name is not a name)."""

from django.db import migrations, models


def number_duplicates(apps, schema_editor):
    """Active tokens that already share a name get " (2)", " (3)", … so the index can be made."""
    ApiToken = apps.get_model("core", "ApiToken")
    seen: set[tuple[int, str]] = set()
    for token in ApiToken.objects.filter(revoked_at=None).exclude(name="").order_by("id"):
        name, n = token.name, 1
        while (token.user_id, name) in seen:
            n += 1
            name = f"{token.name[:90]} ({n})"
        seen.add((token.user_id, name))
        if name != token.name:
            token.name = name
            token.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_login_throttle_and_reset_limit"),
    ]

    operations = [
        migrations.RunPython(number_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True), models.Q(("name", ""), _negated=True)),
                fields=("user", "name"),
                name="api_token_name_unique_per_user",
            ),
        ),
    ]
