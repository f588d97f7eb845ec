from django.apps import AppConfig


class StatsConfig(AppConfig):
    """First-party, cookie-free statistics: counting (stats.middleware, stats.recorder),
    the daily figures (stats.figures) and the admin's dashboard with charts (stats.views).
    It reads the content apps (audio durations, subscribers), so it sits above them."""

    name = "stats"
    verbose_name = "Statistics"
