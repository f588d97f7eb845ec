"""WordPress shortcodes: finding them and reading their attributes.

Ports of `get_shortcode_regex()` and `shortcode_parse_atts()` (wp-includes/shortcodes.php):
a shortcode is `[name attrs]`, `[name attrs /]` or `[name attrs]content[/name]`, and
`[[name]]` is the escaped spelling of the literal text `[name]`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r"""|"([^"]*)"(?:\s|$)"""
    r"""|'([^']*)'(?:\s|$)"""
    r"""|(\S+)(?:\s|$)"""
)

# Any [name ...] that could be a shortcode, for reporting the ones nobody handles. Words
# in brackets ("[sic]", "[1]", "[simple boat]") are too common in prose to report: a
# candidate has attributes (`=`, quotes or a URL), a closing tag or a self-closing slash,
# or a name with a dash or underscore (which plugins use and prose does not).
_ANY = re.compile(r"\[(\[?)([a-z][a-z0-9_-]*)(?![\w-])([^\[\]]*?)(/?)\](\]?)")


@dataclass
class Shortcode:
    name: str
    attrs: dict[str, str]
    positional: list[str]
    content: str | None

    def get(self, *names: str, default: str = "") -> str:
        for name in names:
            if self.attrs.get(name):
                return self.attrs[name]
        return default


def parse_attrs(text: str) -> tuple[dict[str, str], list[str]]:
    """Named and positional attributes, as WordPress reads them (names lower-cased)."""
    # WordPress treats non-breaking spaces (and their entities) as spaces here.
    text = re.sub(r"[\u00a0\u200b]+|&nbsp;|&#160;", " ", text)
    attrs: dict[str, str] = {}
    positional: list[str] = []
    for m in _ATTR.finditer(text):
        if m.group(1):
            attrs[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            attrs[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            attrs[m.group(5).lower()] = m.group(6)
        elif m.group(7) is not None:
            positional.append(m.group(7))
        elif m.group(8) is not None:
            positional.append(m.group(8))
        elif m.group(9):
            positional.append(m.group(9))
    return attrs, positional


def _regex(names: list[str]) -> re.Pattern:
    tags = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        r"\[(\[?)(" + tags + r")(?![\w-])"
        r"([^\]/]*(?:/(?!\])[^\]/]*)*?)"
        r"(?:(/)\]|\](?:([^\[]*(?:\[(?!/\2\])[^\[]*)*)\[/\2\])?)"
        r"(\]?)",
        re.IGNORECASE,
    )


def replace(text: str, names: list[str], handler: Callable[[Shortcode], str]) -> str:
    """Replace each shortcode called one of `names` with what `handler` returns."""
    pattern = _regex(names)

    def _sub(m: re.Match) -> str:
        if m.group(1) == "[" and m.group(6) == "]":  # [[name]]: the literal text
            return m.group(0)[1:-1]
        attrs, positional = parse_attrs(m.group(3))
        shortcode = Shortcode(m.group(2).lower(), attrs, positional, m.group(5))
        return m.group(1) + handler(shortcode) + m.group(6)

    return pattern.sub(_sub, text)


def unknown(text: str, known: set[str]) -> list[str]:
    """Names of the shortcodes in `text` that are not in `known`, in order, once each."""
    found: list[str] = []
    for m in _ANY.finditer(text):
        if m.group(1) == "[" and m.group(5) == "]":
            continue
        name, rest, slash = m.group(2), m.group(3), m.group(4)
        if name in known or name in found:
            continue
        closed = f"[/{name}]" in text
        has_attributes = re.search(r"""=|"|'|://""", rest)
        if has_attributes or slash or closed or "-" in name or "_" in name:
            found.append(name)
    return found
