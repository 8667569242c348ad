"""``LoanStatistic`` moves to circulation (the loan's app), so patrons' models no longer point
up at circulation's. Only Django's idea of the model moves; the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patrons", "0003_random_card_numbers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LoanStatistic")],
            database_operations=[],
        ),
    ]
