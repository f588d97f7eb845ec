from django.db import migrations


class Migration(migrations.Migration):
    """SearchEntry now belongs to the search app (search/migrations/0001): home forgets it,
    the table stays where it is."""

    dependencies = [
        ("home", "0002_pg_trgm"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchEntry")],
            database_operations=[],
        ),
    ]
