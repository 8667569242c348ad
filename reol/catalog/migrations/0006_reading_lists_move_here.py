"""Reading lists move from the OPAC (a front door) to the catalogue, so planning can use them
without importing the OPAC. Only Django's idea of the models moves: the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_record_sort_title"),
        ("core", "0003_username_unique_ci"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReadingList",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        (
                            "audience",
                            models.CharField(
                                blank=True,
                                help_text="A grade or a topic, e.g. “3rd grade”.",
                                max_length=100,
                                verbose_name="for whom",
                            ),
                        ),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "published",
                            models.BooleanField(
                                default=True, verbose_name="shown in the public catalogue"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.municipality",
                                verbose_name="municipality",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reading_lists",
                                to="core.school",
                                verbose_name="school",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reading list",
                        "verbose_name_plural": "reading lists",
                        "db_table": "opac_readinglist",
                        "ordering": ["title", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReadingListEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                        (
                            "position",
                            models.PositiveIntegerField(default=0, verbose_name="position"),
                        ),
                        (
                            "reading_list",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="entries",
                                to="catalog.readinglist",
                            ),
                        ),
                        (
                            "record",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="catalog.record",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reading list entry",
                        "verbose_name_plural": "reading list entries",
                        "db_table": "opac_readinglistentry",
                        "ordering": ["position", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="readinglist",
                    index=models.Index(
                        fields=["municipality", "school", "published"],
                        name="opac_readin_municip_10ce8a_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="readinglist",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("title", ""), _negated=True),
                        name="readinglist_title_not_empty",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="readinglistentry",
                    constraint=models.UniqueConstraint(
                        fields=("reading_list", "record"),
                        name="readinglistentry_once_per_list",
                        violation_error_message="This title is already on the list.",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
