"""Markdown as plain text for the text part of emails (core.plaintext)."""

import pytest

from core.plaintext import markdown_to_text
from tests.plaintext_checks import assert_no_markdown

BASE = "https://blog.example/newsletter/issues/3/"


def text(source: str) -> str:
    return markdown_to_text(source, BASE)


def test_links_are_absolute_and_images_are_their_alt_text():
    rendered = text(
        "Read [the new post](/posts/cold-starts/) first.\n\n"
        "![A diagram of the pool](/media/uploads/pool.png)\n\n"
        "See [the notes](#notes), <https://example.org/spec> and "
        "[write to me](mailto:ada@example.com).\n"
    )
    assert "Read the new post (https://blog.example/posts/cold-starts/) first." in rendered
    assert "A diagram of the pool" in rendered
    assert "pool.png" not in rendered
    assert "the notes (https://blog.example/newsletter/issues/3/#notes)" in rendered
    assert "https://example.org/spec and" in rendered  # a bare address is shown once
    assert "write to me (ada@example.com)" in rendered
    assert_no_markdown(rendered)


def test_structure_reads_as_text():
    rendered = text(
        "# Issue title\n\n## A part\n\nSome **bold**, *em*, ~~old~~ and `code`.\n\n"
        "- one\n- two\n  1. nested\n\n"
        "5. five\n6. six\n\n"
        "- [ ] to do\n- [x] done\n\n"
        "> A quote\n> over two lines.\n\n"
        "```python\ndef f():\n    return 1\n```\n\n"
        "| Name | Size |\n|------|-----:|\n| a | 10 |\n| bb | 2 |\n\n"
        "***\n\nLine one  \nline two\n"
    )
    assert rendered.startswith("Issue title\n───────────\n\nA part\n──────\n")
    assert "Some bold, em, old and code." in rendered
    assert "• one\n• two\n  1. nested" in rendered
    assert "5. five\n6. six" in rendered
    assert "• ☐ to do\n• ☑ done" in rendered
    assert "│ A quote over two lines." in rendered
    assert "    def f():\n        return 1" in rendered
    assert "Name  Size\n────  ────\na     10\nbb    2" in rendered
    assert "Line one\nline two" in rendered
    assert_no_markdown(rendered)


def test_footnotes_become_numbered_notes_at_the_end():
    rendered = text("A claim.[^src] Another.[^two]\n\n[^src]: The [source](/sources/).\n\n"
                    "[^two]: Second note.\n")  # fmt: skip
    assert "A claim.[1] Another.[2]" in rendered
    assert rendered.rstrip().endswith(
        "[1] The source (https://blog.example/sources/).\n[2] Second note."
    )


def test_raw_html_gives_its_text_and_unsafe_links_their_label():
    rendered = text(
        "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n\n<div><script>alert(1)</script>"
        "<p>Kept &amp; shown</p></div>\n\n[label](ftp://files.example/a)\n"
    )
    assert "Press Ctrl+C." in rendered
    assert "Kept & shown" in rendered
    assert "alert" not in rendered
    assert "ftp:" not in rendered
    assert "label" in rendered
    assert_no_markdown(rendered)


@pytest.mark.parametrize("source", ["", "  \n\n"])
def test_empty_body(source):
    assert text(source) == ""
