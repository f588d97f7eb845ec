"""What the statistics keep: daily aggregates only, forever; and, for the current day
only, the salted visitor marks that make "unique" countable across processes (deleted
once the day is over, with the day's salt gone: nothing links a reader across days).
stats.recorder writes them; the README says exactly what is stored."""

from django.db import models


class DailyPath(models.Model):
    """Views and unique visitors of one reader page on one day; `path` "" is the site."""

    day = models.DateField()
    path = models.CharField(max_length=300)
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    # Conditional GETs answered 304 (a browser or reader checking again): not views.
    revalidations = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "dashboard"
        verbose_name_plural = "dashboard"
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="dailypath_unique")]
        indexes = [models.Index(fields=["path", "day"], name="dailypath_path_idx")]

    def __str__(self):
        return f"{self.day} {self.path or 'site'}: {self.views}"


class DailyReferrer(models.Model):
    """Views arriving from one source (a domain, "Search: Google", "This site", a
    utm_source) and campaign on one day."""

    day = models.DateField()
    source = models.CharField(max_length=200)
    campaign = models.CharField(max_length=200, blank=True)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "campaign"], name="dailyreferrer_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.source}: {self.views}"


class DailyFeed(models.Model):
    """A feed on one day: the subscribers an aggregator reported in its user agent (the
    day's highest figure), or with `aggregator` "", the distinct fetchers."""

    day = models.DateField()
    feed = models.CharField(max_length=300)
    aggregator = models.CharField(max_length=100, blank=True)
    subscribers = models.PositiveIntegerField(default=0)
    fetchers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "feed", "aggregator"], name="dailyfeed_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.feed} {self.aggregator}"


class DailyDownload(models.Model):
    """Downloads of one audio file (an episode) on one day, counted the IAB way."""

    day = models.DateField()
    path = models.CharField(max_length=300)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="dailydownload_unique")]

    def __str__(self):
        return f"{self.day} {self.path}: {self.downloads}"


class DailyCrawler(models.Model):
    """Requests of one crawler family (its operator, or "other crawlers") on one day: what
    was served, refused (403) and rate limited (429) by the crawler policy."""

    day = models.DateField()
    family = models.CharField(max_length=100)
    served = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    limited = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "family"], name="dailycrawler_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.family}: {self.served}"


class DailySketch(models.Model):
    """Today's HyperLogLog registers of one key ("" the site, a path, "feed:<path>"): the
    unique visitors several processes saw, merged (stats.sketch). Deleted when the day is
    over; the count it gave stays in the aggregates."""

    day = models.DateField()
    key = models.CharField(max_length=310)
    registers = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="dailysketch_unique")]

    def __str__(self):
        return f"{self.day} {self.key}"


class VisitorMark(models.Model):
    """Today's salted hash of (address, user agent) for one audio file ("audio:<path>"),
    with the bytes of its ranges fetched so far (stats.downloads): a download counts once
    per listener and day. Deleted when the day is over."""

    day = models.DateField()
    key = models.CharField(max_length=310)
    visitor = models.CharField(max_length=32)
    bytes = models.PositiveBigIntegerField(default=0)
    counted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "key", "visitor"], name="visitormark_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.key}"
