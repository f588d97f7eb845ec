from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0004_confirmation_failures"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateLimitWindow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=120, unique=True)),
                ("count", models.PositiveIntegerField(default=0)),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
