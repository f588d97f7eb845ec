import django.contrib.postgres.search
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="home", target="search"):
    """Permissions and admin log entries point at the content type: keep it, renamed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    existing = ContentType.objects.using(schema_editor.connection.alias)
    if not existing.filter(app_label=target, model="searchentry").exists():
        existing.filter(app_label=source, model="searchentry").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="search", target="home")


class Migration(migrations.Migration):
    """SearchEntry moves from home to search. Only the migration state moves: the table
    keeps its name (home_searchentry), its rows, its indexes and its GIN index, so an
    existing database changes nothing. The pg_trgm extension ("Did you mean …") stays in
    home's migration 0002, already applied where it matters."""

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("home", "0002_pg_trgm"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=10)),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("title", models.CharField(max_length=300)),
                        ("summary", models.TextField(blank=True)),
                        ("body", models.TextField(blank=True)),
                        ("url", models.CharField(max_length=500)),
                        ("category_ids", models.CharField(blank=True, default="", max_length=500)),
                        ("status", models.CharField(max_length=10)),
                        ("published_at", models.DateTimeField()),
                        ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                    ],
                    options={
                        "db_table": "home_searchentry",
                        "verbose_name_plural": "search entries",
                        "indexes": [models.Index(fields=["status", "-published_at"], name="search_published_idx")],
                        "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
