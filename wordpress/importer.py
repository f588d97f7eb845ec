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
"""

import hashlib
import logging
import sys
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify
from PIL import Image
from tqdm import tqdm

from blog.audio import read_audio
from blog.models import Category, Post
from core.models import Status
from wordpress import convert
from wordpress.media import MediaLibrary
from wordpress.models import ImportedItem
from wordpress.report import SKIPPED_TYPES, Report
from wordpress.wxr import ScanResult, WxrItem, WxrReader, unescape_title

logger = logging.getLogger(__name__)

STATUSES = {
    "publish": Status.PUBLISHED,
    "future": Status.PUBLISHED,
    "draft": Status.DRAFT,
    "pending": Status.DRAFT,
    "private": Status.DRAFT,
}
SKIPPED_STATUSES = {
    "trash": "in the trash",
    "auto-draft": "auto-drafts",
    "inherit": "revisions",
}
META_DESCRIPTION_KEYS = [
    "_yoast_wpseo_metadesc",
    "rank_math_description",
    "_aioseop_description",
    "_genesis_description",
]
UNCATEGORIZED = "uncategorized"
PAGE_MODES = ("skip", "draft")
TITLE_LENGTH = Post._meta.get_field("title").max_length
SLUG_LENGTH = Post._meta.get_field("slug").max_length
NAME_LENGTH = Category._meta.get_field("name").max_length
REDIRECT_LENGTH = Redirect._meta.get_field("old_path").max_length


def default_warnings_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "wordpress-import" / f"warnings-{stamp}.txt"


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


def _parse_wp_date(value: str) -> datetime | None:
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _parse_rfc822(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.year < 1971:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
        self.scan: ScanResult | None = None
        self.site_hosts: set[str] = set()
        self.base = ""  # the old blog's folder on its host, e.g. "/blog"
        self._terms: dict[tuple[str, str], Category | None] = {}
        self._term_redirects: set[str] = set()
        self._post_type = ContentType.objects.get_for_model(Post)

    # The run

    def run(self) -> Report:
        """Scan, then import item by item. Raises wxr.NotAnExport for files that are not
        WordPress exports; anything wrong inside the export is reported, not raised."""
        started = time.monotonic()
        try:
            self.scan = WxrReader(self.source).scan()
            self._describe_export()
            atomic = transaction.atomic() if self.dry_run else nullcontext()
            with atomic:
                self._home_redirects()
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
        self.base = base_path(scan.channel.base_blog_url or scan.channel.link)

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
        if item.status in SKIPPED_STATUSES:
            self.report.count(post_type, "skipped", SKIPPED_STATUSES[item.status])
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
            self._terms.clear()  # categories made in the rolled-back transaction are gone
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

    def _find(self, item: WxrItem) -> tuple[ImportedItem | None, Post | None]:
        """The earlier import of this item, if any (see ImportedItem)."""
        source, guid = self.scan.source, item.guid[:500]
        same_id = ImportedItem.objects.filter(source=source, wp_id=item.post_id)
        mapping = same_id.filter(guid=guid).first()
        if mapping is None and guid:
            # The same post exported from another address, or after a move to a new
            # WordPress (new ids, same GUID). Exports do reuse GUIDs for different posts, so
            # a mapping to an id of this very export is that other post, never this one.
            for candidate in ImportedItem.objects.filter(guid=guid):
                if candidate.source != source or candidate.wp_id not in self.scan.post_ids:
                    mapping = candidate
                    break
        if mapping is None:
            # An export without GUIDs, or an earlier one without: the id alone.
            mapping = same_id.filter(guid="").first() if guid else same_id.first()
        if mapping is None or mapping.content_type_id != self._post_type.pk:
            return mapping, None
        return mapping, Post.objects.filter(pk=mapping.object_id).first()

    def _import_post(self, item: WxrItem) -> tuple[str, Post]:
        warn = self._warner(item)
        mapping, post = self._find(item)
        is_new = post is None
        if is_new:
            post = Post()

        title = unescape_title(item.title)
        if not title:
            title = "Untitled"
            warn("untitled", "the item has no title; it is called “Untitled”")
        if len(title) > TITLE_LENGTH:
            warn("long title", f"title cut to {TITLE_LENGTH} characters")
            title = title[: TITLE_LENGTH - 1] + "…"

        status, published_at = self._status_and_date(item, warn)
        if item.post_type == "page":
            status = Status.DRAFT  # a page becomes a draft post for the author to place
        audio = self._audio(item, warn)
        ctx = convert.Context(
            post_id=item.post_id,
            media=self.media,
            attachments=self.scan.attachments,
            footnotes=item.meta_value("footnotes"),
            audio_rel=audio.rel if audio else None,
            site_hosts=self.site_hosts,
            warn=warn,
        )
        converted = convert.to_markdown(item.content, ctx)
        excerpt = convert.html_to_text(item.excerpt) or converted.excerpt
        meta_description = next(
            (item.meta_value(k).strip() for k in META_DESCRIPTION_KEYS if item.meta_value(k)), ""
        )[:300]
        cover_name, cover_alt = self._cover(item, warn)
        categories = self._categories(item, warn)

        values = {
            "title": title,
            "slug": self._slug(item, title, post, warn),
            "body": converted.markdown,
            "excerpt": excerpt,
            "status": status,
            "published_at": published_at,
            "featured": item.sticky and item.post_type == "post",
            "meta_description": meta_description,
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

        mapping = self._remember(item, post, mapping)
        self._redirect(item.link, post.get_absolute_url(), mapping, warn)
        if is_new:
            return "created", post
        return ("updated" if changed else "unchanged"), post

    def _home_redirects(self):
        """A blog that lived in a folder: its home and main feed lead to ours (at the root
        of a host they are our own addresses already)."""
        if not self.base:
            return
        warn = self._warner_for("the blog's home")
        home = escape_uri_path(self.base + "/")
        self._save_redirect(home, reverse("home:index"), None, warn, kind="home")
        self._save_redirect(home + "feed/", reverse("home:feed"), None, warn, kind="home")

    def _warner(self, item: WxrItem):
        return self._warner_for(item.label)

    def _warner_for(self, label: str):
        def warn(kind: str, message: str):
            self.report.warn(kind, message, label)

        return warn

    def _status_and_date(self, item: WxrItem, warn) -> tuple[str, datetime]:
        status = STATUSES.get(item.status)
        if status is None:
            warn("status", f"unknown status “{item.status}”; imported as a draft")
            status = Status.DRAFT
        if item.password.strip() and status == Status.PUBLISHED:
            warn("password", "password-protected on WordPress; imported as a draft")
            status = Status.DRAFT
        published_at = _parse_wp_date(item.post_date_gmt) or _parse_rfc822(item.pub_date)
        if published_at is None:
            published_at = _parse_wp_date(item.post_date)
            if published_at is None:
                published_at = timezone.now()
                if item.status != "draft":
                    warn("date", "no usable date; dated now")
            elif item.status not in ("draft", "pending", "auto-draft"):
                warn("date", "no GMT date; the local date is taken as UTC")
        if item.status == "future" and published_at <= timezone.now():
            warn("date", "was scheduled for a time now past; it is published")
        return status, published_at

    def _slug(self, item: WxrItem, title: str, post: Post, warn) -> str:
        name = unquote(item.post_name)
        from_name, from_title = slugify(name), slugify(title)
        if not name.isascii() and len(from_title) > len(from_name):
            from_name = from_title  # "επίπεδο-2" keeps only "2"; the title may say more
        base = (from_name or from_title or f"post-{item.post_id}")[:SLUG_LENGTH].strip("-")
        candidate, n = base, 2
        others = Post.objects.exclude(pk=post.pk) if post.pk else Post.objects.all()
        while others.filter(slug=candidate).exists():
            suffix = f"-{n}"
            candidate = base[: SLUG_LENGTH - len(suffix)] + suffix
            n += 1
        if candidate != base and candidate != post.slug:  # reported once, when it happens
            warn("duplicate slug", f"another post has the slug “{base}”; this one is “{candidate}”")
        return candidate

    # Media

    def _audio(self, item: WxrItem, warn):
        """The post's audio version: the enclosure, else the first [audio] or audio block
        whose file is in the media folder and is audio the site can publish."""
        urls = [v.strip().split("\n")[0].strip() for v in item.meta.get("enclosure", [])]
        ctx = convert.Context(post_id=item.post_id, attachments=self.scan.attachments)
        urls += convert.audio_urls(item.content, ctx)
        seen = set()
        for url in urls:
            if not url or url in seen:
                continue
            seen.add(url)
            if convert.url_extension(url) not in convert.AUDIO_EXTENSIONS:
                continue
            rel, path = self.media.locate(url)
            if rel is None:
                warn("audio", f"{url} is not on the old site; it is linked, not copied")
                continue
            if path is None:
                warn("missing media", f"audio {url} is not in the media folder")
                continue
            try:
                with path.open("rb") as f:
                    read_audio(File(f, name=path.name))
            except ValidationError as exc:
                warn("audio", " ".join(exc.messages))
                continue
            _rel, local = self.media.localize(url)
            return local
        return None

    def _cover(self, item: WxrItem, warn) -> tuple[str, str]:
        thumbnail = item.meta_value("_thumbnail_id").strip()
        if not thumbnail.isdigit():
            return "", ""
        attachment = self.scan.attachments.get(int(thumbnail))
        if attachment is None:
            warn("missing media", f"featured image {thumbnail} is not in the export")
            return "", ""
        rel, local = self.media.localize(attachment.url)
        if rel is None:
            return "", ""
        if local is None:
            warn("missing media", f"featured image {attachment.url} is not in the media folder")
            return "", ""
        try:
            with Image.open(local.path) as image:
                image.verify()
        except Exception:
            warn("media", f"featured image {attachment.url} is not an image this site can show")
            return "", ""
        return local.name, attachment.alt or attachment.title

    # Categories and tags

    def _categories(self, item: WxrItem, warn) -> list[Category]:
        result: list[Category] = []
        for taxonomy, nicename, text in item.terms:
            if taxonomy not in ("category", "post_tag"):
                continue
            category = self._term(taxonomy, nicename, text, warn)
            if category is not None and category not in result:
                result.append(category)
        return result

    def _term(self, taxonomy: str, nicename: str, text: str, warn) -> Category | None:
        key = (taxonomy, nicename or text)
        if key in self._terms:
            return self._terms[key]
        definition = self.scan.terms.get((taxonomy, nicename))
        name = unescape_title(definition.name if definition and definition.name else text)
        name = name[:NAME_LENGTH].strip()
        slug = (slugify(unquote(nicename)) or slugify(name))[:100].strip("-")
        if not slug and name:
            slug = "category-" + hashlib.sha1(name.encode()).hexdigest()[:8]
        if not name or slug == UNCATEGORIZED:
            self._terms[key] = None
            return None
        category = (
            Category.objects.filter(slug=slug).first()
            or Category.objects.filter(name__iexact=name).first()
        )
        if category is None:
            category = Category.objects.create(
                name=name,
                slug=slug,
                description=convert.html_to_text(definition.description) if definition else "",
            )
            self.report.terms[taxonomy]["created"] += 1
        else:
            self.report.terms[taxonomy]["existing"] += 1
        self._terms[key] = category
        self._term_redirect(taxonomy, nicename, category, warn)
        return category

    def _term_path(self, taxonomy: str, nicename: str) -> str:
        if taxonomy == "post_tag":
            return f"{self.base}/tag/{nicename}/"
        parts, seen = [nicename], {nicename}
        definition = self.scan.terms.get(("category", nicename))
        while definition and definition.parent and definition.parent not in seen:
            parts.insert(0, definition.parent)
            seen.add(definition.parent)
            definition = self.scan.terms.get(("category", definition.parent))
        return f"{self.base}/category/" + "/".join(parts) + "/"

    def _term_redirect(self, taxonomy: str, nicename: str, category: Category, warn):
        if not nicename:
            return
        path = old_path(self._term_path(taxonomy, nicename), self.base)
        if path and path not in self._term_redirects:
            self._term_redirects.add(path)
            self._save_redirect(path, category.get_absolute_url(), None, warn, kind="archive")

    # Mapping and redirects

    def _remember(self, item: WxrItem, post: Post, mapping: ImportedItem | None) -> ImportedItem:
        values = {
            "source": self.scan.source,
            "wp_id": item.post_id,
            "guid": item.guid[:500],
            "wp_type": item.post_type,
            "content_type": self._post_type,
            "object_id": post.pk,
            "old_url": item.link[:500],
        }
        if mapping is None:
            return ImportedItem.objects.create(**values)
        if any(getattr(mapping, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(mapping, key, value)
            mapping.save()
        return mapping

    def _redirect(self, link: str, new_path: str, mapping: ImportedItem, warn):
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
        self._save_redirect(path, new_path, mapping, warn)
        if mapping.old_path != path:
            mapping.old_path = path
            mapping.save(update_fields=["old_path"])

    def _save_redirect(
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
