"""Multi-channel dissemination: one campaign, each network in its role, bridges, an editorial calendar.

    brief = campaign_brief(load_campaign(path))      # or CampaignBrief(...) built by hand
    pack = compose(brief)                            # posts, blog drafts, LSF briefs
    posts_csv(pack), calendar_ics(pack), blog_wxr(pack)
"""

from outreach.channels.compose import compose
from outreach.channels.inputs import BranchOffer, CampaignBrief, ItemRef, ThemeOffer
from outreach.channels.posts import BlogDraft, ChannelPack, ImageBrief, LsfBrief, Post
from outreach.channels.profiles import ChannelProfile, load_channels

__all__ = ["BlogDraft", "BranchOffer", "CampaignBrief", "ChannelPack", "ChannelProfile", "ImageBrief",
           "ItemRef", "LsfBrief", "Post", "ThemeOffer", "compose", "load_channels"]
