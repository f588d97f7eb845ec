"""WordPress content to Markdown: one rule per test, and what readers finally see."""

import re

import pytest

from core.markdown import render_markdown
from wordpress.convert import Context, html_to_text, to_markdown
from wordpress.media import MediaLibrary, storage_name, upload_path
from wordpress.wxr import Attachment


def convert(content, **context):
    warnings = []
    context.setdefault("media", MediaLibrary(None))
    ctx = Context(warn=lambda kind, message: warnings.append((kind, message)), **context)
    result = to_markdown(content, ctx)
    return result, warnings


def md(content, **context) -> str:
    return convert(content, **context)[0].markdown


def rendered(content, **context) -> str:
    return render_markdown(md(content, **context))


def test_classic_content_gets_its_paragraphs_and_line_breaks():
    assert md("First line\nsecond line\n\nNew paragraph") == (
        "First line\\\nsecond line\n\nNew paragraph\n"
    )
    assert rendered("A\nB\n\nC") == "<p>A<br>\nB</p>\n<p>C</p>\n"


def test_block_comments_are_dropped_and_their_content_kept():
    content = (
        '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Title</h3>\n'
        "<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Text <strong>bold</strong></p>\n"
        "<!-- /wp:paragraph -->\n\n<!-- wp:separator -->\n<hr/>\n<!-- /wp:separator -->"
    )
    assert md(content) == "### Title\n\nText **bold**\n\n---\n"


def test_dynamic_blocks_are_reported():
    content = "<!-- wp:latest-posts /-->\n<!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->"
    result, warnings = convert(content)
    assert result.markdown == "x\n"
    assert len(warnings) == 1
    assert warnings[0][0] == "dynamic block"
    assert "latest-posts" in warnings[0][1]


def test_text_before_more_becomes_the_excerpt_and_the_body_stays_whole():
    result, _ = convert("Teaser with <em>style</em>.\n\n<!--more Read on-->\n\nThe rest.")
    assert result.excerpt == "Teaser with style."
    assert result.markdown == "Teaser with *style*.\n\nThe rest.\n"


def test_nextpage_becomes_a_horizontal_rule():
    assert md("Page 1\n<!--nextpage-->\nPage 2") == "Page 1\n\n---\n\nPage 2\n"


@pytest.mark.parametrize(
    "content",
    [
        '[caption id="attachment_1" align="alignleft" width="300"]<a href="https://x.test/big.jpg">'
        '<img src="https://x.test/a.jpg" alt="A bell" width="300" height="200" /></a> A bell '
        "on a <em>wharf</em>[/caption]",
        '[caption id="attachment_1" caption="A bell on a &lt;em&gt;wharf&lt;/em&gt;"]'
        '<img src="https://x.test/a.jpg" alt="A bell" width="300" height="200" />[/caption]',
    ],
)
def test_caption_becomes_a_figure_with_its_caption(content):
    html = rendered("Before.\n\n" + content + "\n\nAfter.")
    assert re.search(r"<figure>.*<img[^>]+src=\"https://x.test/a.jpg\".*</figure>", html, re.S)
    assert re.search(r"<figcaption>\s*A bell on a (<em>)?wharf", html)
    assert "[caption" not in html
    assert "<p>Before.</p>" in html
    assert "<p>After.</p>" in html


def test_gallery_shows_the_attachments_by_id_or_attached_to_the_post():
    attachments = {
        11: Attachment(url="https://x.test/wp-content/uploads/a.jpg", parent=5, alt="A"),
        12: Attachment(url="https://x.test/wp-content/uploads/b.jpg", parent=5, caption="Bee"),
        13: Attachment(url="https://x.test/wp-content/uploads/c.jpg", parent=9),
    }
    by_id = rendered('[gallery ids="13,11"]', attachments=attachments, post_id=5)
    assert by_id.index("c.jpg") < by_id.index("a.jpg")
    assert "b.jpg" not in by_id
    attached = rendered("[gallery]", attachments=attachments, post_id=5)
    assert '<div class="gallery">' in attached
    assert "a.jpg" in attached
    assert "b.jpg" in attached
    assert "c.jpg" not in attached
    assert "<figcaption>Bee</figcaption>" in attached


def test_audio_shortcode_becomes_a_player_with_a_link():
    html = rendered('[audio mp3="https://x.test/song.mp3"][/audio]')
    assert '<audio controls src="https://x.test/song.mp3"></audio>' in html.replace('=""', "")
    assert '<a href="https://x.test/song.mp3"' in html


def test_embeds_iframes_and_bare_urls_become_links():
    content = (
        "[embed]https://www.youtube.com/watch?v=abc_1[/embed]\n\n"
        "https://vimeo.com/12345\n\n"
        '<iframe src="https://www.youtube.com/embed/xyz" title="A talk"></iframe>'
    )
    markdown = md(content)
    assert "<https://www.youtube.com/watch?v=abc_1>" in markdown
    assert "<https://vimeo.com/12345>" in markdown
    assert "[A talk](https://www.youtube.com/watch?v=xyz)" in markdown
    assert "<iframe" not in markdown


@pytest.mark.parametrize(
    ("content", "language", "code"),
    [
        ('[code language="python"]\ndef f(x):\n\n    return x < 1\n[/code]', "python",
         "def f(x):\n\n    return x < 1"),
        ("[sourcecode lang='js']let a = b &amp;&amp; c;[/sourcecode]", "javascript",
         "let a = b && c;"),
        ("[python]print('<b>')[/python]", "python", "print('<b>')"),
        ("[php]echo 1;[/php]", "php", "echo 1;"),
        ("[code]plain[/code]", "", "plain"),
        ('<pre class="wp-block-code"><code class="language-rust">fn main() {}</code></pre>',
         "rust", "fn main() {}"),
        ('<pre class="brush: bash; title: ; notranslate">ls -l &gt; out</pre>', "bash",
         "ls -l > out"),
    ],
)  # fmt: skip
def test_code_becomes_a_fenced_block_with_its_language(content, language, code):
    assert md("Intro.\n\n" + content) == f"Intro.\n\n```{language}\n{code}\n```\n"


def test_code_with_fences_inside_gets_a_longer_fence():
    assert md("[code]```\nx\n```[/code]") == "````\n```\nx\n```\n````\n"


def test_unknown_shortcodes_stay_visible_and_are_reported():
    result, warnings = convert(
        '[contact-form-7 id="12"] and [[caption]] and [sic] and [tweet https://x.test/1]'
    )
    html = render_markdown(result.markdown)
    assert '[contact-form-7 id="12"]' in html.replace("&quot;", '"')
    assert "[caption]" in html
    assert result.unknown_shortcodes == ["contact-form-7", "tweet"]
    assert [kind for kind, _ in warnings] == ["unknown shortcode", "unknown shortcode"]


def test_what_markdown_cannot_say_stays_as_html_the_sanitizer_keeps():
    content = (
        "<p>H<sub>2</sub>O, E=mc<sup>2</sup>, <kbd>Ctrl</kbd>, <mark>hot</mark>, "
        '<abbr title="HyperText">HTML</abbr>, <u>under</u>, <ins>new</ins>, <del>old</del>.</p>\n'
        "<dl><dt>Term</dt><dd>Definition</dd></dl>\n"
        "<details><summary>More</summary><p>Hidden</p></details>\n"
        '<table><tr><th colspan="2">Wide</th></tr><tr><td>a</td><td>b</td></tr></table>\n'
        "<table><thead><tr><th>h1</th><th>h2</th></tr></thead>"
        "<tbody><tr><td>a|b</td><td>c</td></tr></tbody></table>"
    )
    markdown = md(content)
    html = render_markdown(markdown)
    for fragment in [
        "<sub>2</sub>", "<sup>2</sup>", "<kbd>Ctrl</kbd>", "<mark>hot</mark>",
        '<abbr title="HyperText">HTML</abbr>', "<u>under</u>", "<ins>new</ins>",
        "<s>old</s>", "<dt>Term</dt>", "<dd>Definition</dd>", "<summary>More</summary>",
        '<th colspan="2">Wide</th>',
    ]:  # fmt: skip
        assert fragment in html, fragment
    assert "| h1 | h2 |" in markdown
    assert r"a\|b" in markdown
    assert "<td>a|b</td>" in html


def test_what_the_sanitizer_would_drop_is_dropped_here():
    markdown = md(
        '<p style="color:red" class="has-red-color">Styled <span style="x">span</span></p>'
        "<script>alert(1)</script><style>p{}</style>"
        '<form action="/x"><input name="q"><button>Go</button></form>'
        '<a href="javascript:alert(1)">bad link</a>'
    )
    assert markdown == "Styled span\n\nbad link\n"


def test_text_that_looks_like_markdown_stays_text():
    content = (
        "<p>*not emphasis* and snake_case and _under_ and `tick`</p>"
        "<p>1. not a list</p><p># not a heading</p><p>- not a bullet</p>"
        "<p>Write &lt;div&gt; and &amp;amp; and [x](y) and \\o/</p>"
    )
    markdown = md(content)
    assert "snake_case" in markdown
    html = render_markdown(markdown)
    for text in [
        "<p>*not emphasis* and snake_case and _under_ and `tick`</p>",
        "<p>1. not a list</p>",
        "<p># not a heading</p>",
        "<p>- not a bullet</p>",
        "<p>Write &lt;div&gt; and &amp;amp; and [x](y) and \\o/</p>",
    ]:
        assert text in html, text


def test_footnotes_block_becomes_markdown_footnotes():
    content = (
        '<!-- wp:paragraph --><p>Claim<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">1'
        "</a></sup></p><!-- /wp:paragraph -->\n<!-- wp:footnotes /-->"
    )
    footnotes = '[{"id":"f1","content":"A <em>source</em>"}]'
    result, warnings = convert(content, footnotes=footnotes)
    assert result.markdown == "Claim[^1]\n\n[^1]: A *source*\n"
    assert 'class="footnotes"' in render_markdown(result.markdown)
    assert warnings == []


def test_upload_urls_point_at_the_copies_and_site_links_become_paths(media_dir, settings):
    media = MediaLibrary(media_dir)
    content = (
        '<a href="https://old.example.com/wp-content/uploads/2019/05/photo.jpg">'
        '<img src="https://old.example.com/wp-content/uploads/2019/05/photo-150x150.jpg?w=150" '
        'srcset="https://old.example.com/wp-content/uploads/2019/05/photo.jpg 2x" alt="P"></a>\n\n'
        '<img src="https://old.example.com/wp-content/uploads/2019/05/gone.jpg" alt="Gone">\n\n'
        '<a href="https://old.example.com/2019/05/04/other-post/#part">Other post</a> and '
        '<a href="https://elsewhere.example.org/page">elsewhere</a>'
    )
    result, warnings = convert(content, media=media, site_hosts={"old.example.com"})
    assert result.markdown == (
        "[![P](/media/wordpress/2019/05/photo-150x150.jpg)](/media/wordpress/2019/05/photo.jpg)\n\n"
        "![Gone](https://old.example.com/wp-content/uploads/2019/05/gone.jpg)\n\n"
        "[Other post](/2019/05/04/other-post/#part) and "
        "[elsewhere](https://elsewhere.example.org/page)\n"
    )
    assert (settings.MEDIA_ROOT / "wordpress/2019/05/photo.jpg").is_file()
    assert warnings == [
        ("missing media", "https://old.example.com/wp-content/uploads/2019/05/gone.jpg is not "
         "in the media folder")
    ]  # fmt: skip
    assert (media.copied, media.missing) == (2, 1)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://a.test/wp-content/uploads/2019/05/x.jpg?w=300", "2019/05/x.jpg"),
        ("/wp-content/uploads/2019/05/caf%C3%A9.jpg", "2019/05/café.jpg"),
        ("https://name.files.wordpress.com/2008/06/x.mp3", "2008/06/x.mp3"),
        ("https://a.test/wp-content/blogs.dir/3/files/2010/01/x.png", "2010/01/x.png"),
        ("https://a.test/files/2010/01/x.png", "2010/01/x.png"),
        ("https://a.test/wp-content/uploads/../../etc/passwd", None),
        ("https://a.test/2019/05/post/", None),
        ("mailto:me@a.test", None),
    ],
)
def test_upload_urls_are_recognised(url, path):
    assert upload_path(url) == path


def test_stored_names_fit_a_file_column():
    name = storage_name("2019/05/" + "x" * 150 + ".jpeg")
    assert len(name) <= 100
    assert name.startswith("wordpress/2019/05/")
    assert name.endswith(".jpeg")


def test_excerpt_html_becomes_plain_text():
    assert html_to_text("<p>Short <b>summary</b> [gallery] here.</p>") == "Short summary here."


def test_everything_the_converter_writes_survives_the_sanitizer():
    """Inline HTML the converter emits must come out of render_markdown unchanged."""
    content = (
        '[caption id="a" width="10"]<img src="https://x.test/a.jpg" alt="A"> Cap[/caption]\n\n'
        '[gallery ids="1"]\n\n[audio src="https://x.test/a.mp3"]\n\n'
        '<figure class="wp-block-video"><video controls src="https://x.test/v.mp4"></video>'
        "<figcaption>Clip</figcaption></figure>\n\n"
        "<details open><summary>S</summary><p>D</p></details>\n\n"
        "<dl><dt>T</dt><dd>D</dd></dl>\n\n"
        '<table><caption>C</caption><tr><td rowspan="2">x</td></tr></table>'
    )
    markdown = md(content, attachments={1: Attachment(url="https://x.test/g.jpg", caption="G")})
    html = render_markdown(markdown)
    blocks = re.findall(r"^<(?:figure|div|details|dl|table)\b.*$", markdown, re.M)
    assert len(blocks) == 7
    normalized = html.replace('=""', "").replace(' rel="noopener noreferrer"', "")
    for block in blocks:
        assert block.replace('=""', "") in normalized, block


def test_code_keeps_its_blank_lines_and_trailing_backslashes():
    code = "def a():\n    pass\n\n\n\ndef b():  \n    x = 1 \\\n\n"
    markdown = md(f'<pre><code class="language-python">{code}</code></pre><p>Line<br></p>')
    assert markdown == f"```python\n{code.rstrip(chr(10))}\n```\n\nLine\n"
