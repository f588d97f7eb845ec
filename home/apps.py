from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The front page, the timeline and robots.txt; home's URLs compose the other apps'
    feeds, sitemaps, previews and the search page. Each app wires its own models."""

    name = "home"
    verbose_name = "Home"
