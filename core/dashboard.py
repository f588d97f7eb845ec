"""The admin index as the author's dashboard: drafts, what is scheduled, and panels.

`core` knows no app, so each content app says what it contributes, in its
`AppConfig.ready()`:

- `register_writable(Model)`: a kind of item the author writes (a `Publishable`). Its
  drafts and its scheduled publications are listed, and the dashboard links to "Write a …".
- `register_scheduled(source)`: other things that happen at a set time (a newsletter issue's
  email sending); `source(limit)` returns `Item`s.
- `register_panel(template, context)`: a box of its own (the newsletter's figures);
  `context(request)` returns the template's context, or None to show nothing.

Everything is filtered by the user's view permission on the model in question, and costs
one query per registered source.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from core import previews
from core.models import Status

LIMIT = 10


@dataclass(frozen=True)
class Item:
    """One row of the dashboard: something to open, with the time that matters for it."""

    kind: str
    title: str
    when: datetime
    change_url: str
    note: str = ""
    preview_url: str = ""


@dataclass(frozen=True)
class Writable:
    model: type
    select_related: tuple[str, ...] = ()
    only: tuple[tuple[str, object], ...] = ()  # field lookups: which rows the author writes

    @property
    def opts(self):
        return self.model._meta

    @property
    def permission(self) -> str:
        return f"{self.opts.app_label}.view_{self.opts.model_name}"

    def url(self, action: str, *args) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{action}", args=args)

    def item(self, obj, when, note="") -> Item:
        return Item(
            kind=str(self.opts.verbose_name).capitalize(),
            title=str(obj),
            when=when,
            change_url=self.url("change", obj.pk),
            note=note,
            preview_url=previews.preview_url(obj) or "",
        )

    def queryset(self):
        queryset = self.model.objects.filter(**dict(self.only))
        return queryset.select_related(*self.select_related) if self.select_related else queryset


@dataclass(frozen=True)
class Panel:
    template: str
    context: object  # callable(request) -> dict | None
    permission: str


@dataclass
class Registry:
    writables: list[Writable] = field(default_factory=list)
    scheduled: list[tuple[str, object]] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)


_registry = Registry()


def register_writable(model, *, select_related: tuple[str, ...] = (), only=None) -> None:
    """`only`: a dict of field lookups, when the author writes only some of the rows."""
    if all(w.model is not model for w in _registry.writables):
        only = tuple(sorted((only or {}).items()))
        _registry.writables.append(Writable(model, tuple(select_related), only))


def register_scheduled(source, *, permission: str) -> None:
    """`source(limit)` returns up to `limit` upcoming `Item`s, soonest first."""
    if (permission, source) not in _registry.scheduled:
        _registry.scheduled.append((permission, source))


def register_panel(template: str, context, *, permission: str) -> None:
    if all(p.template != template for p in _registry.panels):
        _registry.panels.append(Panel(template, context, permission))


def app_labels() -> list[str]:
    """The apps that contribute to the dashboard, in registration order."""
    labels = [w.opts.app_label for w in _registry.writables]
    labels += [p.permission.split(".")[0] for p in _registry.panels]
    return list(dict.fromkeys(labels))


def drafts(user, limit: int = LIMIT) -> list[Item]:
    """The most recently edited drafts of every kind, newest first."""
    items = []
    for writable in _registry.writables:
        if not user.has_perm(writable.permission):
            continue
        rows = writable.queryset().filter(status=Status.DRAFT).order_by("-updated_at")[:limit]
        items += [writable.item(obj, obj.updated_at) for obj in rows]
    return sorted(items, key=lambda item: item.when, reverse=True)[:limit]


def scheduled(user, limit: int = LIMIT) -> list[Item]:
    """What will happen by itself, soonest first: publications and other registered events."""
    items = []
    for writable in _registry.writables:
        if not user.has_perm(writable.permission):
            continue
        rows = writable.queryset().scheduled().order_by("published_at")[:limit]
        items += [writable.item(obj, obj.published_at, "goes live") for obj in rows]
    for permission, source in _registry.scheduled:
        if user.has_perm(permission):
            items += source(limit)
    return sorted(items, key=lambda item: item.when)[:limit]


def write_links(user) -> list[tuple[str, str]]:
    """("Write a post", its add form) for each kind the user may add."""
    links = []
    for writable in _registry.writables:
        if user.has_perm(f"{writable.opts.app_label}.add_{writable.opts.model_name}"):
            name = writable.opts.verbose_name
            article = "an" if name[:1].lower() in "aeiou" else "a"
            links.append((f"Write {article} {name}", writable.url("add")))
    return links


def panels(request) -> list[tuple[str, dict]]:
    """(template, context) of each registered panel the user may see and that has content."""
    shown = []
    for panel in _registry.panels:
        if not request.user.has_perm(panel.permission):
            continue
        context = panel.context(request)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def dashboard(request) -> dict:
    """Everything the admin index shows above the list of apps."""
    user = request.user
    return {
        "write_links": write_links(user),
        "drafts": drafts(user),
        "scheduled": scheduled(user),
        "panels": panels(request),
    }


def authoring_first(app_list: list[dict]) -> list[dict]:
    """The admin's apps with those the author works in first (the rest keep their order)."""
    labels = app_labels()
    rank = {label: i for i, label in enumerate(labels)}
    return sorted(app_list, key=lambda app: rank.get(app["app_label"], len(labels)))
