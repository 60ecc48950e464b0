"""The blog drafts as a WordPress eXtended RSS (WXR 1.2) file, for Outils → Importer → WordPress.

Written the way WordPress's own exporter writes it — one element per line, text in CDATA sections — so
that every parser of the WordPress importer reads it, including its line-based fallback, which expects
`<item>` and `</item>` on lines of their own and `<wp:author>…</wp:author>` on one line. Posts are
drafts (`wp:status` draft) dated at their calendar slot; nothing is published by importing.

The site address is the blog's own (`blog_url` in the settings): the importer's default option rewrites
every link that starts with it to the importing site, so any other address — the library's catalogue, its
agenda — must not share it. Without a blog address the field stays empty, and the importer rewrites nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime

from outreach.channels.posts import ChannelPack
from outreach.text import slug

WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
AUTHOR_LOGIN = "communication"


# characters XML 1.0 forbids even escaped or in CDATA; spreadsheet and catalogue exports carry some
# (vertical tab, form feed, ESC from MARC-8), and one of them makes the whole file unreadable to WordPress
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text: str) -> str:
    # a CDATA section cannot hold "]]>": close and reopen it around the '>'
    return "<![CDATA[" + _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_text(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _wp_date(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _meta(key: str, value: str) -> list[str]:
    return ["\t\t<wp:postmeta>", f"\t\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>",
            f"\t\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>", "\t\t</wp:postmeta>"]


def _attachment(blog, parent_id: int, attachment_id: int) -> list[str]:
    """The post's visual as an attachment item, as WordPress's exporter writes one."""
    image = blog.featured_image
    name = image.url.rstrip("/").rsplit("/", 1)[-1]
    return ["\t<item>", f"\t\t<title>{cdata(name)}</title>", f"\t\t<link>{_xml_text(image.url)}</link>",
            f"\t\t<dc:creator>{cdata(AUTHOR_LOGIN)}</dc:creator>",
            f'\t\t<guid isPermaLink="false">{_xml_text(image.url)}</guid>',
            "\t\t<description></description>", f"\t\t<content:encoded>{cdata('')}</content:encoded>",
            f"\t\t<excerpt:encoded>{cdata(image.alt_text)}</excerpt:encoded>",
            f"\t\t<wp:post_id>{attachment_id}</wp:post_id>",
            f"\t\t<wp:post_date>{cdata(_wp_date(blog.when))}</wp:post_date>",
            f"\t\t<wp:post_date_gmt>{cdata(_wp_date(blog.when.astimezone(UTC)))}</wp:post_date_gmt>",
            f"\t\t<wp:post_name>{cdata(slug(name))}</wp:post_name>",
            f"\t\t<wp:status>{cdata('inherit')}</wp:status>",
            f"\t\t<wp:post_parent>{parent_id}</wp:post_parent>",
            f"\t\t<wp:post_type>{cdata('attachment')}</wp:post_type>",
            f"\t\t<wp:attachment_url>{cdata(image.url)}</wp:attachment_url>",
            *_meta("_wp_attachment_image_alt", image.alt_text), "\t</item>"]


def blog_wxr(pack: ChannelPack, *, site_url: str, site_name: str = "", author_name: str = "",
             now: datetime | None = None) -> str:
    site = site_url.rstrip("/")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    terms: dict[tuple[str, str], str] = {}  # (domain, slug) → name
    for blog in pack.blogs:
        for c in blog.categories:
            terms.setdefault(("category", slug(c)), c)
        for t in blog.tags:
            terms.setdefault(("post_tag", slug(t)), t)
    lines = ['<?xml version="1.0" encoding="UTF-8" ?>', '<rss version="2.0"']
    lines += [f'\txmlns:{k}="{v}"' for k, v in NAMESPACES.items()]
    lines += [">", "", "<channel>",
              f"\t<title>{_xml_text(site_name or pack.campaign_name)}</title>",
              f"\t<link>{_xml_text(site)}</link>",
              f"\t<description>{_xml_text('Brouillons de la campagne « ' + pack.campaign_name + ' »')}</description>",
              f"\t<pubDate>{format_datetime(now)}</pubDate>",
              "\t<language>fr-FR</language>",
              f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>",
              f"\t<wp:base_site_url>{_xml_text(site)}</wp:base_site_url>",
              f"\t<wp:base_blog_url>{_xml_text(site)}</wp:base_blog_url>",
              "",
              f"\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{cdata(AUTHOR_LOGIN)}</wp:author_login>"
              f"<wp:author_email>{cdata('')}</wp:author_email>"
              f"<wp:author_display_name>{cdata(author_name or 'Communication')}</wp:author_display_name>"
              f"<wp:author_first_name>{cdata('')}</wp:author_first_name>"
              f"<wp:author_last_name>{cdata('')}</wp:author_last_name></wp:author>", ""]
    for term_id, ((domain, term_slug), name) in enumerate(terms.items(), start=1):
        if domain == "category":
            lines.append(f"\t<wp:category><wp:term_id>{term_id}</wp:term_id>"
                         f"<wp:category_nicename>{cdata(term_slug)}</wp:category_nicename>"
                         f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                         f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>")
        else:
            lines.append(f"\t<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{cdata(term_slug)}</wp:tag_slug>"
                         f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>")
    lines += ["", "\t<generator>outreach</generator>", ""]
    # the visuals that exist are attachments (the importer downloads them) and the posts' featured images
    visuals = {i: len(pack.blogs) + n for n, i in enumerate(
        (i for i, b in enumerate(pack.blogs, start=1) if b.featured_image.url), start=1)}
    for post_id, blog in enumerate(pack.blogs, start=1):
        gmt = blog.when.astimezone(UTC)
        lines += ["\t<item>",
                  f"\t\t<title>{cdata(blog.title)}</title>",
                  f"\t\t<link>{_xml_text(blog.url)}</link>",
                  f"\t\t<pubDate>{format_datetime(gmt)}</pubDate>",
                  f"\t\t<dc:creator>{cdata(AUTHOR_LOGIN)}</dc:creator>",
                  f'\t\t<guid isPermaLink="false">{_xml_text(site)}/?p={post_id}</guid>',
                  "\t\t<description></description>",
                  f"\t\t<content:encoded>{cdata(blog.html)}</content:encoded>",
                  f"\t\t<excerpt:encoded>{cdata(blog.excerpt)}</excerpt:encoded>",
                  f"\t\t<wp:post_id>{post_id}</wp:post_id>",
                  f"\t\t<wp:post_date>{cdata(_wp_date(blog.when))}</wp:post_date>",
                  f"\t\t<wp:post_date_gmt>{cdata(_wp_date(gmt))}</wp:post_date_gmt>",
                  f"\t\t<wp:post_modified>{cdata(_wp_date(blog.when))}</wp:post_modified>",
                  f"\t\t<wp:post_modified_gmt>{cdata(_wp_date(gmt))}</wp:post_modified_gmt>",
                  f"\t\t<wp:comment_status>{cdata('open')}</wp:comment_status>",
                  f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>",
                  f"\t\t<wp:post_name>{cdata(blog.slug)}</wp:post_name>",
                  f"\t\t<wp:status>{cdata('draft')}</wp:status>",
                  "\t\t<wp:post_parent>0</wp:post_parent>",
                  "\t\t<wp:menu_order>0</wp:menu_order>",
                  f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>",
                  f"\t\t<wp:post_password>{cdata('')}</wp:post_password>",
                  "\t\t<wp:is_sticky>0</wp:is_sticky>"]
        for c in blog.categories:
            lines.append(f'\t\t<category domain="category" nicename="{_xml_text(slug(c))}">{cdata(c)}</category>')
        for t in blog.tags:
            lines.append(f'\t\t<category domain="post_tag" nicename="{_xml_text(slug(t))}">{cdata(t)}</category>')
        lines += _meta("_outreach_image_brief", blog.featured_image.description)
        if post_id in visuals:
            lines += _meta("_thumbnail_id", str(visuals[post_id]))
        lines.append("\t</item>")
    for post_id, attachment_id in visuals.items():
        lines += _attachment(pack.blogs[post_id - 1], post_id, attachment_id)
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines)
