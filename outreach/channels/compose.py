"""One campaign → a post for each network in its role, linked together, on a calendar.

The blog article comes first: it is the central site (seed 000) and embeds or links every other network.
Each other network then relays it in its own role — Facebook with practical information, Instagram with a
graphic visual, X and Mastodon short with #Conseil2bib, YouTube with the LSF version, the newsletter to
subscribers — and links back to the article. Events are announced on the networks that relay events at
D-14, D-7 and D-1 (as set per channel in data/channels.yaml).

Every sentence is built from the data (numbers of items, titles, event dates and places); a sentence
whose figure is missing is left out rather than written vaguely, so that a post never promises what the
library does not have.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta

from outreach.channels import french
from outreach.channels.inputs import CampaignBrief, ThemeOffer
from outreach.channels.links import with_utm
from outreach.channels.lsf import lsf_brief
from outreach.channels.posts import BlogDraft, ChannelPack, ImageBrief, Post
from outreach.channels.profiles import ChannelProfile, load_channels
from outreach.channels.sentences import (
    PARIS,
    event_phrase,
    figure_sentence,
    item_title,
    items_sentence,
    local,
    next_event_sentence,
)
from outreach.channels.text import count, fit, shorten
from outreach.model import LibraryEvent
from outreach.text import number, slug

RELAY_CHANNELS = ("facebook", "instagram", "x", "mastodon")
MAX_BRANCHES_LISTED = 15  # in the blog article; the others are counted, not listed
ADVICE_TAG = "Conseil2bib"
ADVICE_SENTENCE = ("Un conseil de lecture ? Posez votre question avec #Conseil2bib : "
                   "nos bibliothécaires vous répondent.")
# the article holds the branches, titles and events, not opening hours: the pointer promises only what it holds
FACEBOOK_POINTER = "Tous les détails dans l'article."
REMINDER_PREFIX = {0: "Aujourd'hui", 1: "Demain", 7: "Dans une semaine", 14: "Dans deux semaines"}


# ------------------------------------------------------------------------------------------ hashtags, links

def hashtags_for(profile: ChannelProfile, theme: ThemeOffer | None, *, first: list[str] = ()) -> list[str]:
    """The channel's defaults and the theme's own tags for this network, each once, within the channel's limit."""
    pool = [*first, *profile.default_hashtags, *(theme.hashtags.get(profile.id, []) if theme else [])]
    out: list[str] = []
    for tag in pool:
        if tag and all(t.casefold() != tag.casefold() for t in out):
            out.append(tag)
    return out[: profile.constraints.hashtag_limit]


def tag_line(tags: list[str], skip_in: str = "") -> str:
    """'#A #B', leaving out a tag the text already carries."""
    return " ".join(f"#{t}" for t in tags if f"#{t}".casefold() not in skip_in.casefold())


# ------------------------------------------------------------------------------------------ images

def _image(profile: ChannelProfile, description: str, alt: str) -> ImageBrief:
    spec = profile.constraints.image
    limit = min(spec.alt_text_max_chars, 250)
    alt = alt if len(alt) <= limit else shorten(alt, limit, _plain(profile))
    return ImageBrief(description=description, alt_text=alt, ratio=spec.ratio, width=spec.width, height=spec.height)


def _plain(profile: ChannelProfile):
    return profile.constraints.model_copy(update={"weighting": "plain", "link_chars": None})


def theme_image(profile: ChannelProfile, theme: ThemeOffer) -> ImageBrief:
    items = theme.top_items(3)
    if items:
        covers = french.join([f"{french.quote(i.title)}" + (f", par {i.author}" if i.author else "") for i in items])
        return _image(profile, f"Montage des couvertures : {french.join([f'{french.quote(i.title)}' for i in items])}.",
                      f"Couvertures de {covers}.")
    text = f"{french.quote(theme.label)} — les bibliothèques du réseau"
    return _image(profile, f"Visuel typographique : {text}.", f"Visuel typographique : {text}.")


def event_image(profile: ChannelProfile, theme: ThemeOffer, event: LibraryEvent) -> ImageBrief:
    what = event_phrase(theme, event)
    return _image(profile, f"Affiche de l'événement : {what}.", f"Affiche de l'événement {what}.")


def advice_image(profile: ChannelProfile) -> ImageBrief:
    words = "#Conseil2bib — Un conseil de lecture ? Demandez à nos bibliothécaires !"
    return _image(profile, f"Visuel typographique : {french.quote(words)}", f"Visuel typographique : {french.quote(words)}")


# ------------------------------------------------------------------------------------------ the calendar

def slot(day: date, profile: ChannelProfile) -> datetime:
    hour, minute = profile.hour
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def theme_start(brief: CampaignBrief, index: int) -> date:
    """Themes are staggered over the period so that articles do not all come out the same day."""
    n = len(brief.themes)
    step = min(7, max(1, ((brief.end - brief.start).days + 1) // max(n, 1))) if n > 1 else 0
    return min(brief.end, brief.start + timedelta(days=index * step))


def after(blog_when: datetime, day: date, profile: ChannelProfile, end: date) -> datetime:
    """The channel's slot on `day` (capped to the campaign's end), moved to the next day if not after the blog."""
    when = slot(min(day, end), profile)
    while when <= blog_when:
        when = slot(when.date() + timedelta(days=1), profile)
    if when.date() > end:  # a short campaign: rather later the same day than after its end
        when = blog_when + timedelta(hours=1)
    return when


# ------------------------------------------------------------------------------------------ composer

class Composer:
    def __init__(self, brief: CampaignBrief, channels: dict[str, ChannelProfile] | None = None):
        self.brief = brief
        self.channels = channels or load_channels()

    def link(self, url: str, channel: str, content: str) -> str:
        return with_utm(url, source=channel, medium=self.channels[channel].utm_medium,
                        campaign=self.brief.utm_campaign or self.brief.name, content=content)

    def landing(self, theme: ThemeOffer) -> str:
        return theme.landing_url or self.brief.landing_url

    def post_text(self, profile: ChannelProfile, sentences: list[str], tail: str) -> str:
        return fit(sentences, profile.constraints.text_limit, profile.constraints, tail=tail)

    # -------------------------------------------------------------------------------------- per theme

    def compose(self) -> ChannelPack:
        posts: list[Post] = []
        blogs: list[BlogDraft] = []
        briefs = []
        notes: list[str] = []
        announced: set[str] = set()  # an event matching several themes is announced once, with the first
        for index, theme in enumerate(self.brief.themes):
            blog_day = theme_start(self.brief, index)
            next_day = theme_start(self.brief, index + 1) if index + 1 < len(self.brief.themes) else self.brief.end
            advice_day = blog_day + max(timedelta(days=1), (next_day - blog_day) // 2)
            events = theme.events(self.brief.start, self.brief.end)
            video_when = after(slot(blog_day, self.channels["blog"]),
                               blog_day + timedelta(days=self.channels["youtube"].bridge_offset_days),
                               self.channels["youtube"], self.brief.end)
            lsf = lsf_brief(theme, events, self.channels["youtube"], video_when, self.brief)
            blog = self.blog_draft(theme, events, blog_day, video_when)
            blogs.append(blog)
            briefs.append(lsf)
            posts.append(self.article_post(theme, blog))
            for channel in RELAY_CHANNELS:
                posts.append(self.relay(theme, events, blog, self.channels[channel]))
            posts.append(self.video_post(theme, events, blog, lsf, video_when))
            for profile in self.channels.values():
                if profile.advice:
                    posts.append(self.advice(theme, blog, profile, advice_day))
            for event in events:
                if event.id not in announced:
                    announced.add(event.id)
                    posts.extend(self.reminders(theme, event, blog, notes))
            if not theme.stocked and theme.kind != "event":
                notes.append(f"Thème {french.quote(theme.label)} : aucun document trouvé dans les bibliothèques de la "
                             "campagne ; les textes n'annoncent donc aucun chiffre.")
        posts.append(self.newsletter(blogs))
        posts = spread(posts)
        return ChannelPack(campaign_name=self.brief.name, campaign_slug=self.brief.slug,
                           utm_campaign=self.brief.utm_campaign, start=self.brief.start, end=self.brief.end,
                           posts=posts, blogs=blogs, lsf=briefs, notes=notes)

    # -------------------------------------------------------------------------------------- blog

    def blog_title(self, theme: ThemeOffer) -> str:
        limit = self.channels["blog"].constraints.title_max_chars or 70
        if theme.stocked:
            n = french.plural(theme.n_items, "document", "documents")
            where = theme.stocked[0].branch_name if len(theme.stocked) == 1 else \
                f"{len(theme.stocked)} bibliothèques"
            for title in (f"{theme.label} : {n} à emprunter dans {where}" if len(theme.stocked) > 1
                          else f"{theme.label} : {n} à emprunter", f"{theme.label} : {n} à emprunter"):
                if len(title) <= limit:
                    return title
        title = f"{theme.label} à la bibliothèque"
        return title if len(title) <= limit else shorten(theme.label, limit, self.channels["blog"].constraints)

    def blog_draft(self, theme: ThemeOffer, events: list[LibraryEvent], day: date, video_when: datetime) -> BlogDraft:
        profile = self.channels["blog"]
        post_slug = slug(f"{self.brief.name}-{theme.theme_id}")
        # ?name= finds a post by its slug whatever the blog's permalink structure; without a blog, the
        # bridges send people to the landing page instead of an article that does not exist
        url = f"{self.brief.blog_site}/?name={post_slug}" if self.brief.blog_site else self.landing(theme)
        image = theme_image(profile, theme).model_copy(update={"url": self.brief.visual_urls.get(theme.theme_id, "")})
        excerpt_limit = profile.constraints.excerpt_max_chars or 300
        excerpt = fit([figure_sentence(theme) or f"Le thème {french.quote(theme.label)} dans les bibliothèques du réseau.",
                       next_event_sentence(theme, events)], excerpt_limit, profile.constraints)
        body = BlogBody(self, theme, events, video_when).html(image)
        return BlogDraft(theme_id=theme.theme_id, title=self.blog_title(theme), slug=post_slug, url=url, html=body,
                         excerpt=excerpt, when=slot(day, profile), tags=hashtags_for(profile, theme),
                         categories=[theme.label], featured_image=image)

    def article_post(self, theme: ThemeOffer, blog: BlogDraft) -> Post:
        return Post(id=f"blog--{theme.theme_id}--article", channel="blog", kind="article", theme_id=theme.theme_id,
                    when=blog.when, title=blog.title, text=blog.excerpt, hashtags=blog.tags,
                    link=self.link(blog.url, "blog", f"{theme.theme_id}-article"),
                    images=[blog.featured_image])

    # -------------------------------------------------------------------------------------- bridges

    def relay(self, theme: ThemeOffer, events: list[LibraryEvent], blog: BlogDraft, profile: ChannelProfile) -> Post:
        link = self.link(blog.url, profile.id, f"{theme.theme_id}-relais")
        tags = hashtags_for(profile, theme)
        fig, items, nxt = figure_sentence(theme), items_sentence(theme), next_event_sentence(theme, events)
        headline = f"Sur notre blog : {french.quote(blog.title)}."
        told = fig if number(theme.n_items) not in blog.title else ""  # the title may already say it
        if profile.id == "facebook":
            sentences = [headline, told, items, nxt, FACEBOOK_POINTER]
            tail = f"{link}\n\n{tag_line(tags)}".strip()
        elif profile.id == "instagram":
            sentences = [f"{theme.label}.", fig, items, nxt]
            tail = f"L'article complet est sur notre blog : lien en bio.\n\n{tag_line(tags)}".strip()
        elif profile.id == "x":
            sentences = [fig or headline, nxt or items]
            tail = f"{link} {tag_line(tags)}".strip()
        else:  # mastodon
            sentences = [headline, told, items, nxt]
            tail = f"{link}\n\n{tag_line(tags)}".strip()
        return Post(id=f"{profile.id}--{theme.theme_id}--relais", channel=profile.id, kind="relay",
                    theme_id=theme.theme_id,
                    when=after(blog.when, blog.when.date() + timedelta(days=profile.bridge_offset_days), profile,
                               self.brief.end),
                    text=self.post_text(profile, sentences, tail), hashtags=tags, link=link,
                    images=[theme_image(profile, theme)])

    def video_post(self, theme: ThemeOffer, events: list[LibraryEvent], blog: BlogDraft, lsf, when: datetime) -> Post:
        profile = self.channels["youtube"]
        link = self.link(blog.url, "youtube", f"{theme.theme_id}-video-lsf")
        tags = hashtags_for(profile, theme)
        sentences = ["Vidéo en langue des signes française (LSF), sous-titrée en français.",
                     figure_sentence(theme), items_sentence(theme), next_event_sentence(theme, events),
                     ADVICE_SENTENCE]
        tail = f"L'article complet sur notre blog : {link}\n\n{tag_line(tags)}".strip()
        image = _image(profile, f"Miniature : la personne qui signe, avec le titre {french.quote(lsf.title)}.",
                       f"Miniature de la vidéo : une personne signe en LSF, titre {french.quote(lsf.title)}.")
        return Post(id=f"youtube--{theme.theme_id}--video", channel="youtube", kind="video", theme_id=theme.theme_id,
                    when=when, title=lsf.title, text=self.post_text(profile, sentences, tail), hashtags=tags,
                    link=link, images=[image])

    def advice(self, theme: ThemeOffer, blog: BlogDraft, profile: ChannelProfile, day: date) -> Post:
        """The librarians' advice on demand (#Conseil2bib), mid-way through the theme's turn."""
        link = self.link(blog.url, profile.id, f"{theme.theme_id}-conseil")
        tags = hashtags_for(profile, theme, first=[ADVICE_TAG])
        items = theme.top_items(1)
        pick = f"Par exemple : {item_title(items[0])}." if items else ""
        sentences = [f"{theme.label} : un conseil de lecture ? Posez votre question avec #{ADVICE_TAG}, "
                     "nos bibliothécaires vous répondent.", pick]
        tail = f"{link} {tag_line(tags, skip_in=' '.join(sentences))}".strip()
        return Post(id=f"{profile.id}--{theme.theme_id}--conseil", channel=profile.id, kind="advice",
                    theme_id=theme.theme_id, when=after(blog.when, day, profile, self.brief.end),
                    text=self.post_text(profile, sentences, tail), hashtags=tags, link=link,
                    images=[advice_image(profile)])

    def reminders(self, theme: ThemeOffer, event: LibraryEvent, blog: BlogDraft, notes: list[str]) -> list[Post]:
        """Announcements at D-14, D-7, D-1 on the channels that relay events; none before the article."""
        out, skipped = [], []
        start = local(event.start)
        for profile in self.channels.values():
            for days in profile.event_reminders:
                day = start.date() - timedelta(days=days)
                when = slot(day, profile)
                if days == 0 and when >= start:
                    when = start - timedelta(hours=2)
                if when <= blog.when or when >= start:
                    if days not in skipped:
                        skipped.append(days)
                    continue
                out.append(self.reminder(theme, event, blog, profile, days, when))
        if skipped:
            days_text = french.join([f"J-{d}" for d in sorted(skipped, reverse=True)])
            notes.append(f"{french.quote(event.title)} ({french.day(start)}) : annonce à {days_text} non programmée, "
                         "elle tomberait avant l'article du blog.")
        return out

    def reminder(self, theme: ThemeOffer, event: LibraryEvent, blog: BlogDraft, profile: ChannelProfile, days: int,
                 when: datetime) -> Post:
        target = event.url or blog.url
        link = self.link(target, profile.id, f"{theme.theme_id}-evenement-j{days}")
        tags = hashtags_for(profile, theme)
        prefix = REMINDER_PREFIX.get(days, f"Dans {days} jours")
        short = profile.constraints.max_chars <= 500
        sentences = [f"{prefix} : {event_phrase(theme, event, short=short)}.",
                     shorten(event.description, 200, profile.constraints) if event.description else ""]
        if profile.constraints.link_placement == "bio":
            tail = f"Infos et inscription : lien en bio.\n\n{tag_line(tags)}".strip()
        else:
            tail = f"{link}\n\n{tag_line(tags)}".strip() if not short else f"{link} {tag_line(tags)}".strip()
        return Post(id=f"{profile.id}--{theme.theme_id}--{slug(event.id) or 'evenement'}--j{days}", channel=profile.id,
                    kind="event", theme_id=theme.theme_id, when=when,
                    text=self.post_text(profile, sentences, tail), hashtags=tags, link=link,
                    images=[event_image(profile, theme, event)], event_id=event.id, reminder_days=days)

    # -------------------------------------------------------------------------------------- newsletter

    def fit_newsletter(self, paragraphs: list[str], profile: ChannelProfile) -> str:
        """Every theme whole if it fits; else each theme shortened to its heading, figure and link; else the
        first themes and, for the others, their names and the blog's address."""
        text = "\n\n".join(paragraphs)
        if _newsletter_fits(text, profile):
            return text
        short = [_fit_paragraph(p, 0, profile) for p in paragraphs]
        text = "\n\n".join(short)
        if _newsletter_fits(text, profile):
            return text
        home = self.link(self.brief.blog_site + "/" if self.brief.blog_site else self.brief.landing_url, "newsletter",
                         "lettre-blog")
        for n in range(len(short) - 1, -1, -1):
            rest = [t.label for t in self.brief.themes[n:]]
            tail = f"Et aussi sur notre blog : {french.join(rest)}. {home}"
            text = "\n\n".join([*short[:n], tail])
            if _newsletter_fits(text, profile):
                return text
        return shorten(text, profile.constraints.text_limit, profile.constraints)

    def newsletter(self, blogs: list[BlogDraft]) -> Post:
        """One issue for the whole campaign, after the last article, linking to every article."""
        profile = self.channels["newsletter"]
        limit = profile.constraints.title_max_chars or 60
        labels = french.join([t.label for t in self.brief.themes])
        subject = next((s for s in (f"{labels} dans vos bibliothèques", labels, self.brief.name) if len(s) <= limit),
                       shorten(self.brief.name, limit, profile.constraints))
        paragraphs = []
        for theme, blog in zip(self.brief.themes, blogs, strict=True):
            link = self.link(blog.url, "newsletter", f"{theme.theme_id}-lettre")
            events = theme.events(self.brief.start, self.brief.end)
            lines = [f"{theme.label.upper()}", figure_sentence(theme), items_sentence(theme)]
            lines += [f"– {event_phrase(theme, e)}" for e in events[:5]]
            if len(events) > 5:
                lines.append(f"… et {french.plural(len(events) - 5, 'autre rendez-vous', 'autres rendez-vous')} "
                             "dans l'article.")
            lines.append(f"Lire l'article (avec sa version en LSF) : {link}")
            paragraphs.append("\n".join(line for line in lines if line))
        text = self.fit_newsletter(paragraphs, profile)
        first_link = self.link(blogs[0].url, "newsletter", f"{self.brief.themes[0].theme_id}-lettre")
        last = max(b.when for b in blogs)
        when = after(last, last.date() + timedelta(days=profile.bridge_offset_days), profile, self.brief.end)
        return Post(id="newsletter--campagne", channel="newsletter", kind="newsletter", when=when, title=subject,
                    text=text, link=first_link, images=[theme_image(profile, self.brief.themes[0])])


def _newsletter_fits(text: str, profile: ChannelProfile) -> bool:
    return count(text, profile.constraints) <= profile.constraints.text_limit


def spread(posts: list[Post]) -> list[Post]:
    """Sorted by time; two posts of one channel never share a slot (the later one moves an hour on)."""
    taken: set[tuple[str, datetime]] = set()
    out = []
    for post in sorted(posts, key=lambda p: (p.when, KIND_ORDER.index(p.kind), p.channel, p.id)):
        when = post.when
        while (post.channel, when) in taken:
            when += timedelta(hours=1)
        taken.add((post.channel, when))
        out.append(post if when == post.when else post.model_copy(update={"when": when}))
    return sorted(out, key=lambda p: (p.when, p.channel, p.id))


# at equal times, what comes first: the article, then what relays it
KIND_ORDER = ("article", "relay", "video", "event", "advice", "newsletter")


def _fit_paragraph(paragraph: str, limit: int, profile: ChannelProfile) -> str:
    """Drop middle lines (the later events first) until the paragraph fits; heading, figure and link stay."""
    lines = paragraph.split("\n")
    keep = 3 if len(lines) > 2 and not lines[1].startswith(("À emprunter", "–")) else 2
    while count("\n".join(lines), profile.constraints) > limit and len(lines) > keep:
        lines.pop(-2)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ blog body

class BlogBody:
    """The article in WordPress block markup: figures, branches, items, events, the LSF video, the networks."""

    def __init__(self, composer: Composer, theme: ThemeOffer, events: list[LibraryEvent], video_when: datetime):
        self.c = composer
        self.theme = theme
        self.events = events
        self.video_when = video_when

    def link(self, url: str, content: str) -> str:
        return self.c.link(url, "blog", f"{self.theme.theme_id}-{content}")

    @staticmethod
    def paragraph(inner: str) -> str:
        return f"<!-- wp:paragraph -->\n<p>{inner}</p>\n<!-- /wp:paragraph -->"

    @staticmethod
    def heading(text: str) -> str:
        return f'<!-- wp:heading -->\n<h2 class="wp-block-heading">{html.escape(text)}</h2>\n<!-- /wp:heading -->'

    @staticmethod
    def bullet_list(items: list[str]) -> str:
        inner = "".join(f"<!-- wp:list-item -->\n<li>{i}</li>\n<!-- /wp:list-item -->\n" for i in items)
        return f'<!-- wp:list -->\n<ul class="wp-block-list">\n{inner}</ul>\n<!-- /wp:list -->'

    @staticmethod
    def anchor(url: str, text: str) -> str:
        return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'

    def html(self, image: ImageBrief) -> str:
        t, e = self.theme, html.escape
        blocks = []
        if t.description:
            blocks.append(self.paragraph(e(t.description)))
        if image.url:  # no image block without an image: WordPress drops or shows an empty one
            blocks.append(self.image_block(image))
        fig = figure_sentence(t)
        if fig:
            blocks.append(self.heading("Dans les bibliothèques"))
            blocks.append(self.paragraph(e(fig)))
            listed = t.stocked[:MAX_BRANCHES_LISTED]
            rows = []
            for b in listed:
                name = self.anchor(self.link(b.landing_url or self.c.landing(t), "bibliotheque"), b.branch_name)
                city = f" ({e(b.city)})" if b.city else ""
                rows.append(f"{name}{city} : {french.plural(b.n_items, 'document', 'documents')}")
            rest = t.stocked[MAX_BRANCHES_LISTED:]
            if rest:
                rows.append(f"et {len(rest)} autres bibliothèques ({french.plural(sum(b.n_items for b in rest), 'document', 'documents')})")
            blocks.append(self.bullet_list(rows))
        items = t.top_items(5)
        if items:
            blocks.append(self.heading("À emprunter"))
            blocks.append(self.bullet_list([e(item_title(i)) + (f", {i.year}" if i.year else "") for i in items]))
        blocks.append(self.paragraph(self.anchor(self.link(self.c.landing(t), "catalogue"),
                                                 f"Tout le thème {french.quote(t.label)} dans le catalogue")))
        if self.events:
            blocks.append(self.heading("Les rendez-vous"))
            rows = []
            for ev in self.events:
                text = e(event_phrase(t, ev))
                rows.append(self.anchor(self.link(ev.url, "evenement"), event_phrase(t, ev)) if ev.url else text)
            blocks.append(self.bullet_list(rows))
        blocks.extend(self.networks())
        return "\n\n".join(blocks) + "\n"

    def image_block(self, image: ImageBrief) -> str:
        return (f'<!-- wp:image {{"sizeSlug":"large"}} -->\n<figure class="wp-block-image size-large">'
                f'<img src="{html.escape(image.url)}" alt="{html.escape(image.alt_text)}"/></figure>\n'
                "<!-- /wp:image -->")

    def networks(self) -> list[str]:
        """The bridges: the LSF video, #Conseil2bib, and every network the blog embeds (seed 000)."""
        e = html.escape
        blog = self.c.channels["blog"]
        blocks = []
        youtube = self.c.channels["youtube"]
        if "youtube" in blog.bridges.embeds:
            blocks.append(self.heading("En langue des signes (LSF)"))
            when = french.day(self.video_when)
            text = e(f"La présentation de ce thème en LSF, sous-titrée en français, paraît le {when} sur notre "
                     "chaîne YouTube ; elle sera intégrée ici.")
            if youtube.account_url:
                text += " " + self.anchor(youtube.account_url, "Voir la chaîne YouTube")
            blocks.append(self.paragraph(text))
        advice = [p for p in self.c.channels.values() if p.advice and p.id in blog.bridges.embeds]
        if advice:
            blocks.append(self.heading(f"Un conseil ? #{ADVICE_TAG}"))
            names = french.join([p.name for p in advice])
            blocks.append(self.paragraph(e(f"Posez vos questions à nos bibliothécaires sur {names} avec le mot-clé "
                                           f"#{ADVICE_TAG} : ils vous répondent.")))
        blocks.append(self.heading("Suivez-nous"))
        rows = []
        for cid in blog.bridges.embeds:
            p = self.c.channels[cid]
            label = f"{p.name} : {p.role.split(' : ')[0].split(';')[0].strip().rstrip('.')}"
            rows.append(self.anchor(p.account_url, label) if p.account_url else e(label))
        blocks.append(self.bullet_list(rows))
        for cid in blog.bridges.embeds:
            p = self.c.channels[cid]
            if p.account_url and cid in ("x", "facebook", "instagram", "mastodon"):
                blocks.append(self.embed(p.account_url, cid, "rich"))
        return blocks

    @staticmethod
    def embed(url: str, provider: str, kind: str) -> str:
        slug_ = {"x": "twitter"}.get(provider, provider)
        return (f'<!-- wp:embed {{"url":"{url}","type":"{kind}","providerNameSlug":"{slug_}"}} -->\n'
                f'<figure class="wp-block-embed is-type-{kind} is-provider-{slug_} wp-block-embed-{slug_}">'
                f'<div class="wp-block-embed__wrapper">\n{html.escape(url)}\n</div></figure>\n<!-- /wp:embed -->')


def compose(brief: CampaignBrief, channels: dict[str, ChannelProfile] | None = None) -> ChannelPack:
    return Composer(brief, channels).compose()
