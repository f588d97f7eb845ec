#!/usr/bin/env python3
"""Write a large synthetic WordPress export (WXR 1.2) for measuring the importer.

    python scripts/make_big_wxr.py /tmp/big.xml --size-mb 200
    /usr/bin/time -v .venv/bin/python manage.py import_wordpress /tmp/big.xml --no-progress

The export looks like a real blog of many years: classic-editor and block-editor posts
with paragraphs, lists, links, images in uploads/, [caption] and [code] shortcodes,
<!--more-->, categories and tags, comments (the bulk of many real exports), attachments,
pages, menu items and the odd draft, sticky or password-protected post. Output is the same
for the same --seed. The file is written as it is generated, so the script needs little
memory itself. Standard library only.
"""

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = [
    "lambda", "function", "cold", "start", "memory", "latency", "request", "queue", "worker",
    "database", "index", "query", "cache", "layer", "region", "deploy", "release", "rollback",
    "metric", "alarm", "budget", "cost", "trace", "span", "log", "event", "stream", "batch",
    "retry", "timeout", "throttle", "concurrency", "container", "image", "runtime", "handler",
    "payload", "schema", "table", "partition", "replica", "shard", "backup", "restore",
    "pipeline",
]  # fmt: skip
LANGUAGES = ["python", "javascript", "bash", "sql", "go", "php"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Blog:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.start = datetime(2008, 1, 1, tzinfo=UTC)

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def sentence(self) -> str:
        text = self.words(self.rng.randint(6, 18))
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(3, 7)))

    def upload(self, when: datetime, n: int) -> str:
        return f"https://big.example.com/wp-content/uploads/{when:%Y/%m}/image-{n}.jpg"

    def classic_content(self, when: datetime, n: int) -> str:
        rng = self.rng
        parts = [self.paragraph(), self.paragraph(), "<!--more-->"]
        for k in range(rng.randint(5, 12)):
            choice = rng.random()
            if choice < 0.5:
                link = (
                    f'<a href="https://big.example.com/{when:%Y/%m/%d}/post-{n - k}/">earlier</a>'
                )
                parts.append(f"{self.paragraph()} See the {link} post.")
            elif choice < 0.65:
                items = "\n".join(f"<li>{self.words(5)}</li>" for _ in range(rng.randint(3, 6)))
                parts.append(f"<ul>\n{items}\n</ul>")
            elif choice < 0.8:
                parts.append(
                    f'[caption id="attachment_{n}" align="aligncenter" width="600"]'
                    f'<img src="{self.upload(when, n * 10 + k)}?w=600" alt="{self.words(3)}" '
                    f'width="600" height="400" /> {self.sentence()}[/caption]'
                )
            elif choice < 0.92:
                language = rng.choice(LANGUAGES)
                code = "\n".join(f"    {self.words(4)} = {k}" for k in range(rng.randint(3, 9)))
                parts.append(f'[code language="{language}"]\ndef f():\n{code}\n[/code]')
            else:
                parts.append(f"<h2>{self.words(4).title()}</h2>")
        return "\n\n".join(parts)

    def block_content(self, when: datetime, n: int) -> str:
        blocks = []
        for k in range(self.rng.randint(6, 14)):
            if k % 5 == 3:
                blocks.append(
                    f'<!-- wp:image {{"id":{n},"sizeSlug":"large"}} -->\n'
                    f'<figure class="wp-block-image size-large"><img src="{self.upload(when, n)}" '
                    f'alt="" class="wp-image-{n}"/><figcaption>{self.sentence()}</figcaption>'
                    "</figure>\n<!-- /wp:image -->"
                )
            else:
                blocks.append(
                    f"<!-- wp:paragraph -->\n<p>{self.paragraph()}</p>\n<!-- /wp:paragraph -->"
                )
        return "\n\n".join(blocks)

    def comment(self, n: int, when: datetime) -> str:
        return (
            "<wp:comment>"
            f"<wp:comment_id>{n}</wp:comment_id>"
            f"<wp:comment_author>{cdata('Reader ' + str(n % 997))}</wp:comment_author>"
            f"<wp:comment_author_email>reader{n % 997}@example.org</wp:comment_author_email>"
            f"<wp:comment_date>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date>"
            f"<wp:comment_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(self.paragraph())}</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent>"
            "</wp:comment>"
        )

    def item(self, n: int, post_type: str = "post", status: str = "publish", **extra) -> str:
        rng = self.rng
        when = self.start + timedelta(hours=n * 2 + rng.randint(0, 1))
        title = extra.get("title") or self.words(rng.randint(3, 8)).title()
        slug = f"post-{n}"
        if post_type == "attachment":
            content, excerpt = "", self.sentence()
        elif n % 3 == 0:
            content, excerpt = self.block_content(when, n), ""
        else:
            content, excerpt = self.classic_content(when, n), ""
        lines = [
            "<item>",
            f"<title>{escape(title)}</title>",
            f"<link>https://big.example.com/{when:%Y/%m/%d}/{slug}/</link>",
            f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>",
            "<dc:creator><![CDATA[author]]></dc:creator>",
            f'<guid isPermaLink="false">https://big.example.com/?p={n}</guid>',
            "<description></description>",
            f"<content:encoded>{cdata(content)}</content:encoded>",
            f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>",
            f"<wp:post_id>{n}</wp:post_id>",
            f"<wp:post_date>{when:%Y-%m-%d %H:%M:%S}</wp:post_date>",
            "<wp:post_date_gmt>"
            + ("0000-00-00 00:00:00" if status == "draft" else f"{when:%Y-%m-%d %H:%M:%S}")
            + "</wp:post_date_gmt>",
            f"<wp:post_name>{slug}</wp:post_name>",
            f"<wp:status>{status}</wp:status>",
            f"<wp:post_parent>{extra.get('parent', 0)}</wp:post_parent>",
            f"<wp:post_type>{post_type}</wp:post_type>",
            f"<wp:post_password>{extra.get('password', '')}</wp:post_password>",
            f"<wp:is_sticky>{int(extra.get('sticky', False))}</wp:is_sticky>",
        ]
        if post_type == "attachment":
            lines.append(f"<wp:attachment_url>{self.upload(when, n)}</wp:attachment_url>")
        if post_type == "post":
            for c in rng.sample(range(60), rng.randint(1, 3)):
                lines.append(f'<category domain="category" nicename="topic-{c}">'
                             f"{cdata(f'Topic {c}')}</category>")  # fmt: skip
            for t in rng.sample(range(400), rng.randint(0, 6)):
                lines.append(f'<category domain="post_tag" nicename="tag-{t}">'
                             f"{cdata(f'tag {t}')}</category>")  # fmt: skip
            lines.append(
                "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                f"<wp:meta_value>{cdata(str(n + 1))}</wp:meta_value></wp:postmeta>"
            )
            for c in range(rng.choice([0, 0, 2, 5, 10, 25])):
                lines.append(self.comment(n * 100 + c, when + timedelta(days=c)))
        lines.append("</item>")
        return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--size-mb", type=float, default=200)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    target = int(args.size_mb * 1024 * 1024)
    blog = Blog(args.seed)
    counts = {"post": 0, "attachment": 0, "page": 0, "nav_menu_item": 0}
    with args.output.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
            '  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '  xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>A big old blog</title>\n<link>https://big.example.com</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:base_site_url>https://big.example.com</wp:base_site_url>\n"
            "<wp:base_blog_url>https://big.example.com</wp:base_blog_url>\n"
        )
        for c in range(60):
            out.write(
                f"<wp:category><wp:term_id>{c + 1}</wp:term_id><wp:category_nicename>topic-{c}"
                f"</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>"
                f"{cdata(f'Topic {c}')}</wp:cat_name></wp:category>\n"
            )
        for t in range(400):
            out.write(
                f"<wp:tag><wp:term_id>{1000 + t}</wp:term_id><wp:tag_slug>tag-{t}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(f'tag {t}')}</wp:tag_name></wp:tag>\n"
            )
        n = 1
        while out.tell() < target:
            status, extra = "publish", {}
            if n % 97 == 0:
                status = "draft"
            elif n % 193 == 0:
                extra["password"] = "secret"
            elif n % 389 == 0:
                extra["sticky"] = True
            out.write(blog.item(n, "post", status, **extra))
            out.write(blog.item(n + 1, "attachment", "inherit", parent=n))
            counts["post"] += 1
            counts["attachment"] += 1
            if n % 250 == 1:
                out.write(blog.item(n + 2, "page", title=f"Page {n}"))
                out.write(blog.item(n + 3, "nav_menu_item", title=f"Menu {n}"))
                counts["page"] += 1
                counts["nav_menu_item"] += 1
            n += 4
        out.write("</channel>\n</rss>\n")
        size = out.tell()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"Wrote {args.output}: {size / 1024 / 1024:.0f} MB, {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()
