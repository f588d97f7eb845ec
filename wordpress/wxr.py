"""Streaming reader for WordPress eXtended RSS (WXR) exports, versions 1.0 to 1.2.

The file is read with lxml's `iterparse` and every element is dropped from the tree as soon
as it has been handled, so memory stays flat however large the export is. The reader
tolerates what real exports get wrong: control characters that XML forbids (removed before
parsing), undeclared namespace prefixes, stray `&` and truncated files (libxml2's recovery
mode; each defect is reported with its line), and both spellings of the WordPress
namespaces (`http://wordpress.org/export/1.x/` and `https://…`). Elements are matched by
local name, so the namespace version does not matter.

Two passes over the file: `scan()` reads the channel (site address, categories, tags),
the attachments (id → URL, for galleries and featured images) and counts items and
comments; `iter_items()` then yields one `WxrItem` at a time for the import itself.
"""

import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

# Characters XML 1.0 forbids; WordPress exports them anyway (pasted from Word, mostly).
# In UTF-8 these bytes never occur inside a multi-byte sequence, so removing them from the
# byte stream is safe.
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class NotAnExport(Exception):
    """The file is not a WordPress export (not XML, or XML without a WXR channel)."""


class _CleanStream:
    """A file wrapper that removes forbidden control characters as lxml reads."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0
        self.removed = 0

    def read(self, size=-1):
        chunk = self.raw.read(size)
        self.bytes_read += len(chunk)
        cleaned = _FORBIDDEN_BYTES.sub(b"", chunk)
        self.removed += len(chunk) - len(cleaned)
        return cleaned


@contextmanager
def open_source(source):
    """A binary file for `source`: a path, or an open binary file (rewound, left open)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as f:
            yield f
    else:
        source.seek(0)
        yield source


def local_name(tag) -> tuple[str, str]:
    """(namespace or undeclared prefix, local name) of an element tag."""
    if not isinstance(tag, str):  # comments and processing instructions
        return "", ""
    ns = ""
    if tag.startswith("{"):
        ns, _, tag = tag[1:].partition("}")
    if ":" in tag:  # an undeclared prefix kept in the name by the recovering parser
        ns, _, tag = tag.rpartition(":")
    return ns, tag


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


# HTML elements that turn up in WordPress titles (`Title <em>With</em> Markup`): WordPress
# prints titles as HTML, so they show as formatting there. Only these count as tags, so
# text that merely looks like one (`Vec<T>`, `List<String>`) stays.
INLINE_ELEMENTS = {
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "var",
}  # fmt: skip
BREAKING_ELEMENTS = {"br", "wbr", "p", "div", "hr"}
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")


def _drop_tags(value: str) -> str:
    def replace(match):
        name = match.group(1).lower()
        if name in INLINE_ELEMENTS:
            return ""
        return " " if name in BREAKING_ELEMENTS else match.group(0)

    return _TAG.sub(replace, value)


def unescape_title(value: str) -> str:
    """Plain text of a title or term name as WordPress stores it: HTML, so inline markup
    (`<em>`, `<code>`…) goes and its words stay, and entities are decoded, undoing the
    double escaping some exports have (`&amp;amp;`, or `&amp;` inside CDATA). A tag
    written as text (`&lt;em&gt;`) is text: tags go before entities are decoded."""
    value = html.unescape(_drop_tags(value or ""))
    if "&amp;" in value or "&#" in value:
        value = html.unescape(value)
    return " ".join(value.split())


@dataclass
class Term:
    taxonomy: str  # "category" or "post_tag"
    slug: str
    name: str
    parent: str = ""
    description: str = ""


@dataclass
class Attachment:
    url: str
    parent: int = 0
    alt: str = ""
    caption: str = ""
    title: str = ""


@dataclass
class WxrItem:
    """One <item> of the export, with the fields the importer uses."""

    line: int = 0
    title: str = ""
    link: str = ""
    pub_date: str = ""
    guid: str = ""
    content: str = ""
    excerpt: str = ""
    post_id: int = 0
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_parent: int = 0
    menu_order: int = 0
    post_type: str = ""
    password: str = ""
    sticky: bool = False
    attachment_url: str = ""
    # (taxonomy, slug, name) as listed on the item
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comment_count: int = 0

    def meta_value(self, key: str) -> str:
        values = self.meta.get(key)
        return values[0] if values else ""

    @property
    def label(self) -> str:
        """How the item is named in reports."""
        title = unescape_title(self.title) or "(no title)"
        return f"{self.post_type or 'item'} {self.post_id} “{title}”"


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""


@dataclass
class ScanResult:
    """What the first pass learns about an export."""

    channel: Channel = field(default_factory=Channel)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    attachments: dict[int, Attachment] = field(default_factory=dict)
    types: Counter = field(default_factory=Counter)  # items per post type
    comments: Counter = field(default_factory=Counter)  # comments per post type
    items: int = 0
    post_ids: set[int] = field(default_factory=set)  # of posts and pages
    defects: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """A stable name for the exported site: host and path of its address."""
        url = self.channel.base_blog_url or self.channel.link or self.channel.base_site_url
        url = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE).rstrip("/")
        host, _, path = url.partition("/")
        return (host.lower() + ("/" + path if path else ""))[:200] or "unknown"


def _to_int(value: str) -> int:
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        return 0


def _item_from_element(el) -> WxrItem:
    item = WxrItem(line=el.sourceline or 0)
    for child in el:
        ns, name = local_name(child.tag)
        if not name:
            continue
        if name == "encoded":
            if "excerpt" in ns:
                item.excerpt = child.text or ""
            else:
                item.content = child.text or ""
        elif name == "title":
            item.title = child.text or ""
        elif name == "link":
            item.link = _text(child)
        elif name == "pubDate":
            item.pub_date = _text(child)
        elif name == "guid":
            item.guid = _text(child)
        elif name == "post_id":
            item.post_id = _to_int(child.text)
        elif name == "post_date":
            item.post_date = _text(child)
        elif name == "post_date_gmt":
            item.post_date_gmt = _text(child)
        elif name == "post_name":
            item.post_name = _text(child)
        elif name == "status":
            item.status = _text(child).lower()
        elif name == "post_parent":
            item.post_parent = _to_int(child.text)
        elif name == "menu_order":
            item.menu_order = _to_int(child.text)
        elif name == "post_type":
            item.post_type = _text(child).lower()
        elif name == "post_password":
            item.password = child.text or ""
        elif name == "is_sticky":
            item.sticky = _text(child) == "1"
        elif name == "attachment_url":
            item.attachment_url = _text(child)
        elif name == "category":
            domain = (child.get("domain") or "category").lower()
            if domain == "tag":  # WXR 1.0 spelling
                domain = "post_tag"
            item.terms.append((domain, (child.get("nicename") or "").strip(), child.text or ""))
        elif name == "postmeta":
            key = value = ""
            for sub in child:
                sub_name = local_name(sub.tag)[1]
                if sub_name == "meta_key":
                    key = _text(sub)
                elif sub_name == "meta_value":
                    value = sub.text or ""
            if key:
                item.meta.setdefault(key, []).append(value)
        elif name == "comment":
            item.comment_count += 1
    return item


def _term_from_element(name: str, el) -> Term | None:
    fields = {local_name(child.tag)[1]: (child.text or "") for child in el}
    if name == "category":
        return Term(
            "category",
            fields.get("category_nicename", "").strip(),
            fields.get("cat_name", ""),
            fields.get("category_parent", "").strip(),
            fields.get("category_description", ""),
        )
    if name == "tag":
        return Term(
            "post_tag",
            fields.get("tag_slug", "").strip(),
            fields.get("tag_name", ""),
            "",
            fields.get("tag_description", ""),
        )
    if name == "term" and fields.get("term_taxonomy", "").strip() in ("category", "post_tag"):
        return Term(
            fields["term_taxonomy"].strip(),
            fields.get("term_slug", "").strip(),
            fields.get("term_name", ""),
            fields.get("term_parent", "").strip(),
            fields.get("term_description", ""),
        )
    return None


class WxrReader:
    """Iterates over the channel's children of a WXR file, one element at a time."""

    def __init__(self, source):
        self.source = source
        self.defects: list[str] = []
        self.saw_channel = False
        self.saw_wxr = False

    def _events(self) -> Iterator[tuple[str, object]]:
        """(local name, element) for every direct child of <channel>, then dropped."""
        with open_source(self.source) as raw:
            stream = _CleanStream(raw)
            parser = etree.iterparse(
                stream,
                events=("end",),
                recover=True,
                huge_tree=True,
                resolve_entities=False,
                no_network=True,
                remove_comments=True,
                remove_pis=True,
            )
            try:
                for _event, el in parser:
                    parent = el.getparent()
                    if parent is None:
                        continue
                    if local_name(parent.tag)[1] != "channel":
                        continue
                    self.saw_channel = True
                    ns, name = local_name(el.tag)
                    if "wordpress.org/export" in ns or ns == "wp":
                        self.saw_wxr = True
                    yield name, el
                    # Drop what has been read, and any text between elements.
                    el.clear(keep_tail=False)
                    parent.remove(el)
            except etree.XMLSyntaxError as exc:
                # Recovery gave up (rare: binary junk); what was read stands.
                self.defects.append(f"XML error the parser could not recover from: {exc}")
            for entry in parser.error_log:
                self.defects.append(f"XML defect at line {entry.line}: {entry.message.strip()}")
            if stream.removed:
                self.defects.append(
                    f"Removed {stream.removed} control character(s) that XML does not allow."
                )

    def scan(self) -> ScanResult:
        """First pass: channel details, terms, attachments and counts."""
        result = ScanResult()
        channel = result.channel
        for name, el in self._events():
            if name == "item":
                result.items += 1
                item = _item_from_element(el)
                post_type = item.post_type or "(none)"
                result.types[post_type] += 1
                result.comments[post_type] += item.comment_count
                if item.post_type in ("post", "page"):
                    result.post_ids.add(item.post_id)
                if item.post_type == "attachment" and item.post_id:
                    result.attachments[item.post_id] = Attachment(
                        url=item.attachment_url or item.guid,
                        parent=item.post_parent,
                        alt=item.meta_value("_wp_attachment_image_alt").strip(),
                        caption=item.excerpt.strip(),
                        title=unescape_title(item.title),
                    )
            elif name in ("category", "tag", "term"):
                term = _term_from_element(name, el)
                if term and (term.slug or term.name):
                    result.terms[(term.taxonomy, term.slug)] = term
            elif name == "title":
                channel.title = unescape_title(el.text or "")
            elif name == "link":
                channel.link = _text(el)
            elif name == "base_site_url":
                channel.base_site_url = _text(el)
            elif name == "base_blog_url":
                channel.base_blog_url = _text(el)
            elif name == "wxr_version":
                channel.wxr_version = _text(el)
        result.defects = list(self.defects)
        if not self.saw_channel:
            raise NotAnExport(
                "This file is not a WordPress export: no RSS channel was found in it "
                "(export one from WordPress under Tools → Export)."
            )
        if not (self.saw_wxr or channel.wxr_version):
            raise NotAnExport(
                "This file is an RSS feed, not a WordPress export (WXR): it has no "
                "WordPress data. Export the site from WordPress under Tools → Export."
            )
        return result

    def iter_items(self) -> Iterator[WxrItem]:
        """Second pass: every <item>, one at a time."""
        for name, el in self._events():
            if name == "item":
                yield _item_from_element(el)


def scan(source) -> ScanResult:
    return WxrReader(source).scan()
