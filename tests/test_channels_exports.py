"""posts.csv, calendar.ics (parsed back with icalendar) and the WordPress export (parsed as XML)."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from icalendar import Calendar

from outreach.channels import compose
from outreach.channels.exports import CSV_COLUMNS, calendar_ics, posts_csv, render_files
from outreach.channels.links import utm_of
from outreach.channels.wxr import NAMESPACES, blog_wxr, cdata
from tests.support.channels_fixtures import example_brief, example_pack

NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
NS = {k: v for k, v in NAMESPACES.items()}


def test_posts_csv_header_first_and_one_row_per_post():
    pack = example_pack()
    rows = list(csv.reader(io.StringIO(posts_csv(pack))))
    assert rows[0][:6] == CSV_COLUMNS == ["channel", "date", "text", "link", "hashtags", "alt_text"]
    assert len(rows) == len(pack.posts) + 1
    records = list(csv.DictReader(io.StringIO(posts_csv(pack))))
    for record, post in zip(records, pack.posts, strict=True):
        assert record["channel"] == post.channel
        assert datetime.fromisoformat(record["date"]) == post.when
        assert record["text"] == post.text  # multi-line texts survive the quoting
        assert utm_of(record["link"])["utm_source"] == post.channel
        assert record["alt_text"].strip()
        assert record["hashtags"] == " ".join(f"#{t}" for t in post.hashtags)


def test_calendar_parses_with_icalendar():
    pack = example_pack()
    cal = Calendar.from_ical(calendar_ics(pack, now=NOW))
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(pack.posts)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == len(events)
    for event, post in zip(events, pack.posts, strict=True):
        start = event.decoded("DTSTART")
        assert start == post.when and str(start.tzinfo) == "Europe/Paris"
        assert post.text in str(event["DESCRIPTION"])
        assert str(event["URL"]) == post.link
        assert "Texte alternatif" in str(event["DESCRIPTION"])
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries[0].startswith("Blog (WordPress) — Article : Science-fiction")
    assert any(s.startswith("X (Twitter) — Annonce d'événement (J-7)") for s in summaries)
    # the same campaign gives the same UIDs: re-importing the calendar updates rather than duplicates
    again = Calendar.from_ical(calendar_ics(compose(example_brief()), now=NOW))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == uids


def _wxr_root(text: str):
    return ET.fromstring(text.encode("utf-8"))


def test_wxr_is_well_formed_with_what_wordpress_imports():
    pack = example_pack()
    text = blog_wxr(pack, site_url="https://blog.exemple.fr/", site_name="Bibliothèques de Marseille", now=NOW)
    root = _wxr_root(text)
    assert root.tag == "rss" and root.get("version") == "2.0"
    for prefix, uri in NAMESPACES.items():
        assert f'xmlns:{prefix}="{uri}"' in text
    channel = root.find("channel")
    assert re.fullmatch(r"\d+\.\d+", channel.find("wp:wxr_version", NS).text)
    assert channel.find("wp:base_site_url", NS).text == "https://blog.exemple.fr"
    logins = [a.find("wp:author_login", NS).text for a in channel.findall("wp:author", NS)]
    assert logins == ["communication"]
    assert [c.find("wp:cat_name", NS).text for c in channel.findall("wp:category", NS)] == ["Science-fiction"]
    items = channel.findall("item")
    assert len(items) == len(pack.blogs) == 1
    item, blog = items[0], pack.blogs[0]
    assert item.find("title").text == blog.title
    assert item.find("dc:creator", NS).text in logins
    assert item.find("content:encoded", NS).text == blog.html
    assert item.find("excerpt:encoded", NS).text == blog.excerpt
    assert item.find("wp:post_type", NS).text == "post"
    assert item.find("wp:status", NS).text == "draft"
    assert item.find("wp:post_name", NS).text == blog.slug
    assert item.find("wp:post_date", NS).text == "2027-03-01 09:00:00"
    assert item.find("wp:post_date_gmt", NS).text == "2027-03-01 08:00:00"
    assert int(item.find("wp:post_id", NS).text) == 1
    terms = {(c.get("domain"), c.get("nicename"), c.text) for c in item.findall("category")}
    assert ("category", "science-fiction", "Science-fiction") in terms
    assert {d for d, _, _ in terms} == {"category", "post_tag"}


def test_wxr_reads_with_the_importers_line_based_parser_too():
    """WordPress falls back to a line-based parser: version, authors and items on lines of their own."""
    text = blog_wxr(example_pack(), site_url="https://blog.exemple.fr", now=NOW)
    lines = text.split("\n")
    assert any(re.search(r"<wp:wxr_version>(\d+\.\d+)</wp:wxr_version>", line) for line in lines)
    assert any(re.search(r"<wp:author>.*?</wp:author>", line) for line in lines)
    assert sum(line.strip() == "<item>" for line in lines) == sum(line.strip() == "</item>" for line in lines) == 1


def test_cdata_survives_its_own_terminator():
    brief = example_brief()
    theme = brief.themes[0].model_copy(update={"description": "Un code : a[b[0]]>c & <d>"})
    pack = compose(brief.model_copy(update={"themes": [theme]}))
    assert "]]&gt;" in pack.blogs[0].html or "]]>" in pack.blogs[0].html
    root = _wxr_root(blog_wxr(pack, site_url="https://blog.exemple.fr", now=NOW))
    assert root.find("channel/item/content:encoded", NS).text == pack.blogs[0].html
    assert ET.fromstring(f"<x>{cdata('a]]>b')}</x>").text == "a]]>b"


def test_render_files_names():
    files = render_files(example_pack(), site_url="https://blog.exemple.fr", now=NOW)
    assert set(files) == {"posts.csv", "calendar.ics", "blog.wxr.xml", "lsf-science-fiction.md",
                          "lsf-science-fiction.srt"}
    assert files["lsf-science-fiction.srt"].decode().startswith("1\n00:00:00,000 --> ")


def test_wxr_stays_well_formed_with_control_characters_from_an_export():
    """A vertical tab or an ESC in a catalogue title (spreadsheet or MARC-8 exports) is not XML at all."""
    brief = example_brief()
    theme = brief.themes[0].model_copy(update={"label": "Science\x0bfiction", "description": "Cartes\x0c et\x1b plans"})
    pack = compose(brief.model_copy(update={"themes": [theme], "name": "SF\x0b2027"}))
    root = _wxr_root(blog_wxr(pack, site_url="https://blog.exemple.fr", now=NOW, site_name="Réseau\x1b"))
    html = root.find("channel/item/content:encoded", NS).text
    assert "Cartes et plans" in html and "\x0c" not in html
    assert root.find("channel/item/title").text == pack.blogs[0].title.replace("\x0b", "")


def test_wxr_site_is_the_blogs_own_so_the_importers_url_rewriting_keeps_the_librarys_links():
    """WordPress ≥ 6.7's importer rewrites every link that starts with wp:base_site_url to the importing site."""
    pack = example_pack()
    channel = _wxr_root(blog_wxr(pack, site_url=example_brief().blog_site, now=NOW)).find("channel")
    base = channel.find("wp:base_site_url", NS).text
    assert base == "https://blog.exemple.fr"
    html = channel.find("item/content:encoded", NS).text
    library_links = [u for u in re.findall(r'href="([^"]+)"', html) if "bmvr.marseille.fr" in u]
    assert library_links and not any(u.startswith(base) for u in library_links)


def test_without_a_blog_address_nothing_is_rewritten_and_bridges_point_to_the_landing_page():
    brief = example_brief().model_copy(update={"site_url": ""})
    pack = compose(brief)
    channel = _wxr_root(blog_wxr(pack, site_url=brief.blog_site, now=NOW)).find("channel")
    assert not channel.find("wp:base_site_url", NS).text  # empty: the importer keeps every link as written
    relays = [p for p in pack.posts if p.kind == "relay"]
    assert relays and all(p.link.startswith(brief.landing_url.split("?")[0].rstrip("/")) for p in relays)


def test_bridges_link_to_the_article_whatever_the_permalink_structure():
    pack = example_pack()
    blog = pack.blogs[0]
    assert blog.url == f"https://blog.exemple.fr/?name={blog.slug}"
    for post in pack.posts:
        if post.kind in ("relay", "article"):
            assert post.link.startswith(blog.url + "&utm_source="), post.id
    rows = list(csv.DictReader(io.StringIO(posts_csv(pack))))
    article = next(r for r in rows if r["kind"] == "article")
    assert article["link"].startswith(blog.url)  # the blog row links to the article, not the landing page


def test_a_published_visual_becomes_an_attachment_and_the_featured_image():
    url = "https://blog.exemple.fr/wp-content/uploads/2027/03/sf.png"
    pack = compose(example_brief().model_copy(update={"visual_urls": {"science-fiction": url}}))
    items = _wxr_root(blog_wxr(pack, site_url="https://blog.exemple.fr", now=NOW)).findall("channel/item")
    post, attachment = items
    assert attachment.find("wp:post_type", NS).text == "attachment"
    assert attachment.find("wp:attachment_url", NS).text == url
    assert attachment.find("wp:post_parent", NS).text == post.find("wp:post_id", NS).text
    metas = {m.find("wp:meta_key", NS).text: m.find("wp:meta_value", NS).text for m in post.findall("wp:postmeta", NS)}
    assert metas["_thumbnail_id"] == attachment.find("wp:post_id", NS).text
    assert f'src="{url}"' in post.find("content:encoded", NS).text
