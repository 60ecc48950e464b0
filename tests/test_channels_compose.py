"""The posts of the example campaign on the shipped data: limits, links, alt texts, true figures, calendar."""

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach.channels import compose, french, load_channels
from outreach.channels.checks import length
from outreach.channels.links import utm_of
from outreach.channels.text import ELLIPSIS, links_in
from outreach.themes import load_themes, shipped_catalogue, shipped_events, summarise
from tests.support.catalogue_fixtures import loaded_sample
from tests.support.channels_fixtures import EVENTS, check_pack, example_brief, example_campaign, example_pack

PARIS = ZoneInfo("Europe/Paris")
CHANNELS = load_channels()


def test_every_channel_gets_posts_in_its_role():
    pack = example_pack()
    assert {p.channel for p in pack.posts} == set(CHANNELS)
    kinds = {(p.channel, p.kind) for p in pack.posts}
    assert ("blog", "article") in kinds and ("youtube", "video") in kinds and ("newsletter", "newsletter") in kinds
    assert {("x", "advice"), ("mastodon", "advice")} <= kinds  # #Conseil2bib on X and Mastodon only
    assert not any(k == "advice" for c, k in kinds if c not in ("x", "mastodon"))
    for post in pack.posts:
        if post.kind == "advice":
            assert "#Conseil2bib" in post.text


def test_lengths_on_every_channel():
    pack = example_pack()
    for post in pack.posts:
        c = CHANNELS[post.channel].constraints
        n = length(post, CHANNELS[post.channel])
        assert 0 < n <= c.text_limit <= c.max_chars, (post.id, n)
        if c.title_max_chars:
            assert len(post.title) <= c.title_max_chars
        assert len(post.hashtags) <= c.max_hashtags
    assert check_pack(pack) == []


def test_x_length_counts_links_as_23():
    for post in example_pack().by_channel("x"):
        links = links_in(post.text)
        assert links, post.id
        assert length(post, CHANNELS["x"]) == len(post.text) - sum(len(u) - 23 for u in links)


def test_utm_parameters_on_every_link():
    pack = example_pack()
    slug = "exemple-sf-bouches-du-rhone"  # the campaign file's identity, as its Meta ads carry it
    for post in pack.posts:
        for link in [post.link, *links_in(post.text)]:
            utm = utm_of(link)
            assert utm["utm_source"] == post.channel, (post.id, link)
            assert utm["utm_medium"] == CHANNELS[post.channel].utm_medium
            assert utm["utm_campaign"] == slug and utm["utm_content"]
    for blog in pack.blogs:  # the article's links to the library's site
        hrefs = [h for h in blog.html.split('href="')[1:]]
        assert hrefs
        for href in hrefs:
            url = href.split('"')[0].replace("&amp;", "&")
            if "bmvr.marseille.fr" in url:
                assert utm_of(url)["utm_source"] == "blog"


def test_every_image_has_alt_text():
    pack = example_pack()
    for post in pack.posts:
        assert post.images, post.id
        for image in post.images:
            spec = CHANNELS[post.channel].constraints.image
            assert image.alt_text.strip() and len(image.alt_text) <= spec.alt_text_max_chars
            assert (image.ratio, image.width, image.height) == (spec.ratio, spec.width, spec.height)
    for blog in pack.blogs:  # no visual published yet: no image block (WordPress would drop or show it empty)
        assert "wp:image" not in blog.html and "<img" not in blog.html


def test_a_published_visual_is_the_articles_image_with_its_alt_text():
    url = "https://blog.exemple.fr/wp-content/uploads/2027/03/sf.png"
    brief = example_brief().model_copy(update={"visual_urls": {"science-fiction": url}})
    blog = compose(brief).blogs[0]
    assert blog.featured_image.url == url
    assert f'<img src="{url}" alt="{html.escape(blog.featured_image.alt_text)}"/>' in blog.html


def test_texts_state_the_true_figures():
    """The counts in the texts are those of the matcher on the shipped catalogue, branch by branch."""
    campaign = example_campaign()
    theme = next(t for t in load_themes() if t.id == "science-fiction")
    brief = example_brief()
    branch_ids = [b.branch_id for b in brief.themes[0].branches]
    summaries = summarise(loaded_sample(), EVENTS, [theme], branch_ids, campaign.period.start)
    stocked = {b: s.n_items for (_, b), s in summaries.items() if s.n_items}
    total = sum(stocked.values())
    assert total > 0 and len(stocked) >= 2
    sentence = f"{total} documents liés au thème «\u00a0Science-fiction\u00a0» dans {len(stocked)} bibliothèques"
    pack = example_pack()
    for channel in ("x", "instagram"):
        assert sentence in next(p.text for p in pack.posts if p.id == f"{channel}--science-fiction--relais")
    assert sentence in pack.blogs[0].html
    assert pack.blogs[0].title == f"Science-fiction : {total} documents à emprunter dans {len(stocked)} bibliothèques"
    relay = next(p for p in pack.posts if p.id == "facebook--science-fiction--relais")
    assert pack.blogs[0].title in relay.text
    best = max(stocked, key=stocked.get)
    assert f"{stocked[best]} documents</li>" in pack.blogs[0].html
    titles = [i.title for s in summaries.values() for i in s.top_items]
    assert any(f"«\u00a0{t}\u00a0»" in relay.text for t in titles)
    # what the relay says is in the article is in the article (no opening hours there to promise)
    assert "Horaires" not in relay.text and "horaires" not in pack.blogs[0].html.lower()
    assert "Tous les détails dans l'article." in relay.text


def test_the_demonstration_sample_gives_no_figure_and_no_title_to_the_posts():
    """Without a catalogue of its own, a network's posts state no count and name no title of the sample."""
    from outreach.channels.campaign import campaign_brief

    brief = campaign_brief(example_campaign(), events=EVENTS, site_url="https://blog.exemple.fr")
    assert all(b.n_items == 0 and not b.top_items for t in brief.themes for b in t.branches)
    pack = compose(brief)
    texts = [p.text for p in pack.posts] + [b.html for b in pack.blogs]
    assert not any("documents liés" in t for t in texts)
    sample_titles = {i.title for i in shipped_catalogue()}
    assert not any(f"«\u00a0{title}\u00a0»" in t for t in texts for title in sample_titles)
    # the events are announced all the same
    assert any("Club de lecture science-fiction" in t for t in texts)


def test_the_demonstration_agenda_is_announced_by_no_post():
    """Even handed to the brief, an event of the demonstration agenda (marked `demo`) reaches no post."""
    from outreach.channels.campaign import campaign_brief

    campaign = example_campaign()
    # themes of the demonstration agenda's events at the Merlan (Marseille) and Méjanes (Aix), in scope here
    campaign = campaign.model_copy(update={"themes": [*campaign.themes, "musiques-urbaines", "emploi-formation",
                                                      "theatre-spectacle", "photographie"]})
    demo = shipped_events(campaign.period.start)
    assert any(e.branch_id in {"5425", "19957"} for e in demo)
    brief = campaign_brief(campaign, events=demo + EVENTS, site_url="https://blog.exemple.fr")
    announced = {e.id for t in brief.themes for b in t.branches for e in b.events}
    assert announced and announced <= {e.id for e in EVENTS}
    assert not any(p.event_id not in {e.id for e in EVENTS} for p in compose(brief).posts if p.kind == "event")


def test_events_announced_at_d14_d7_d1_with_their_dates():
    pack = example_pack()
    club = EVENTS[0]  # 20 March 2027, 15:00 at Le Merlan
    reminders = [p for p in pack.posts if p.event_id == club.id]
    by_channel = {}
    for p in reminders:
        by_channel.setdefault(p.channel, []).append(p.reminder_days)
        assert p.when.date() == club.start.date() - timedelta(days=p.reminder_days)
        assert "20 mars" in p.text and "15 h" in p.text
    assert sorted(by_channel["x"]) == sorted(by_channel["facebook"]) == sorted(by_channel["mastodon"]) == [1, 7, 14]
    assert by_channel["instagram"] == [7]
    assert {p.text.split(" :")[0] for p in reminders if p.channel == "x"} == \
        {"Dans deux semaines", "Dans une semaine", "Demain"}
    # events outside the period are not announced; one at D+4 of the start only where it can be
    ids = {p.event_id for p in pack.posts}
    assert "avant-campagne" not in ids and "apres-campagne" not in ids
    early = [p.reminder_days for p in pack.posts if p.event_id == "rencontre-sf-mejanes" and p.channel == "x"]
    assert early == [1]
    assert any("annonce à J-14 et J-7 non programmée" in n and "Rencontre" in n for n in pack.notes)


def test_blog_first_then_the_bridges_linking_back_to_it():
    pack = example_pack()
    blog = pack.blogs[0]
    assert blog.when == datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)
    assert pack.posts[0].channel == "blog"
    for post in pack.posts:
        if post.channel != "blog":
            assert post.when > blog.when
        assert date(2027, 3, 1) <= post.when.date() <= date(2027, 3, 31)
        if post.kind in ("relay", "video", "advice", "newsletter"):
            assert post.link.split("&utm_")[0] == blog.url
    assert blog.url == "https://blog.exemple.fr/?name=sf-pres-de-chez-vous-bouches-du-rhone-science-fiction"
    instagram = next(p for p in pack.posts if p.id == "instagram--science-fiction--relais")
    assert "lien en bio" in instagram.text and not links_in(instagram.text)
    # one channel never has two posts at the same time
    slots = [(p.channel, p.when) for p in pack.posts]
    assert len(slots) == len(set(slots))


def test_blog_embeds_or_links_every_other_network():
    html = example_pack().blogs[0].html
    for cid in CHANNELS["blog"].bridges.embeds:
        assert CHANNELS[cid].name in html
    assert "#Conseil2bib" in html and "LSF" in html
    # with account addresses, the blog embeds them
    channels = {k: v.model_copy() for k, v in CHANNELS.items()}
    channels["youtube"] = channels["youtube"].model_copy(update={"account_url": "https://www.youtube.com/@mediatheque"})
    channels["x"] = channels["x"].model_copy(update={"account_url": "https://x.com/mediatheque"})
    html = compose(example_brief(), channels).blogs[0].html
    assert '<!-- wp:embed {"url":"https://x.com/mediatheque","type":"rich","providerNameSlug":"twitter"} -->' in html
    assert 'href="https://www.youtube.com/@mediatheque"' in html


def test_lsf_brief():
    pack = example_pack()
    (brief,) = pack.lsf
    video = CHANNELS["youtube"].constraints.video
    assert video.min_seconds <= brief.duration_s <= video.max_seconds
    assert brief.subtitles[-1].end_s <= brief.duration_s
    for cue in brief.subtitles:
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
        assert (cue.end_s - cue.start_s) >= len(cue.text.replace("\n", " ")) / 15 - 0.05
    assert any("Club de lecture science-fiction" in point for point in brief.outline)
    srt = brief.srt()
    assert srt.startswith("1\n00:00:00,000 --> 00:00:")
    assert "Durée visée" in brief.markdown() and "sous-titres" in brief.markdown()


def test_long_texts_are_cut_between_words():
    brief = example_brief()
    theme = brief.themes[0]
    long_title = "Grande nuit " + "de la science-fiction " * 20 + "à la médiathèque"
    branches = [b.model_copy(update={"events": [e.model_copy(update={"description": long_title * 3})
                                                for e in b.events]}) for b in theme.branches]
    pack = compose(brief.model_copy(update={"themes": [theme.model_copy(update={"branches": branches})]}))
    assert any(b.events for b in branches)  # the example's events, whose description is made too long
    cut = 0
    for post in pack.posts:
        assert length(post, CHANNELS[post.channel]) <= CHANNELS[post.channel].constraints.text_limit
        for chunk in post.text.split("\n"):
            if ELLIPSIS in chunk:
                cut += 1
                before = chunk.split(ELLIPSIS)[0].split(" ")[-1]
                assert before in long_title.split(" ") or before.rstrip(".,") in long_title.split(" ")
    assert cut > 0  # the check above ran: some descriptions were shortened


def test_a_theme_without_items_claims_no_figure():
    brief = example_brief()
    theme = brief.themes[0]
    empty = theme.model_copy(update={"branches": [b.model_copy(update={"n_items": 0, "top_items": [], "events": []})
                                                  for b in theme.branches]})
    pack = compose(brief.model_copy(update={"themes": [empty]}))
    for post in pack.posts:
        assert "documents" not in post.text and "À emprunter" not in post.text
    assert any("aucun document" in n for n in pack.notes)
    assert check_pack(pack) == []


def test_every_theme_in_paris_over_the_demonstration_agenda():
    """All the themes at once, with the shipped agenda: limits hold, articles are staggered, events once."""
    from outreach.channels.campaign import campaign_brief

    campaign = example_campaign()
    themes = [t.id for t in load_themes()]
    large = campaign.model_copy(update={
        "name": "Tous les thèmes à Paris", "themes": themes,
        "territory": campaign.territory.model_copy(update={"departement": "75"}),
        "period": campaign.period.model_copy(update={"start": date(2026, 12, 1), "end": date(2027, 2, 28)})})
    # the shipped agenda given as a network's own (unmarked): by default a brief reads only the agenda in force
    own = [e.model_copy(update={"demo": False}) for e in shipped_events()]
    pack = compose(campaign_brief(large, events=own, site_url="https://blog.exemple.fr"))
    assert check_pack(pack) == []
    assert len(pack.blogs) == len(themes)
    days = [b.when.date() for b in pack.blogs]
    assert days == sorted(days) and len(set(days)) == len(days)
    events = [(p.channel, p.event_id, p.reminder_days) for p in pack.posts if p.kind == "event"]
    assert events and len(events) == len(set(events))  # an event matching two themes is announced once
    agenda = {e.id: e for e in shipped_events()}
    for post in pack.posts:
        if post.kind == "event":  # dates and titles are the agenda's
            event = agenda[post.event_id]
            assert post.when.date() == event.start.date() - timedelta(days=post.reminder_days)
            assert event.title[:20] in post.text or event.title[:20] in post.text.replace("\u00a0", " ")
            day = f"{event.start.day if event.start.day > 1 else '1er'} {french.MONTHS[event.start.month - 1]}"
            assert day in post.text
    for post in pack.posts:
        assert date(2026, 12, 1) <= post.when.date() <= date(2027, 2, 28)
    newsletter = next(p for p in pack.posts if p.kind == "newsletter")
    assert newsletter.when > max(b.when for b in pack.blogs)
    assert "Et aussi sur notre blog" in newsletter.text


def test_a_one_day_campaign_keeps_every_post_on_its_day():
    brief = example_brief().model_copy(update={"start": date(2027, 3, 20), "end": date(2027, 3, 20)})
    pack = compose(brief)
    assert {p.when.date() for p in pack.posts} == {date(2027, 3, 20)}
    blog = pack.blogs[0]
    assert all(p.when > blog.when for p in pack.posts if p.channel != "blog")
    assert check_pack(pack) == []
