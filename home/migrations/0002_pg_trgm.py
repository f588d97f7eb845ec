from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for search's "Did you mean …" (search.suggestions). CreateExtension does
    nothing on databases other than PostgreSQL, so SQLite is untouched."""

    dependencies = [
        ("home", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
    ]
