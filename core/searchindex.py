"""What each content app contributes to the site search, and when it changes.

Each content app registers its searchable models in its AppConfig.ready() (see
`blog/searchable.py`): a kind (stored with every entry of the index, so never renamed), the
labels readers see, a function that turns one object into a `Document`, the queryset that
indexes everything, and the other models whose changes alter those documents.

Saving or deleting a registered object (or a related one) sends `documents_changed` /
`documents_removed`; the `search` app listens and keeps its index current. So the search
app knows no content model, and content apps never import it: this module is the contract
between them (core imports no app).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# sender: the Searchable; objects: the saved (or otherwise changed) instances.
documents_changed = Signal()
# sender: the Searchable; pks: primary keys of deleted instances.
documents_removed = Signal()


@dataclass(frozen=True)
class Document:
    """The searchable text of one object. Text may contain markup-free prose of any length
    and stray whitespace: the index cleans it."""

    title: str
    summary: str
    body: str
    url: str
    status: str
    published_at: datetime
    category_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Searchable:
    model: type
    kind: str  # stored in the index; a filter value in /search/?kind=…
    label: str  # one item, over a result: "Post"
    filter_label: str  # the choice in the search form: "Posts"
    # None for an object that is never searchable (an issue kept off the web)
    document: Callable[[object], Document | None]
    queryset: Callable[[], object]  # everything to index, with what `document` reads

    def documents(self, objects: Iterable) -> list[tuple[int, Document]]:
        pairs = [(obj.pk, self.document(obj)) for obj in objects]
        return [(pk, document) for pk, document in pairs if document is not None]


_searchables: dict[str, Searchable] = {}


def register(
    model,
    *,
    kind: str,
    label: str,
    filter_label: str,
    document: Callable[[object], Document | None],
    queryset: Callable[[], object] | None = None,
    related: Iterable[tuple[type, Callable[[object], Iterable]]] = (),
):
    """Make `model` searchable. `related` pairs another model with a function giving the
    registered objects to index again when an instance of it is saved (a project's name is
    part of its releases' documents)."""
    if kind in _searchables:
        if _searchables[kind].model is model:
            return
        raise ValueError(f"Search kind {kind!r} is already registered.")
    searchable = Searchable(
        model, kind, label, filter_label, document, queryset or model._default_manager.all
    )
    _searchables[kind] = searchable

    def saved(sender, instance, raw=False, **kwargs):
        if not raw:
            documents_changed.send(searchable, objects=[instance])

    def deleted(sender, instance, **kwargs):
        documents_removed.send(searchable, pks=[instance.pk])

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"search-{kind}")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"unindex-{kind}")
    for related_model, affected in related:

        def related_saved(sender, instance, raw=False, affected=affected, **kwargs):
            if not raw:
                documents_changed.send(searchable, objects=list(affected(instance)))

        post_save.connect(
            related_saved,
            sender=related_model,
            weak=False,
            dispatch_uid=f"search-{kind}-{related_model._meta.label_lower}",
        )


def changed(model, pks: Iterable[int]):
    """Index these objects of `model` again (after a change that sent no save signal, such
    as a many-to-many update)."""
    searchable = for_model(model)
    pks = list(pks)
    if searchable and pks:
        objects = list(searchable.queryset().filter(pk__in=pks))
        documents_changed.send(searchable, objects=objects)


def searchables() -> list[Searchable]:
    """In registration order (INSTALLED_APPS order): the order of the search form's kinds."""
    return list(_searchables.values())


def for_kind(kind: str) -> Searchable | None:
    return _searchables.get(kind)


def for_model(model) -> Searchable | None:
    return next((s for s in _searchables.values() if s.model is model), None)
