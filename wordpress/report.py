"""What an import did: counts for the summary, and every warning in a file.

Warnings are written to the file as they happen (a large export can have many) and only
the first few hundred are kept in memory for the admin page.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

KEEP_IN_MEMORY = 500

OUTCOME_ORDER = [
    "created",
    "updated",
    "unchanged",
    "imported as draft",
    "failed",
    "skipped",
]

# Why items of other types are not imported, for the summary.
SKIPPED_TYPES = {
    "attachment": "attachment pages are not imported (files the posts use are copied)",
    "nav_menu_item": "not imported (menus are not content)",
    "revision": "not imported (old revisions)",
}


@dataclass(frozen=True)
class Notice:
    kind: str
    item: str
    message: str

    def __str__(self):
        return (
            f"[{self.kind}] {self.item}: {self.message}"
            if self.item
            else (f"[{self.kind}] {self.message}")
        )


class Report:
    def __init__(self, warnings_path: Path | None = None, dry_run: bool = False):
        self.dry_run = dry_run
        self.title = ""
        self.source = ""
        self.wxr_version = ""
        self.items: dict[str, Counter] = defaultdict(Counter)  # post type → outcome → n
        self.skip_reasons: Counter = Counter()  # (post type, reason) → n
        self.statuses: Counter = Counter()  # of imported posts: published, scheduled, draft
        self.terms: dict[str, Counter] = defaultdict(Counter)  # taxonomy → created/existing
        self.redirects: Counter = Counter()
        self.media: Counter = Counter()
        self.comments = 0
        self.comments_by_type: Counter = Counter()
        self.warning_kinds: Counter = Counter()
        self.warnings: list[Notice] = []
        self.actions: list[str] = []
        self.started = timezone.now()
        self.seconds = 0.0
        self.warnings_path = Path(warnings_path) if warnings_path else None
        self._file = None
        if self.warnings_path:
            self.warnings_path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.warnings_path.open("w", encoding="utf-8")
            mode = " (dry run: nothing was changed)" if dry_run else ""
            self._file.write(f"WordPress import, {self.started:%Y-%m-%d %H:%M:%S %Z}{mode}\n\n")

    # Recording

    def warn(self, kind: str, message: str, item: str = ""):
        warning = Notice(kind, item, message)
        self.warning_kinds[kind] += 1
        if len(self.warnings) < KEEP_IN_MEMORY:
            self.warnings.append(warning)
        if self._file:
            self._file.write(f"{warning}\n")

    def count(self, post_type: str, outcome: str, reason: str = ""):
        self.items[post_type][outcome] += 1
        if reason:
            self.skip_reasons[(post_type, outcome, reason)] += 1

    @property
    def warning_count(self) -> int:
        return sum(self.warning_kinds.values())

    def finish(self, seconds: float):
        self.seconds = seconds
        if self._file:
            self._file.write("\n" + "\n".join(self.lines()) + "\n")
            self._file.close()
            self._file = None

    # Presenting

    def item_lines(self) -> list[str]:
        lines = []
        for post_type in sorted(self.items, key=lambda t: (t not in ("post", "page"), t)):
            outcomes = self.items[post_type]
            total = sum(outcomes.values())
            parts = []
            for outcome in sorted(outcomes, key=lambda o: ([*OUTCOME_ORDER, o]).index(o)):
                reasons = [
                    (n, reason)
                    for (t, o, reason), n in sorted(self.skip_reasons.items())
                    if t == post_type and o == outcome
                ]
                if len(reasons) == 1 and reasons[0][0] == outcomes[outcome]:
                    detail = f": {reasons[0][1]}"
                else:
                    detail = ", ".join(f"{n} {reason}" for n, reason in reasons)
                    detail = f" ({detail})" if detail else ""
                parts.append(f"{outcomes[outcome]} {outcome}{detail}")
            lines.append(f"{post_type}: {total} — {'; '.join(parts)}")
        return lines

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        lines = []
        head = "Dry run of the WordPress import" if self.dry_run else "WordPress import"
        if self.title or self.source:
            head += f" of “{self.title}” ({self.source}, WXR {self.wxr_version or '?'})"
        lines.append(head)
        lines.append("Items by type:")
        lines += ["  " + line for line in self.item_lines()]
        if self.statuses:
            states = ", ".join(f"{n} {state}" for state, n in sorted(self.statuses.items()))
            lines.append(f"Imported posts by state: {states}")
        for taxonomy, label in (("category", "Categories"), ("post_tag", "Tags")):
            counts = self.terms.get(taxonomy, Counter())
            lines.append(
                f"{label}: {counts['created']} {would}created, {counts['existing']} matched an "
                f"existing category{' (tags become categories)' if taxonomy == 'post_tag' else ''}"
            )
        lines.append(
            f"Comments: {self.comments} not imported (this site has no comments)"
            if self.comments
            else "Comments: none in the export"
        )
        created = self.redirects["created"]
        detail = (
            f" ({self.redirects['created post']} posts, {self.redirects['created archive']} "
            "category and tag archives"
            + (", the old home and feed" if self.redirects["created home"] else "")
            + ")"
            if created
            else ""
        )
        clashes = self.redirects["clashes"]
        lines.append(
            f"Redirects from old addresses: {created} {would}created{detail}, "
            f"{self.redirects['updated']} {would}updated, {self.redirects['unchanged']} unchanged"
            + (f", {clashes} already leading elsewhere (see the warnings)" if clashes else "")
        )
        lines.append(
            f"Media files: {self.media['copied']} {would}copied, {self.media['reused']} already "
            f"there, {self.media['missing']} not found"
        )
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.warning_kinds.most_common())
        lines.append(f"Warnings: {self.warning_count}" + (f" ({kinds})" if kinds else ""))
        if self.warnings_path:
            lines.append(f"Every warning is listed in {self.warnings_path}")
        lines.append(f"Time: {self.seconds:.1f} s")
        return lines
