"""``LoanStatistic`` is circulation's model now (its table keeps its name: no data moves)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0004_class_sets"),
        ("core", "0002_search_keys"),
        ("patrons", "0004_loan_statistic_to_circulation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LoanStatistic",
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
                        ("grade", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("group_name", models.CharField(blank=True, default="", max_length=64)),
                        ("school_year", models.CharField(blank=True, default="", max_length=16)),
                        (
                            "loan",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="statistic",
                                to="circulation.loan",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.school",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "loan statistic",
                        "verbose_name_plural": "loan statistics",
                        "db_table": "patrons_loanstatistic",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
