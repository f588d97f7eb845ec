import logging
import mimetypes
import posixpath
from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache

from core import readiness
from core.ranges import file_response

logger = logging.getLogger(__name__)


class PublishedMixin:
    """Reader views see only published items (see PublishableQuerySet.published)."""

    model = None

    def get_queryset(self):
        return self.model.objects.published()


def staff_only(view):
    """Wrap a view (the Markdown preview, the image upload) so only staff reach it."""
    return staff_member_required(view)


@never_cache
def healthz(request):
    """The process answers. Cheap, never cached, touches no database."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin's).
    Resolved per request: the hashed static name exists only after collectstatic."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


_migrations_checked = False


@never_cache
def readyz(request):
    """Ready for traffic: the database answers with every migration applied, and the cache
    answers. 503 with the reason otherwise. Once the migrations have been seen applied, the
    process stops re-reading the migration graph (it cannot un-apply them)."""
    global _migrations_checked
    problems = []
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_checked:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                problems.append("database: migrations not applied")
            else:
                _migrations_checked = True
    except Exception as exc:  # the reason goes to the probe, the details to the log
        logger.exception("readyz: database check failed")
        problems.append(f"database: {exc.__class__.__name__}")
    try:
        cache.set("readyz", "1", 10)
        if cache.get("readyz") != "1":
            problems.append("cache: value not kept")
    except Exception as exc:
        logger.exception("readyz: cache check failed")
        problems.append(f"cache: {exc.__class__.__name__}")
    if problems:
        return HttpResponse("\n".join(problems), status=503, content_type="text/plain")
    # The parts that may fail without making the site unready, a line each (core.readiness).
    return HttpResponse("\n".join(["ok", *readiness.details()]), content_type="text/plain")


# Files that browsers may show inline; anything else is sent as a download.
INLINE_MEDIA_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
    "audio/mpeg", "audio/mp4", "audio/ogg", "audio/x-m4a", "video/mp4",
}  # fmt: skip


def serve_media(request, path):
    """Uploaded files, when the app serves them itself (DJANGO_SERVE_MEDIA).

    Byte ranges are answered (core.ranges), so audio players can seek and podcast apps
    resume. Whatever a file holds, it can never run script as the site's origin: a
    sandboxing Content-Security-Policy, `nosniff`, and a download (Content-Disposition:
    attachment) for every type that is not an image, audio or video. MEDIA_ROOT is read
    per request.
    """
    fullpath = Path(safe_join(settings.MEDIA_ROOT, posixpath.normpath(path).lstrip("/")))
    if not fullpath.is_file():
        raise Http404("No such file")
    content_type, encoding = mimetypes.guess_type(fullpath.name)
    # A compressed upload (notes.txt.gz) is a download like any other, never decoded by
    # the browser on the way.
    if encoding or content_type not in INLINE_MEDIA_TYPES:
        content_type = None
    response = file_response(request, fullpath, content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if content_type is None:
        response["Content-Disposition"] = "attachment"
    # Uploaded names never change content, so browsers and CDNs may keep them a while.
    response["Cache-Control"] = "public, max-age=86400"
    return response
