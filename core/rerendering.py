"""Which stored HTML is rendered from which Markdown: what `manage.py rerender_markdown` renders.

Markdown is rendered once, at save, into `*_html` columns (core.markdown). When the renderer
changes, the command renders every registered model's Markdown again. core knows no app, so
each app registers its own models in its AppConfig.ready():

- `register_markdown(Model, "note")`: one Markdown field rendered into one HTML column
  (`note_html` unless told otherwise);
- `register(Model, fields=(…), render=callable)`: anything else derived from the Markdown
  (a post's teaser). `render(obj)` returns the stored values, by field name, that the
  current renderer gives; `fields` names every field it reads or compares, so the command
  loads only those.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.markdown import render_markdown


@dataclass(frozen=True)
class Rendered:
    model: type
    fields: tuple[str, ...]
    render: Callable[[object], dict[str, str]]


# By model, in registration order (the order the command reports in).
_registry: dict[type, Rendered] = {}


def register(model, *, fields: Iterable[str], render: Callable[[object], dict[str, str]]):
    """Record that `render(obj)` gives the stored values derived from `model`'s Markdown.
    Registering a model again replaces its entry."""
    fields = tuple(fields)
    for name in fields:
        model._meta.get_field(name)  # a misspelt field fails at startup, not mid-command
    _registry[model] = Rendered(model, fields, render)


def register_markdown(model, source: str, html: str = ""):
    """The common case: the Markdown in `source` rendered into `html` (`<source>_html`)."""
    html = html or f"{source}_html"

    def render(obj) -> dict[str, str]:
        return {html: render_markdown(getattr(obj, source))}

    register(model, fields=(source, html), render=render)


def registered() -> list[Rendered]:
    return list(_registry.values())
