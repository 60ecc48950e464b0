"""Server-rendered HTML: the questionnaire page and the preference page. Every value is escaped.

Plain HTML and a little CSS, labelled fields, one h1, a skip-free single column: readable without the
widget's script, usable with a keyboard, in French.
"""

from __future__ import annotations

from html import escape

from outreach.community.notice import Notice
from outreach.community.offer import Offer
from outreach.community.vocabulary import AGE_BANDS, PURPOSE_LABELS, PURPOSE_SHORT, PURPOSES

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#161616;background:#fff;
 max-width:46rem;margin:0 auto;padding:1.5rem;line-height:1.5}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:1.5rem}
fieldset{border:1px solid #929292;border-radius:4px;margin:1rem 0;padding:.75rem 1rem}
legend{font-weight:700;padding:0 .25rem}
label{display:block;margin:.35rem 0}
input[type=text],input[type=email],select{font-size:1rem;padding:.4rem;border:1px solid #3a3a3a;border-radius:4px}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #000091;background:#000091;
 color:#fff;cursor:pointer;margin:.25rem .5rem .25rem 0}
button.danger{background:#ce0500;border-color:#ce0500}
button:focus,input:focus,select:focus,summary:focus,a:focus{outline:3px solid #0a76f6;outline-offset:2px}
.notice{font-size:.95rem} .ok{background:#b8fec9;padding:.75rem;border-radius:4px}
.errors{background:#ffe9e9;padding:.75rem;border-radius:4px}
table{border-collapse:collapse} td,th{border:1px solid #929292;padding:.3rem .5rem;text-align:left}
"""


def document(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")


def notice_html(notice: Notice) -> str:
    parts = [f"<h3>{escape(h)}</h3><p>{escape(b)}</p>" for h, b in notice.sections]
    return (f'<details class="notice"><summary>Comment sont utilisées vos données (notice version '
            f'{escape(notice.version)})</summary>{"".join(parts)}</details>')


def questionnaire_page(title: str, public_url: str) -> str:
    """The form as a page: the widget's script draws it inline, so the page and the pop-up are the same form."""
    body = (f"<h1>{escape(title)}</h1>"
            '<div id="outreach-questionnaire" data-inline="true"></div>'
            "<noscript><p>Ce questionnaire a besoin de JavaScript. Vous pouvez aussi écrire à la médiathèque "
            "pour nous dire ce qui vous intéresse.</p></noscript>"
            f'<script src="{escape(public_url)}/widget.js" data-inline="true" defer></script>')
    return document(title, body)


def message_page(title: str, message: str, status_class: str = "ok") -> str:
    return document(title, f'<h1>{escape(title)}</h1><p class="{status_class}" role="status">{escape(message)}</p>')


def confirmation_page(confirmation: str) -> str:
    """What the link of the confirmation e-mail opens: one button, which confirms (a POST)."""
    body = ("<h1>Confirmer votre adresse e-mail</h1>"
            "<p>Vous avez demandé à recevoir des e-mails de la médiathèque ou à voir ses publicités sur Facebook et "
            "Instagram. Confirmez que cette adresse est bien la vôtre : elle ne sera utilisée qu'après.</p>"
            f'<form method="post" action="/confirmation/{escape(confirmation)}">'
            '<button type="submit">Confirmer mon adresse</button></form>'
            "<p>Si vous n'avez rien demandé, fermez cette page : l'adresse ne sera jamais utilisée.</p>")
    return document("Confirmer votre adresse — médiathèque", body)


def preferences_page(member, offer: Offer, notice: Notice, branch_name: str, token: str,
                     errors: list | None = None, saved: str = "", refused: str = "") -> str:
    """`saved`: what was done; `refused`: a request not carried out, and why (nothing was changed)."""
    action = f"/preferences/{escape(token)}"
    out = ["<h1>Vos choix et vos données</h1>"]
    if saved:
        out.append(f'<p class="ok" role="status">{escape(saved)}</p>')
    if refused:
        out.append(f'<p class="errors" role="alert">{escape(refused)}</p>')
    if errors:
        items = "".join(f"<li>{escape(e.field)} : {escape(e.message)}</li>" for e in errors)
        out.append(f'<div class="errors" role="alert"><p>Vos choix n\'ont pas été enregistrés :</p><ul>{items}</ul></div>')
    out.append("<h2>Ce que nous savons de vous</h2><table><tbody>")
    rows = [("Code postal", member.postcode), ("Commune", member.area_name),
            ("Médiathèque de rattachement", branch_name or member.branch_id),
            ("Tranche d'âge", AGE_BANDS.get(member.age_band or "", "non indiquée")),
            ("Adresse e-mail", (member.email + (" (confirmée)" if member.email_confirmed else " (non confirmée)"))
             if member.email else "aucune"),
            ("Centres d'intérêt", ", ".join(offer.label(t) for t in member.interests)),
            ("Réponse donnée le", member.created_at.strftime("%d/%m/%Y")),
            ("Notice acceptée", f"version {member.notice_version}")]
    out += [f"<tr><th scope=\"row\">{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows]
    out.append("</tbody></table>")

    out.append(f'<h2>Modifier vos choix</h2><form method="post" action="{action}">'
               '<input type="hidden" name="action" value="update">')
    boxes = "".join(
        f'<label><input type="checkbox" name="interests" value="{escape(t.id)}"'
        f'{" checked" if t.id in member.interests else ""}> {escape(t.label)}</label>' for t in offer.themes)
    out.append(f"<fieldset><legend>Vos centres d'intérêt</legend>{boxes}</fieldset>")
    out.append(f'<label for="postcode">Code postal</label><input type="text" id="postcode" name="postcode" '
               f'inputmode="numeric" autocomplete="postal-code" maxlength="5" value="{escape(member.postcode)}">')
    options = "".join(f'<option value="{escape(k)}"{" selected" if k == member.age_band else ""}>{escape(v)}</option>'
                      for k, v in AGE_BANDS.items())
    out.append(f'<label for="age_band">Tranche d\'âge</label><select id="age_band" name="age_band">'
               f'<option value="">Je préfère ne pas répondre</option>{options}</select>')
    consents = "".join(
        f'<label><input type="checkbox" name="consent_{p}" value="on"{" checked" if member.consents[p] else ""}> '
        f"{escape(PURPOSE_LABELS[p])}</label>" for p in PURPOSES)
    out.append(f"<fieldset><legend>Vos consentements (un par usage)</legend>{consents}</fieldset>")
    out.append(f'<label for="email">Adresse e-mail (seulement pour les choix par e-mail ou Facebook/Instagram)'
               f'</label><input type="email" id="email" name="email" autocomplete="email" '
               f'value="{escape(member.email or "")}">')
    out.append('<p><button type="submit">Enregistrer mes choix</button></p></form>')
    if member.awaiting_confirmation:
        out.append(f'<h2>Confirmer votre adresse</h2><form method="post" action="{action}">'
                   '<input type="hidden" name="action" value="resend">'
                   "<p>Votre adresse e-mail n'est pas encore confirmée : tant qu'elle ne l'est pas, elle ne sert à "
                   "rien (ni e-mail, ni publicité). Ouvrez le lien reçu, ou demandez-en un nouveau.</p>"
                   '<button type="submit">Renvoyer le lien de confirmation</button></form>')

    out.append(f'<h2>Retirer ou effacer</h2><form method="post" action="{action}" id="desinscription">'
               '<input type="hidden" name="action" value="withdraw">'
               "<p>Retirer tous vos consentements : plus d'e-mail, plus de publicité ciblée ; votre adresse e-mail "
               "est effacée aussitôt.</p><button type=\"submit\">Retirer tous mes consentements</button></form>")
    out.append(f'<form method="post" action="{action}"><input type="hidden" name="action" value="delete">'
               "<p>Effacer toutes vos données : votre réponse disparaît aussitôt ; seule la preuve de vos "
               "consentements passés est gardée, sans rien qui permette de savoir qu'il s'agit de vous.</p>"
               '<button type="submit" class="danger">Effacer toutes mes données</button></form>')
    granted = [PURPOSE_SHORT[p] + ("" if member.usable_consents[p] else " (en attente de confirmation de l'adresse)")
               for p in PURPOSES if member.consents[p]]
    out.append(f"<h2>Consentements en cours</h2><p>{escape(', '.join(granted) or 'aucun')}</p>")
    out.append(notice_html(notice))
    return document("Vos choix — médiathèque", "".join(out))
