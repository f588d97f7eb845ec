"""The old site's addresses, redirected (301) to the new ones through
django.contrib.redirects: each post's permalink, the category and tag archives, and the
home and feed of a blog that lived in a folder.

An old address that already redirects elsewhere keeps its redirect (one address leads to
one place), and the clash is reported.
"""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.urls import reverse
from django.utils.encoding import escape_uri_path

from wordpress.models import ImportedItem
from wordpress.report import Report

REDIRECT_LENGTH = Redirect._meta.get_field("old_path").max_length


def old_path(url: str, base: str = "") -> str | None:
    """The path of an old address, spelled as Django's request.get_full_path() spells it
    (which is what RedirectFallbackMiddleware looks up). None for the old blog's home
    (`base` + "/") and for links by id (`/?p=123`, `/blog/?p=123`, `/blog/index.php?p=1`),
    whose path is shared by every post."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.rstrip("/") in ("", base):
        return None
    if parts.query and (path.endswith("/") or path.endswith("/index.php")):
        return None
    return escape_uri_path(unquote(path))


def base_path(url: str) -> str:
    """The folder a WordPress blog was installed in: "/blog" for http://host/blog/, ""
    at the root of its host."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return ""
    return unquote(path).rstrip("/")


class Redirects:
    """The redirects one import makes, counted in its report."""

    def __init__(self, report: Report):
        self.report = report
        self.base = ""  # the old blog's folder on its host, e.g. "/blog"

    def home(self, warn):
        """A blog that lived in a folder: its home and main feed lead to ours (at the root
        of a host they are our own addresses already)."""
        if not self.base:
            return
        home = escape_uri_path(self.base + "/")
        self.save(home, reverse("home:index"), None, warn, kind="home")
        self.save(home + "feed/", reverse("home:feed"), None, warn, kind="home")

    def item(self, link: str, new_path: str, mapping: ImportedItem, warn):
        """The item's old permalink leads to its new address; so does the one before, if
        the old site renamed it since the last import."""
        path = old_path(link, self.base) if link else None
        if path is None:
            return
        if len(path) > REDIRECT_LENGTH:
            warn("redirect", f"the old address is longer than {REDIRECT_LENGTH} characters")
            return
        if mapping.old_path and mapping.old_path != path:
            # The old site renamed the post: its earlier address leads here too.
            Redirect.objects.filter(site_id=settings.SITE_ID, old_path=mapping.old_path).update(
                new_path=new_path
            )
        self.save(path, new_path, mapping, warn)
        if mapping.old_path != path:
            mapping.old_path = path
            mapping.save(update_fields=["old_path"])

    def save(
        self, path: str, new_path: str, mapping: ImportedItem | None, warn, kind: str = "post"
    ):
        if path == new_path:
            return
        existing = Redirect.objects.filter(site_id=settings.SITE_ID, old_path=path).first()
        if existing is None:
            Redirect.objects.create(site_id=settings.SITE_ID, old_path=path, new_path=new_path)
            self.report.redirects["created"] += 1
            self.report.redirects[f"created {kind}"] += 1
        elif existing.new_path == new_path:
            self.report.redirects["unchanged"] += 1
        elif mapping is not None and mapping.old_path == path:
            # This item's own redirect from an earlier run: its new address moved.
            existing.new_path = new_path
            existing.save(update_fields=["new_path"])
            self.report.redirects["updated"] += 1
        else:
            # Another post's or page's (or one the author made): one old address can lead to
            # one place only, so the first keeps it.
            warn(
                "redirect clash",
                f"the old address {path} already redirects to {existing.new_path}, so it "
                f"does not lead to {new_path}; change it under Redirects in the admin if it "
                "should",
            )
            self.report.redirects["clashes"] += 1
