import pytest

from core.markdown import first_paragraph_text, render_markdown, truncate_words, word_count
from tests.factories import PostFactory

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(x)">styled</p>',
    '<svg onload="alert(1)"></svg>',
    "<object data=x></object>",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
]


FORBIDDEN = ["<script", "onerror", "onload", 'href="javascript:', "<iframe", "style=", "<svg",
             "<object", "data:text"]  # fmt: skip


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_never_lets_script_through(attack):
    html = render_markdown(f"Before\n\n{attack}\n\nAfter").lower()
    for needle in FORBIDDEN:
        assert needle not in html
    assert "before" in html
    assert "after" in html


def test_fenced_code_is_highlighted_with_classes_not_inline_styles():
    html = render_markdown("```python\ndef handler(event):\n    return 1\n```")
    assert '<pre class="highlight" tabindex="0"><code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


def test_unknown_language_is_escaped_not_dropped():
    html = render_markdown("```klingon\n<b>x</b>\n```")
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_tables_footnotes_task_lists_and_heading_anchors():
    html = render_markdown(
        "## Cold starts\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Note[^1]\n\n[^1]: Footnote.\n\n- [x] done"
    )
    assert '<h2 id="cold-starts">' in html
    assert "<table>" in html
    assert 'class="footnotes"' in html
    assert 'type="checkbox"' in html


def test_safe_html_is_kept():
    html = render_markdown("<details><summary>More</summary>Hidden <kbd>Ctrl</kbd></details>")
    assert "<details><summary>More</summary>" in html
    assert "<kbd>Ctrl</kbd>" in html


def test_excerpt_is_first_paragraph_as_plain_text():
    body = (
        "# Title\n\n![a picture](x.png) The **first** paragraph with `code`\n"
        "and a [link](/x).\n\nThe second."
    )
    assert first_paragraph_text(body) == "The first paragraph with code and a link."
    assert truncate_words("one two three four", 12) == "one two…"
    assert word_count("Hello **world** and `code`") == 4


@pytest.mark.django_db
def test_post_stores_rendered_html_and_derived_excerpt(site):
    post = PostFactory(body="Opening <script>x()</script> words.\n\nMore.", excerpt="")
    assert post.body_html.startswith("<p>Opening")
    assert "<script" not in post.body_html
    assert post.teaser == "Opening words."
    post.excerpt = "Hand-written excerpt."
    post.save()
    assert post.teaser == "Hand-written excerpt."


@pytest.mark.django_db
def test_sanitized_body_on_the_page(client, site):
    post = PostFactory(body='Hi <img src="x" onerror="alert(1)"> <script>alert(2)</script>')
    html = client.get(post.get_absolute_url()).content.decode()
    assert "onerror" not in html
    assert "alert(2)" not in html


HIGHLIGHT_SAMPLES = {
    "python": '@cache\ndef f(x: int = 3) -> str:\n    return f"{x!r}"  # note\n',
    "javascript": "const x = async (a) => { await fetch(`/a/${a}`); return /re+/g; }; // c\n",
    "typescript": "interface A { b: number }\nexport function f<T>(x: T): T { return x }\n",
    "bash": '#!/bin/bash\nexport FOO="bar"\nfor f in *.py; do echo "$f"; done\n',
    "console": "$ pip install django\nCollecting django\n",
    "sql": "SELECT id, count(*) FROM posts WHERE status = 'x' -- c\n",
    "go": 'package main\nimport "fmt"\nfunc main() { fmt.Println(1, nil) }\n',
    "rust": '#[derive(Debug)]\nfn main() { let v: Vec<i32> = vec![1]; println!("{}", v.len()); }\n',
    "yaml": 'key: value\nlist:\n  - "two"\n# c\n',
    "json": '{"a": 1, "b": [true, null, "s"]}\n',
    "diff": "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n",
    "html": '<div class="x">Text &amp; <!-- c --></div>\n',
    "css": ".a:hover { color: #fff; margin: 0 1px !important; }\n",
}
# Token classes left in the text colour on purpose: names, punctuation, operators, spaces.
PLAIN_TOKENS = {"n", "nx", "o", "p", "w", "l", "l-Scalar", "l-Scalar-Plain", "p-Indicator", "err"}


@pytest.mark.parametrize("language", list(HIGHLIGHT_SAMPLES))
def test_common_languages_are_highlighted_with_styled_token_classes(language):
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
    styled = set(re.findall(r"\.highlight \.([a-z0-9]+)", css))
    html = render_markdown(f"```{language}\n{HIGHLIGHT_SAMPLES[language]}```")
    assert f'<code class="language-{language}">' in html
    classes = {c for attr in re.findall(r'<span class="([^"]+)"', html) for c in attr.split()}
    assert classes - PLAIN_TOKENS, f"nothing highlighted in {language}"
    assert classes - PLAIN_TOKENS <= styled, classes - PLAIN_TOKENS - styled
    # Both colour schemes define every token colour.
    light, dark = css.split("@media (prefers-color-scheme: dark)")[:2]
    for token in ("keyword", "string", "comment", "number", "name", "builtin"):
        assert f"--tok-{token}:" in light
        assert f"--tok-{token}:" in dark


SRCSET_ATTACKS = [
    '<img src="/a.png" srcset="javascript:alert(1) 1x">',
    '<img src="/a.png" srcset="/ok.png 1x, JavaScript:alert(1) 2x">',
    '<img src="/a.png" srcset=" java\tscript:alert(1) 480w">',
    '<img src="/a.png" srcset="data:text/html,<script>alert(1)</script> 2x">',
    '<picture><source srcset="javascript:alert(1)" type="image/webp"><img src="/a.png"></picture>',
    '<picture><source srcset="vbscript:x 1x,/ok.webp 2x"><img src="/a.png"></picture>',
]


@pytest.mark.parametrize("attack", SRCSET_ATTACKS)
def test_srcset_urls_are_filtered_like_src(attack):
    html = render_markdown(attack).lower()
    assert "script:" not in html
    assert "data:" not in html
    assert 'src="/a.png"' in html


def test_safe_srcset_candidates_are_kept():
    html = render_markdown(
        '<img src="/a.png" srcset="/a.png 1x, https://cdn.example/a@2x.png 2x, '
        'javascript:alert(1) 3x" sizes="50vw">'
    )
    assert 'srcset="/a.png 1x, https://cdn.example/a@2x.png 2x"' in html
    assert 'sizes="50vw"' in html
    only_bad = render_markdown('<img src="/a.png" srcset="javascript:alert(1) 1x">')
    assert "srcset" not in only_bad


def test_srcset_never_reaches_the_page_or_the_feed(client, site):
    post = PostFactory(body='Photo: <img src="/a.png" srcset="javascript:alert(1) 1x">')
    for url in (post.get_absolute_url(), "/feed/"):
        html = client.get(url).content.decode()
        assert "javascript:alert" not in html, url
