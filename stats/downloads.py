"""Podcast downloads and audio listens, the IAB way (Podcast Measurement Technical
Guidelines 2.x): one download per visitor (address and user agent, hashed with the day's
salt) per episode per day, however many Range requests a player makes, and only once the
ranges fetched add up to a minute of audio (the whole file, if it is shorter). The minute
is the file's size over its duration (read at upload); without a duration, 1 MB.
"""

import functools

from django.conf import settings
from django.db import connection
from django.db.models import F

from blog.models import Post
from stats.models import DailyDownload, VisitorMark

ENOUGH_SECONDS = 60
WITHOUT_DURATION = 1024 * 1024


@functools.lru_cache(maxsize=1024)
def enough_bytes(path: str) -> int:
    """Bytes that make a download of the audio file at `path` (a media URL path)."""
    name = path.removeprefix(settings.MEDIA_URL)
    post = Post.objects.filter(audio=name).only("audio_size", "audio_duration").first()
    if post is None or not post.audio_size:
        return WITHOUT_DURATION
    if not post.audio_duration:
        return min(post.audio_size, WITHOUT_DURATION)
    return min(post.audio_size, post.audio_size * ENOUGH_SECONDS // post.audio_duration)


def add(audio) -> None:
    """Add each (day, path, visitor)'s bytes to its mark; count the marks that reach enough."""
    table = connection.ops.quote_name(VisitorMark._meta.db_table)
    sql = (
        f"INSERT INTO {table} (day, key, visitor, bytes, counted) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (day, key, visitor) DO UPDATE SET bytes = {table}.bytes + excluded.bytes"
    )
    rows = [(day, f"audio:{path}", who, sent, False) for (day, path, who), sent in audio.items()]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for day, path in {(day, path) for day, path, _ in audio}:
        marks = VisitorMark.objects.filter(
            day=day, key=f"audio:{path}", counted=False, bytes__gte=enough_bytes(path)
        )
        newly = marks.update(counted=True)
        if newly:
            found, _ = DailyDownload.objects.get_or_create(day=day, path=path)
            DailyDownload.objects.filter(pk=found.pk).update(downloads=F("downloads") + newly)
