"""Reading lists are the catalogue's now (``catalog`` 0006); their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("opac", "0001_initial"),
        ("planning", "0002_reading_list_in_catalog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="readinglistentry",
                    name="reading_list",
                ),
                migrations.RemoveField(
                    model_name="readinglistentry",
                    name="record",
                ),
                migrations.DeleteModel(
                    name="ReadingList",
                ),
                migrations.DeleteModel(
                    name="ReadingListEntry",
                ),
            ],
            database_operations=[],
        ),
    ]
