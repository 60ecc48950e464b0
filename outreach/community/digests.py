"""Digests: HTML e-mails per member and per segment, and CSV, each with an unsubscribe link (FORM-05).

Written into a folder, all or nothing (outreach.atomic):
  members/<respondent id>.eml   one e-mail per member who granted `email_recommendations` (MIME, HTML and
                                text parts, List-Unsubscribe headers for one-click unsubscribe, RFC 8058)
  segments/<theme>--<branch>.html  the same content per segment, for a mailing tool; the unsubscribe link is
                                the merge field {{lien_desinscription}}, filled per recipient from recipients.csv
  recipients.csv                who receives what, with each person's unsubscribe and preference links
  recommendations.csv           every recommendation of every member, ranked
Nothing is sent from here: a municipal mailing tool sends the files.
"""

from __future__ import annotations

import dataclasses
import email.policy
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path

from outreach import atomic, cells
from outreach.community.offer import Offer
from outreach.community.recommend import ALL_THEMES, Recommendation, Recommender, segments
from outreach.community.store import Member
from outreach.community.vocabulary import (
    EMAIL_RECOMMENDATIONS,
    PERSONALISATION,
    allowed_for_age,
    youngest_band,
)

MERGE_FIELD = "{{lien_desinscription}}"


@dataclass
class DigestReport:
    members: int
    segments: int
    recommendations: int
    folder: Path


def _where(r: Recommendation, home: str, branch_names: dict[str, str]) -> str:
    return "" if r.branch_id == home else f" — à {branch_names.get(r.branch_id, r.branch_id)}"


def _html(title: str, intro: str, recos: list[Recommendation], unsubscribe: str, preferences: str | None,
          network: str, home: str = "", branch_names: dict[str, str] | None = None) -> str:
    branch_names = branch_names or {}
    rows = []
    for kind, heading in (("animation", "Prochaines animations"), ("document", "À emprunter")):
        chosen = [r for r in recos if r.kind == kind]
        if not chosen:
            continue
        rows.append(f"<h2 style=\"font-size:18px\">{escape(heading)}</h2><ul>")
        for r in chosen:
            title_html = (f'<a href="{escape(r.url)}">{escape(r.title)}</a>' if r.url.startswith(("http://", "https://"))
                          else escape(r.title))
            detail = (f" — {escape(r.detail)}" if r.detail else "") + escape(_where(r, home, branch_names))
            rows.append(f"<li>{title_html}{detail} <em>({escape(r.theme_label)})</em></li>")
        rows.append("</ul>")
    if not rows:
        rows.append("<p>Pas de nouveauté pour vos thèmes ce mois-ci à votre médiathèque : passez nous voir !</p>")
    manage = (f' — <a href="{escape(preferences)}">gérer mes choix</a>' if preferences else "")
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f'<body style="font-family:Arial,sans-serif;color:#161616;max-width:40em">'
            f"<h1 style=\"font-size:22px\">{escape(title)}</h1><p>{escape(intro)}</p>{''.join(rows)}"
            f'<hr><p style="font-size:13px">Vous recevez cet e-mail parce que vous l\'avez demandé en répondant au '
            f"questionnaire de {escape(network)}. "
            f'<a href="{escape(unsubscribe)}">Se désinscrire</a>{manage}.</p></body></html>')


def _text(title: str, recos: list[Recommendation], unsubscribe: str, home: str, branch_names: dict[str, str]) -> str:
    lines = [title, ""]
    for r in recos:
        where = _where(r, home, branch_names)
        lines.append(f"- {r.title}{' — ' + r.detail if r.detail else ''}{where} ({r.theme_label}) {r.url}".rstrip())
    lines += ["", f"Se désinscrire : {unsubscribe}"]
    return "\n".join(lines)


def member_email(member: Member, recos: list[Recommendation], public_url: str, branch_names: dict[str, str],
                 network: str, sender: str) -> EmailMessage:
    branch_name = branch_names.get(member.branch_id, member.branch_id)
    unsubscribe = f"{public_url}/unsubscribe/{member.token}"
    preferences = f"{public_url}/preferences/{member.token}#desinscription"
    title = f"Vos recommandations — {branch_name}"
    msg = EmailMessage()
    msg["Subject"] = title
    msg["From"] = sender
    msg["To"] = member.email
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="mediatheque.invalid")
    # one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" to the first URL (RFC 8058)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(_text(title, recos, preferences, member.branch_id, branch_names))
    intro = ("Voici ce que votre médiathèque vous propose en ce moment"
             + (" d'après vos centres d'intérêt." if member.consents["personalisation"] else "."))
    msg.add_alternative(_html(title, intro, recos, preferences, preferences, network, member.branch_id, branch_names),
                        subtype="html")
    return msg


# Python folds a header line past 78 characters, and a header with no space to fold at (a long
# <https://…/unsubscribe/TOKEN>) gets RFC 2047-encoded instead, which no mail client reads as a URL.
# RFC 5322 allows lines of 998 characters: headers are written with that limit, the bodies are already
# encoded (quoted-printable or base64) when the message is built, so their lines stay short.
UNFOLDED_HEADERS = email.policy.default.clone(max_line_length=998)


def eml_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file, its List-Unsubscribe a plain <https://…> (RFC 2369, RFC 8058)."""
    return msg.as_bytes(policy=UNFOLDED_HEADERS)


def member_emails(folder: Path):
    """The member e-mails written in `folder`, as messages to send: read with the policy they were written
    with, so that sending does not fold (and RFC 2047-encode) List-Unsubscribe again."""
    import email

    for path in sorted(Path(folder).glob("*.eml")):
        yield email.message_from_bytes(path.read_bytes(), policy=UNFOLDED_HEADERS)


def within_age(members: list[Member]) -> list[Member]:
    """The members who receive e-mails, each judged by the youngest age band given under their address
    (the most restrictive answer wins everywhere): no e-mail under 15, no personalisation under 18, and
    none to an address not confirmed yet (double opt-in)."""
    bands: dict[str, list[str | None]] = {}
    for m in members:
        if m.email_sha256:
            bands.setdefault(m.email_sha256, []).append(m.age_band)
    out = []
    for m in members:
        band = youngest_band(bands.get(m.email_sha256 or "", [m.age_band]))
        if not (m.usable_consents[EMAIL_RECOMMENDATIONS] and m.email and band
                and allowed_for_age(EMAIL_RECOMMENDATIONS, band)):
            continue
        if m.consents[PERSONALISATION] and not allowed_for_age(PERSONALISATION, band):
            m = dataclasses.replace(m, consents=m.consents | {PERSONALISATION: False})
        out.append(m)
    return out


def write_digests(folder: str | Path, members: list[Member], recommender: Recommender, offer: Offer, public_url: str,
                  branch_names: dict[str, str], network: str, sender: str) -> DigestReport:
    receiving = within_age(members)
    recipients = io.StringIO()
    rec_writer = cells.writer(recipients, lineterminator="\n")
    rec_writer.writerow(["respondent_id", "email", "branch_id", "segments", "unsubscribe_url", "preferences_url"])
    recos_csv = io.StringIO()
    reco_writer = cells.writer(recos_csv, lineterminator="\n")
    reco_writer.writerow(["respondent_id", "rank", "kind", "theme_id", "title", "detail", "url"])
    member_segments: dict[str, list[str]] = {}
    groups = segments(receiving, offer)
    for (theme_id, branch_id), group in groups.items():
        for m in group:
            member_segments.setdefault(m.id, []).append(f"{theme_id}--{branch_id}")
    n_recos = 0
    with atomic.output_dir(folder) as staging:
        (staging / "members").mkdir()
        (staging / "segments").mkdir()
        for m in receiving:
            recos = recommender.recommend(m)
            n_recos += len(recos)
            for r in recos:
                reco_writer.writerow([m.id, r.rank, r.kind, r.theme_id, r.title, r.detail, r.url])
            msg = member_email(m, recos, public_url, branch_names, network, sender)
            (staging / "members" / f"{m.id}.eml").write_bytes(eml_bytes(msg))
            rec_writer.writerow([m.id, m.email, m.branch_id, " ".join(member_segments.get(m.id, [])),
                                 f"{public_url}/unsubscribe/{m.token}", f"{public_url}/preferences/{m.token}"])
        for (theme_id, branch_id), _group in groups.items():
            theme_ids = [t.id for t in offer.themes] if theme_id == ALL_THEMES else [theme_id]
            recos = recommender.rank(theme_ids, branch_id)
            name = offer.label(theme_id) if theme_id != ALL_THEMES else "l'actualité"
            title = f"{name} — {branch_names.get(branch_id, branch_id)}"
            html = _html(title, "Voici ce que votre médiathèque vous propose en ce moment.", recos, MERGE_FIELD,
                         None, network, branch_id, branch_names)
            (staging / "segments" / f"{theme_id}--{branch_id}.html").write_text(html, encoding="utf-8")
        (staging / "recipients.csv").write_text(recipients.getvalue(), encoding="utf-8")
        (staging / "recommendations.csv").write_text(recos_csv.getvalue(), encoding="utf-8")
    return DigestReport(members=len(receiving), segments=len(groups), recommendations=n_recos, folder=Path(folder))
