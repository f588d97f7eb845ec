"""What a plain-text email part must never show (tests of core.plaintext and of the
newsletter's text parts)."""

import re

# What no plain-text part may show: Markdown's own syntax.
MARKDOWN_LEFTOVERS = [r"\]\(", r"!\[", r"\*\*", r"(?m)^#+ ", r"`", r"(?m)^> ", r"(?m)^\s*[-*+] ",
                      r"<\w+", r"\[[ x]\]"]  # fmt: skip


def assert_no_markdown(rendered: str):
    for pattern in MARKDOWN_LEFTOVERS:
        assert not re.search(pattern, rendered), (pattern, rendered)
