"""Multi-channel dissemination: one campaign, each network in its role, bridges, an editorial calendar.

    brief = campaign_brief(load_campaign(path))      # or CampaignBrief(...) built by hand
    pack = compose(brief)                            # posts, blog drafts, LSF briefs
    posts_csv(pack), calendar_ics(pack), blog_wxr(pack)
"""

from outreach.channels.campaign import campaign_brief
from outreach.channels.checks import check_post, edit_post, review_edits
from outreach.channels.compose import compose
from outreach.channels.exports import BLOG_FILE, CALENDAR_FILE, POSTS_FILE, render_files
from outreach.channels.inputs import BranchOffer, CampaignBrief, ItemRef, ThemeOffer
from outreach.channels.posts import KIND_LABELS, BlogDraft, ChannelPack, ImageBrief, LsfBrief, Post
from outreach.channels.profiles import ChannelProfile, load_channels
from outreach.channels.text import count, links_in

__all__ = ["BLOG_FILE", "BlogDraft", "BranchOffer", "CALENDAR_FILE", "CampaignBrief", "ChannelPack",
           "ChannelProfile", "ImageBrief", "ItemRef", "KIND_LABELS", "LsfBrief", "POSTS_FILE", "Post",
           "ThemeOffer", "campaign_brief", "check_post", "compose", "count", "edit_post", "links_in",
           "load_channels", "render_files", "review_edits"]
