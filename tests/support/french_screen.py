"""What must never be read on a page of the app: Streamlit's English defaults and developers' vocabulary.

`english_words(text)` lists what a page's visible text holds of it: English UI words, field ids (snake_case),
file paths, CLI commands, hash names. Shared by the end-to-end walks (tests/e2e/).
"""

from __future__ import annotations

import re

# words of Streamlit's widgets (uploader, select, dataframe toolbar) and of developers, as whole words
ENGLISH_UI_WORDS = ["Upload", "Drag and drop", "Browse files", "per file", "200MB", "Choose an option",
                    "Choose options", "No results", "1 result", "results", "Search", "Press Enter", "Deploy",
                    "Running", "Traceback", "None", "null", "True", "False", "NaN", "budget_eur", "dpo_contact",
                    "period (période)", "META_ACCESS_TOKEN", "OUTREACH_", "SHA-256", ".yaml", ".toml",
                    "secrets.toml", "network.yaml", "st.", "Vega", "undefined"]
PATTERNS = {
    # an identifier with an underscore (a field or key name), not « act_… », nor a part of a link the posts
    # carry (?utm_source=…&utm_medium=…: the address as it will be shared)
    "identifiant de champ": re.compile(r"(?<![\w@.\-?&=/#])[a-z]+(?:_[a-z]+)+(?![\w@=])"),
    # an absolute or home-relative file path; URLs and dates (01/06/2027) are left alone
    "chemin de fichier": re.compile(r"(?<![\w:/.~-])(?:~|/(?:home|tmp|root|usr|var|etc|work|Users))/[\w.-]+"),
}


def _cli_command() -> re.Pattern:
    """`outreach` followed by one of the CLI's own sub-commands, read from its parser."""
    from outreach.cli import build_parser

    names = [n for a in build_parser()._actions if isinstance(getattr(a, "choices", None), dict) for n in a.choices]
    return re.compile(rf"\boutreach (?:{'|'.join(map(re.escape, names))})\b")


PATTERNS["commande"] = _cli_command()


# Meta's own names of the token's permissions: the guide names them as Meta's screens show them, to be ticked
META_PERMISSIONS = {"ads_management", "ads_read", "pages_read_engagement", "pages_show_list", "business_management",
                    "instagram_basic", "pages_manage_ads"}


def english_words(text: str) -> list[str]:
    found = [w for w in ENGLISH_UI_WORDS if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])" if w[-1].isalnum()
                                                      else rf"(?<![\w]){re.escape(w)}", text)]
    for name, pattern in PATTERNS.items():
        found += [f"{name} : {m.group(0)}" for m in pattern.finditer(text) if m.group(0) not in META_PERMISSIONS]
    return found


def screen_text(page) -> str:
    """The sidebar's and the page's visible text; Material icons left out: their ligature names
    (keyboard_arrow_right) draw an icon, are hidden from screen readers and are never read as words."""
    return page.evaluate("""() => {
        const hide = document.createElement('style');
        hide.textContent = '[data-testid=stIconMaterial] { display: none !important; }';
        document.head.append(hide);
        const text = ['stSidebar', 'stMain'].map(t => document.querySelector(`[data-testid=${t}]`).innerText);
        hide.remove();
        return text.join('\\n');
    }""")
