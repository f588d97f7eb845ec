"""What a WordPress item's own fields become on a post: its title, status and publication
date, slug and meta description (the importer's docstring gives the rules)."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from django.utils import timezone
from django.utils.text import slugify

from blog.models import Post
from core.models import Status
from wordpress.wxr import WxrItem, unescape_title

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
TITLE_LENGTH = Post._meta.get_field("title").max_length
SLUG_LENGTH = Post._meta.get_field("slug").max_length


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


def title(item: WxrItem, warn) -> str:
    text = unescape_title(item.title)
    if not text:
        text = "Untitled"
        warn("untitled", "the item has no title; it is called “Untitled”")
    if len(text) > TITLE_LENGTH:
        warn("long title", f"title cut to {TITLE_LENGTH} characters")
        text = text[: TITLE_LENGTH - 1] + "…"
    return text


def status_and_date(item: WxrItem, warn) -> tuple[str, datetime]:
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


def unique_slug(item: WxrItem, title: str, post: Post, warn) -> str:
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


def meta_description(item: WxrItem) -> str:
    """What an SEO plugin kept as the post's description for search engines."""
    return next(
        (item.meta_value(k).strip() for k in META_DESCRIPTION_KEYS if item.meta_value(k)), ""
    )[:300]
