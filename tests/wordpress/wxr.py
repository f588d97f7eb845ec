"""Small WordPress exports written for one rule at a time."""

from xml.sax.saxutils import escape

NAMESPACES = {
    "1.0": "wordpress.org/export/1.0/",
    "1.1": "wordpress.org/export/1.1/",
    "1.2": "wordpress.org/export/1.2/",
}


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item(
    post_id: int,
    title: str = "A post",
    *,
    content: str = "Some text.",
    excerpt: str = "",
    post_name: str | None = None,
    status: str = "publish",
    post_type: str = "post",
    date_gmt: str = "2019-05-04 10:20:30",
    date: str | None = None,
    pub_date: str = "",
    link: str | None = None,
    guid: str | None = None,
    sticky: bool = False,
    password: str = "",
    parent: int = 0,
    terms: list[tuple[str, str, str]] = (),
    meta: dict[str, str] | None = None,
    attachment_url: str = "",
    comments: int = 0,
    raw_title: bool = False,
) -> str:
    slug = post_name if post_name is not None else f"post-{post_id}"
    link = link if link is not None else f"https://old.example.com/2019/05/04/{slug}/"
    guid = guid if guid is not None else f"https://old.example.com/?p={post_id}"
    parts = [
        "<item>",
        f"<title>{title if raw_title else escape(title)}</title>",
        f"<link>{escape(link)}</link>",
        f"<pubDate>{pub_date}</pubDate>",
        "<dc:creator><![CDATA[author]]></dc:creator>",
        f'<guid isPermaLink="false">{escape(guid)}</guid>',
        "<description></description>",
        f"<content:encoded>{cdata(content)}</content:encoded>",
        f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>",
        f"<wp:post_id>{post_id}</wp:post_id>",
        f"<wp:post_date>{date or date_gmt}</wp:post_date>",
        f"<wp:post_date_gmt>{date_gmt}</wp:post_date_gmt>",
        "<wp:comment_status>open</wp:comment_status>",
        f"<wp:post_name>{cdata(slug)}</wp:post_name>",
        f"<wp:status>{status}</wp:status>",
        f"<wp:post_parent>{parent}</wp:post_parent>",
        "<wp:menu_order>0</wp:menu_order>",
        f"<wp:post_type>{post_type}</wp:post_type>",
        f"<wp:post_password>{escape(password)}</wp:post_password>",
        f"<wp:is_sticky>{int(sticky)}</wp:is_sticky>",
    ]
    if attachment_url:
        parts.append(f"<wp:attachment_url>{escape(attachment_url)}</wp:attachment_url>")
    for domain, nicename, name in terms:
        parts.append(f'<category domain="{domain}" nicename="{nicename}">{cdata(name)}</category>')
    for key, value in (meta or {}).items():
        parts.append(
            f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
            f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
        )
    for n in range(comments):
        parts.append(
            f"<wp:comment><wp:comment_id>{n + 1}</wp:comment_id>"
            f"<wp:comment_content>{cdata('Nice post')}</wp:comment_content></wp:comment>"
        )
    parts.append("</item>")
    return "\n".join(parts)


def attachment(post_id: int, url: str, *, parent: int = 0, alt: str = "", caption: str = ""):
    meta = {"_wp_attachment_image_alt": alt} if alt else {}
    return item(
        post_id,
        title=url.rsplit("/", 1)[-1],
        post_type="attachment",
        status="inherit",
        parent=parent,
        attachment_url=url,
        excerpt=caption,
        meta=meta,
        content="",
    )


def export(
    *items: str,
    version: str = "1.2",
    scheme: str = "https",
    terms: str = "",
    site: str = "https://old.example.com",
) -> bytes:
    ns = f"{scheme}://{NAMESPACES[version]}"
    head = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0"\n'
        f'  xmlns:excerpt="{ns}excerpt/"\n'
        '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'  xmlns:wp="{ns}">\n'
        "<channel>\n"
        "<title>Old blog</title>\n"
        f"<link>{site}</link>\n"
        f"<wp:wxr_version>{version}</wp:wxr_version>\n"
        "<wp:base_site_url>https://old.example.com</wp:base_site_url>\n"
        f"<wp:base_blog_url>{site}</wp:base_blog_url>\n"
    )
    return (head + terms + "\n".join(items) + "\n</channel>\n</rss>\n").encode()


def category(nicename: str, name: str, parent: str = "", description: str = "") -> str:
    return (
        f"<wp:category><wp:term_id>1</wp:term_id>"
        f"<wp:category_nicename>{nicename}</wp:category_nicename>"
        f"<wp:category_parent>{parent}</wp:category_parent>"
        f"<wp:cat_name>{cdata(name)}</wp:cat_name>"
        f"<wp:category_description>{cdata(description)}</wp:category_description>"
        "</wp:category>\n"
    )


def tag(slug: str, name: str) -> str:
    return (
        f"<wp:tag><wp:term_id>2</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
        f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
    )
