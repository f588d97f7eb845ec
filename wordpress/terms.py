"""WordPress categories and tags, as this site's categories (it has no tags).

A tag and a category with the same slug or name are one category, and the author's own
categories are reused the same way. WordPress's default "Uncategorized" is left out. The
old archive addresses (/category/parent/child/, /tag/name/) redirect to the category.
"""

import hashlib
from urllib.parse import unquote

from django.utils.text import slugify

from blog.models import Category
from wordpress.convert import html_to_text
from wordpress.redirects import Redirects, old_path
from wordpress.report import Report
from wordpress.wxr import ScanResult, WxrItem, unescape_title

UNCATEGORIZED = "uncategorized"
NAME_LENGTH = Category._meta.get_field("name").max_length


class Terms:
    """The categories of one import, each looked up or made once."""

    def __init__(self, scan: ScanResult, report: Report, redirects: Redirects):
        self.scan = scan
        self.report = report
        self.redirects = redirects
        self._terms: dict[tuple[str, str], Category | None] = {}
        self._redirected: set[str] = set()

    def forget(self):
        """Categories made in a rolled-back transaction are gone: look them up again."""
        self._terms.clear()

    def categories(self, item: WxrItem, warn) -> list[Category]:
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
                description=html_to_text(definition.description) if definition else "",
            )
            self.report.terms[taxonomy]["created"] += 1
        else:
            self.report.terms[taxonomy]["existing"] += 1
        self._terms[key] = category
        self._redirect(taxonomy, nicename, category, warn)
        return category

    def _archive_path(self, taxonomy: str, nicename: str) -> str:
        base = self.redirects.base
        if taxonomy == "post_tag":
            return f"{base}/tag/{nicename}/"
        parts, seen = [nicename], {nicename}
        definition = self.scan.terms.get(("category", nicename))
        while definition and definition.parent and definition.parent not in seen:
            parts.insert(0, definition.parent)
            seen.add(definition.parent)
            definition = self.scan.terms.get(("category", definition.parent))
        return f"{base}/category/" + "/".join(parts) + "/"

    def _redirect(self, taxonomy: str, nicename: str, category: Category, warn):
        if not nicename:
            return
        path = old_path(self._archive_path(taxonomy, nicename), self.redirects.base)
        if path and path not in self._redirected:
            self._redirected.add(path)
            self.redirects.save(path, category.get_absolute_url(), None, warn, kind="archive")
