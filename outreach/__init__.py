"""outreach: an interest-targeted outreach planner for French public libraries."""

__version__ = "0.1.0"
