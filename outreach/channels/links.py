"""Links with UTM parameters, so that the reach of each channel shows in the library's web analytics."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from outreach.text import slug

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
_UTM_VALUE = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")


def utm_value(text: str, default: str) -> str:
    """`text` as a UTM value: kept when it is one already (a campaign's identity, whose hyphens the Meta ads
    carry as they are), else its slug."""
    return text if _UTM_VALUE.fullmatch(text) else (slug(text) or default)


def with_utm(url: str, *, source: str, medium: str, campaign: str, content: str) -> str:
    """`url` with the four UTM parameters set; its other parameters and its fragment are kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in UTM_KEYS]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", utm_value(campaign, "campagne")),
              ("utm_content", slug(content) or "publication")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def utm_of(url: str) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(url).query) if k in UTM_KEYS}
