"""Import a WordPress export (WXR) into the blog: the one importer behind the
`import_wordpress` command and the admin page.

Decisions (see also the README):

- Posts become blog posts. Pages are skipped and reported, since this site has no pages;
  `pages="draft"` imports them as draft posts instead, so their text is kept.
- Tags become categories (the site has no tags): a tag and a category with the same slug
  or name are one category. WordPress's default "Uncategorized" is left out.
- Status: publish → published; future → published with its future date (scheduled);
  draft, pending, private → draft; trash and auto-draft → skipped. A password-protected
  post is imported as a draft and reported. Sticky posts are featured.
- The publication date is the GMT date of the export; drafts often have a zeroed one, and
  then the RFC 822 <pubDate> or the local post date stands in.
- Slugs: WordPress's post name, made ASCII (the URL pattern takes ASCII slugs); a slug
  another post has is given a -2, -3… suffix and reported.
- Every item's old permalink path redirects (301) to its new address, through
  django.contrib.redirects; so do the old /category/… and /tag/… archive addresses. A
  blog installed in a folder (`http://host/blog`) keeps that folder in each old address
  (`/blog/category/…`), and its home and feed lead to ours. `?p=123` links carry no path
  of their own: WordPressIdRedirectMiddleware answers them from ImportedItem. An old
  address that already redirects elsewhere keeps its redirect, and the clash is reported.
- Each item is imported in its own transaction: a bad item is reported and skipped, and
  the rest goes on. ImportedItem remembers what each WordPress item became, so a second
  run updates (or leaves alone) instead of duplicating.

This module runs the import and puts each post together; post_fields, post_media, terms,
redirects and item_mapping hold the rules for each part, report.py what is said about it.
"""

import logging
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from blog.models import Post
from core import bulk
from core.models import Status
from wordpress import convert, item_mapping, post_fields
from wordpress.media import MediaLibrary
from wordpress.post_media import audio_version, cover_image
from wordpress.redirects import Redirects, base_path
from wordpress.report import SKIPPED_TYPES, Report
from wordpress.terms import Terms
from wordpress.wxr import ScanResult, WxrItem, WxrReader

logger = logging.getLogger(__name__)

PAGE_MODES = ("skip", "draft")


def default_warnings_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "wordpress-import" / f"warnings-{stamp}.txt"


class Importer:
    """Runs one import. `source` is a path or an open binary file (an upload)."""

    def __init__(
        self,
        source,
        *,
        media_dir: Path | str | None = None,
        dry_run: bool = False,
        pages: str = "skip",
        warnings_path: Path | str | None = None,
        progress: bool = False,
        on_action=None,
    ):
        if pages not in PAGE_MODES:
            raise ValueError(f"pages must be one of {PAGE_MODES}")
        self.source = source
        self.dry_run = dry_run
        self.pages = pages
        self.progress = progress
        self.on_action = on_action or (lambda line: None)
        self.media = MediaLibrary(media_dir, dry_run=dry_run)
        self.report = Report(warnings_path, dry_run=dry_run)
        self.redirects = Redirects(self.report)
        self.scan: ScanResult | None = None
        self.terms: Terms | None = None
        self.site_hosts: set[str] = set()
        self._post_type = ContentType.objects.get_for_model(Post)

    # The run

    @bulk.importing()
    def run(self) -> Report:
        """Scan, then import item by item. Raises wxr.NotAnExport for files that are not
        WordPress exports; anything wrong inside the export is reported, not raised."""
        started = time.monotonic()
        try:
            self.scan = WxrReader(self.source).scan()
            self.terms = Terms(self.scan, self.report, self.redirects)
            self._describe_export()
            atomic = transaction.atomic() if self.dry_run else nullcontext()
            with atomic:
                self.redirects.home(self._warner_for("the blog's home"))
                reader = WxrReader(self.source)
                items = tqdm(
                    reader.iter_items(),
                    total=self.scan.items,
                    unit=" items",
                    desc="Importing",
                    file=sys.stderr,
                    disable=not self.progress,
                    dynamic_ncols=True,
                )
                for item in items:
                    self._handle(item)
                if self.dry_run:
                    transaction.set_rollback(True)
            self.report.media.update(
                copied=self.media.copied, reused=self.media.reused, missing=self.media.missing
            )
        finally:
            self.report.finish(time.monotonic() - started)
        return self.report

    def _describe_export(self):
        scan = self.scan
        report = self.report
        report.title = scan.channel.title
        report.source = scan.source
        report.wxr_version = scan.channel.wxr_version
        if scan.channel.wxr_version not in ("1.0", "1.1", "1.2"):
            report.warn(
                "format",
                f"WXR version “{scan.channel.wxr_version or 'none'}”; read as WXR 1.2",
            )
        for defect in scan.defects:
            report.warn("xml", defect)
        report.comments = sum(scan.comments.values())
        report.comments_by_type = scan.comments
        for url in (scan.channel.link, scan.channel.base_blog_url):
            host = urlsplit(url).netloc.lower()
            if host:
                self.site_hosts.add(host)
        self.redirects.base = base_path(scan.channel.base_blog_url or scan.channel.link)

    def _handle(self, item: WxrItem):
        post_type = item.post_type or "(no type)"
        if post_type not in ("post", "page"):
            self.report.count(post_type, "skipped", SKIPPED_TYPES.get(post_type, "not content"))
            return
        if post_type == "page" and self.pages == "skip":
            self.report.count("page", "skipped", "this site has no pages")
            self.report.warn(
                "page skipped",
                "this site has no pages; import pages as draft posts to keep its text",
                item.label,
            )
            return
        if item.status in post_fields.SKIPPED_STATUSES:
            self.report.count(post_type, "skipped", post_fields.SKIPPED_STATUSES[item.status])
            return
        if not item.post_id:
            self.report.count(post_type, "failed")
            self.report.warn("error", "the item has no WordPress post id", item.label)
            return
        try:
            with transaction.atomic():
                outcome, post = self._import_post(item)
        except Exception as exc:  # one bad item must not stop the import
            logger.debug("Import of %s failed", item.label, exc_info=True)
            self.terms.forget()
            self.report.count(post_type, "failed")
            self.report.warn("error", f"not imported: {type(exc).__name__}: {exc}", item.label)
            return
        self.report.count(post_type, outcome)
        self.report.statuses[self._state(post)] += 1
        if self.dry_run:
            verb = {"created": "create", "updated": "update", "unchanged": "leave unchanged"}
            outcome = f"would {verb[outcome]}"
        self.on_action(f"{outcome} {item.label} → {post.get_absolute_url()}")

    @staticmethod
    def _state(post: Post) -> str:
        if post.status == Status.DRAFT:
            return "draft"
        return "scheduled" if post.published_at > timezone.now() else "published"

    # One post

    def _import_post(self, item: WxrItem) -> tuple[str, Post]:
        warn = self._warner_for(item.label)
        mapping, post = item_mapping.find(self.scan, item, self._post_type)
        is_new = post is None
        if is_new:
            post = Post()

        title = post_fields.title(item, warn)
        status, published_at = post_fields.status_and_date(item, warn)
        if item.post_type == "page":
            status = Status.DRAFT  # a page becomes a draft post for the author to place
        attachments = self.scan.attachments
        audio = audio_version(item, self.media, attachments, warn)
        ctx = convert.Context(
            post_id=item.post_id,
            media=self.media,
            attachments=attachments,
            footnotes=item.meta_value("footnotes"),
            audio_rel=audio.rel if audio else None,
            site_hosts=self.site_hosts,
            warn=warn,
        )
        converted = convert.to_markdown(item.content, ctx)
        excerpt = convert.html_to_text(item.excerpt) or converted.excerpt
        cover_name, cover_alt = cover_image(item, self.media, attachments, warn)
        categories = self.terms.categories(item, warn)

        values = {
            "title": title,
            "slug": post_fields.unique_slug(item, title, post, warn),
            "body": converted.markdown,
            "excerpt": excerpt,
            "status": status,
            "published_at": published_at,
            "featured": item.sticky and item.post_type == "post",
            "meta_description": post_fields.meta_description(item),
        }
        if not self.dry_run:  # a dry run copies no files, so it cannot point at them
            values["cover_image"] = cover_name
            values["cover_alt"] = cover_alt[:200]
            values["audio"] = audio.name if audio else ""

        def current(field):
            value = getattr(post, field)
            return (value.name or "") if field in ("audio", "cover_image") else value

        changed = is_new or any(current(field) != value for field, value in values.items())
        if changed:
            if "audio" in values and current("audio") != values["audio"]:
                post.audio_mime_type = ""  # read the new file's details on save
            for field, value in values.items():
                setattr(post, field, value)
            post.save()
        if is_new or {c.pk for c in post.categories.all()} != {c.pk for c in categories}:
            post.categories.set(categories)
            changed = True

        mapping = item_mapping.remember(self.scan, item, post, mapping, self._post_type)
        self.redirects.item(item.link, post.get_absolute_url(), mapping, warn)
        if is_new:
            return "created", post
        return ("updated" if changed else "unchanged"), post

    def _warner_for(self, label: str):
        def warn(kind: str, message: str):
            self.report.warn(kind, message, label)

        return warn
