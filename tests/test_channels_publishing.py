"""Scheduling a campaign's posts through the networks' APIs: a real WordPress, and strict stand-ins for
Mastodon and the Graph API (Facebook Page posts, Instagram content publishing).

The example campaign's posts are moved to start tomorrow, so that the stand-ins' own clock checks apply.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from outreach.channels.publishing import Ledger, PublishError, apply, plan
from outreach.channels.publishing.facebook import FacebookPage
from outreach.channels.publishing.instagram import Instagram
from outreach.channels.publishing.mastodon import Mastodon
from outreach.channels.publishing.wordpress import WordPress
from tests.support.channels_fixtures import example_pack
from tests.support.social_servers import GraphPagesServer, MastodonServer
from tests.support.wordpress_server import WordPressServer, require_wordpress


def pack_from(start: datetime):
    """The example's pack with its calendar moved so that its first post is at `start`."""
    pack = example_pack()
    delta = start - pack.posts[0].when
    posts = [p.model_copy(update={"when": p.when + delta}) for p in pack.posts]
    blogs = [b.model_copy(update={"when": b.when + delta}) for b in pack.blogs]
    return pack.model_copy(update={"posts": posts, "blogs": blogs})


def visual(path: Path, kind: str = "PNG") -> Path:
    Image.new("RGB", (1080, 1080), (20, 60, 120)).save(path, kind)
    return path


@pytest.fixture
def mastodon():
    server = MastodonServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def graph():
    server = GraphPagesServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory):
    require_wordpress()
    server = WordPressServer(tmp_path_factory.mktemp("wordpress")).start()
    yield server
    server.stop()


NOW = datetime.now(UTC).replace(microsecond=0)


def test_mastodon_statuses_are_scheduled_once_updated_when_changed_and_deleted_when_cancelled(mastodon, tmp_path):
    pack = pack_from(NOW + timedelta(days=1))
    images = {"science-fiction": visual(tmp_path / "sf.png")}
    ledger = Ledger.load(tmp_path / "publications.json")
    publishers = {"mastodon": Mastodon(mastodon.url, mastodon.token)}

    dry = plan(pack, ledger, publishers, now=NOW, visuals=images)
    assert {a.kind for a in dry} == {"create"} and len(dry) == len(pack.by_channel("mastodon"))
    assert not mastodon.scheduled  # a dry run sends nothing

    apply(pack, ledger, publishers, now=NOW, visuals=images)
    assert len(mastodon.scheduled) == len(pack.by_channel("mastodon"))
    for post in pack.by_channel("mastodon"):
        status = mastodon.scheduled[Ledger.load(ledger.path).get(post.id).remote_id]
        assert status["params"]["text"] == post.text and status["params"]["language"] == "fr"
        assert status["scheduled_at"] == post.when.astimezone(UTC).isoformat().replace("+00:00", "Z")
        assert [m["description"] for m in status["media_attachments"]] == [post.images[0].alt_text]

    again = apply(pack, Ledger.load(ledger.path), publishers, now=NOW, visuals=images)
    assert again.sent == 0 and {a.kind for a in again.actions} == {"unchanged"}
    before = set(mastodon.scheduled)

    first, *rest = pack.by_channel("mastodon")
    changed = pack.with_posts([p.model_copy(update={"text": p.text + " Nouveau !"}) if p.id == first.id else p
                               for p in pack.posts if p.id != rest[0].id])
    outcome = apply(changed, Ledger.load(ledger.path), publishers, now=NOW, visuals=images)
    assert sorted(a.kind for a in outcome.actions if a.kind != "unchanged") == ["delete", "update"]
    kept = Ledger.load(ledger.path)
    assert rest[0].id not in kept.entries
    assert mastodon.scheduled[kept.get(first.id).remote_id]["params"]["text"].endswith("Nouveau !")
    assert len(mastodon.scheduled) == len(before) - 1


def test_mastodon_refusals_become_french_errors_naming_the_post(mastodon, tmp_path):
    pack = pack_from(NOW + timedelta(days=1))
    post = pack.by_channel("mastodon")[0]
    with pytest.raises(PublishError) as refused:
        Mastodon(mastodon.url, "mauvais-jeton").create(post, None)
    assert f"publication {post.id}" in str(refused.value) and "HTTP 401" in str(refused.value)
    assert "jeton" in refused.value.fix
    # too soon: Mastodon wants five minutes ahead, so the post is reported, not sent
    lead = post.when - pack.posts[0].when  # the blog comes first, the Mastodon post later
    soon = pack_from(NOW + timedelta(minutes=2) - lead)
    actions = plan(soon, Ledger(tmp_path / "p.json"), {"mastodon": Mastodon(mastodon.url, mastodon.token)}, now=NOW)
    assert actions[0].post_id == post.id and actions[0].kind == "too-late" and "5 minutes" in actions[0].note


def test_facebook_posts_are_scheduled_as_the_page_with_visual_and_alt_text(graph, tmp_path):
    pack = pack_from(NOW + timedelta(days=1))
    images = {"science-fiction": visual(tmp_path / "sf.png")}
    ledger = Ledger.load(tmp_path / "publications.json")
    page = FacebookPage(graph.page_id, graph.user_token, graph_url=graph.url)
    apply(pack, ledger, {"facebook": page}, now=NOW, visuals=images)
    posts = pack.by_channel("facebook")
    assert len(graph.posts) == len(posts)
    for post in posts:
        sent = graph.posts[ledger.get(post.id).remote_id]
        assert sent["kind"] == "photo" and sent["image"][1] == images["science-fiction"].read_bytes()
        assert sent["alt_text_custom"] == post.images[0].alt_text
        assert sent["at"] == post.when.astimezone(UTC).replace(microsecond=0)
        assert post.link in sent["caption"]
    # the user token never posts: Meta refuses it (#200); the Page's own token is asked for
    with pytest.raises(PublishError, match="#200"):
        page._call("POST", f"{graph.page_id}/feed", "x", "test", token=graph.user_token,
                   data={"message": "m", "published": "false",
                         "scheduled_publish_time": str(int((NOW + timedelta(days=1)).timestamp()))})
    # beyond 75 days, Facebook refuses a scheduled time: such posts wait for a later run
    far = plan(pack_from(NOW + timedelta(days=90)), Ledger(tmp_path / "f.json"), {"facebook": page}, now=NOW)
    assert {a.kind for a in far} == {"later"} and "75 jours" in far[0].note


def test_wordpress_drafts_with_featured_visual_feed_the_bridges_and_rerunning_changes_nothing(
        wordpress, mastodon, tmp_path):
    pack = pack_from(NOW + timedelta(days=1))
    images = {"science-fiction": visual(tmp_path / "sf.png")}
    ledger = Ledger.load(tmp_path / "publications.json")
    blog = WordPress(wordpress.url, wordpress.user, wordpress.app_password, pack.blogs)
    assert blog.check() == "admin"
    publishers = {"blog": blog, "mastodon": Mastodon(mastodon.url, mastodon.token)}
    apply(pack, ledger, publishers, now=NOW, visuals=images)

    entry = ledger.get("blog--science-fiction--article")
    auth = (wordpress.user, wordpress.app_password.replace(" ", ""))

    def rest(method: str, route: str, **kwargs) -> httpx.Response:
        params = {"rest_route": f"/wp/v2/{route}", **kwargs.pop("params", {})}
        response = httpx.request(method, f"{wordpress.url}/", params=params, auth=auth, **kwargs)
        response.raise_for_status()
        return response
    made = rest("GET", f"posts/{entry.remote_id}", params={"context": "edit"}).json()
    draft = pack.blogs[0]
    assert made["status"] == "draft" and made["title"]["raw"] == draft.title and made["slug"] == draft.slug
    assert made["content"]["raw"] == draft.html
    media = rest("GET", f"media/{made['featured_media']}").json()
    assert media["alt_text"] == draft.featured_image.alt_text
    names = {t["name"] for t in rest("GET", "tags", params={"per_page": 100}).json()}
    assert set(draft.tags) <= names
    # the bridges now point to the article's real address, given by WordPress
    relay = next(p for p in pack.by_channel("mastodon") if p.kind == "relay")
    sent = mastodon.scheduled[ledger.get(relay.id).remote_id]["params"]["text"]
    assert entry.url and entry.url.split("?")[1].split("&")[0] in sent

    again = apply(pack, Ledger.load(ledger.path), publishers, now=NOW, visuals=images)
    assert again.sent == 0
    assert len(rest("GET", "posts", params={"status": "draft", "context": "edit"}).json()) == 1

    # published by the officer: the page shows the visual and the library's links as written
    # (published now: a publication date still ahead would make WordPress schedule it instead)
    rest("POST", f"posts/{entry.remote_id}", json={"status": "publish", "date_gmt": NOW.replace(tzinfo=None).isoformat()})
    link = rest("GET", f"posts/{entry.remote_id}").json()["link"]
    page = httpx.get(link, follow_redirects=True).text
    assert re.search(r'<img[^>]+wp-post-image', page) and media["source_url"].rsplit(".", 1)[0] in page
    library = [u for u in re.findall(r'href="([^"]+)"', draft.html) if "bmvr.marseille.fr" in u]
    assert library and all(u.replace("&amp;", "&#038;") in page or u in page for u in library)
    # and it is never overwritten by a later run
    edited = pack.with_posts([p.model_copy(update={"text": "Autre résumé"}) if p.channel == "blog" else p
                              for p in pack.posts])
    apply(edited, Ledger.load(ledger.path), {"blog": blog}, now=NOW, visuals=images)
    assert rest("GET", f"posts/{entry.remote_id}", params={"context": "edit"}).json()["excerpt"]["raw"] != \
        "Autre résumé"


def test_instagram_is_published_when_due_with_a_jpeg_hosted_on_the_blog(wordpress, graph, tmp_path):
    example = example_pack()
    lead = example.by_channel("instagram")[0].when - example.posts[0].when
    pack = pack_from(NOW - timedelta(minutes=30) - lead)  # the first Instagram post is due
    images = {"science-fiction": visual(tmp_path / "sf.png")}  # a PNG: converted to JPEG for Instagram
    ledger = Ledger.load(tmp_path / "publications.json")
    blog = WordPress(wordpress.url, wordpress.user, wordpress.app_password, pack.blogs)
    insta = Instagram(graph.ig_user_id, graph.user_token, host_image=blog.host_image, graph_url=graph.url)
    outcome = apply(pack, ledger, {"instagram": insta}, now=NOW, visuals=images)
    due = [p for p in pack.by_channel("instagram") if p.when <= NOW]
    assert due and len(graph.published) == len(due)
    assert graph.published[0]["caption"] == due[0].text and graph.published[0]["alt_text"] == due[0].images[0].alt_text
    assert {a.kind for a in outcome.actions if a.post_id not in {p.id for p in due}} <= {"later"}
    assert apply(pack, Ledger.load(ledger.path), {"instagram": insta}, now=NOW, visuals=images).sent == 0

    no_blog = Instagram(graph.ig_user_id, graph.user_token, host_image=None, graph_url=graph.url)
    with pytest.raises(PublishError, match="adresse publique"):
        no_blog.create(due[0], images["science-fiction"])
