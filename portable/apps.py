from django.apps import AppConfig


class PortableConfig(AppConfig):
    """The site's content as Markdown files with front matter: `export_content` and
    `import_content`, for backups, moving hosts and editing outside the admin."""

    name = "portable"
    verbose_name = "Markdown export and import"
