"""The campaign's entry in the record of processing activities (GDPR art. 30), pre-filled from the campaign.

The DPO copies it into the commune's record. Every field of art. 30(1)(a)–(g) is filled from the network
settings and the campaign; what the tool cannot know is said, never invented.
"""

from __future__ import annotations

from outreach.compliance.context import CheckContext

META_IRELAND = "Meta Platforms Ireland Ltd (responsable conjoint pour la diffusion ciblée et la mesure)"
META_US = "Meta Platforms, Inc. (États-Unis)"

# (key, French label, GDPR reference): the order of the entry
FIELDS = (
    ("controller", "Responsable du traitement", "art. 30(1)(a)"),
    ("joint_controller", "Responsable conjoint", "art. 26, 30(1)(a)"),
    ("dpo", "Délégué à la protection des données", "art. 30(1)(a)"),
    ("purposes", "Finalités", "art. 30(1)(b)"),
    ("legal_basis", "Base légale", "art. 6"),
    ("data_subjects", "Catégories de personnes concernées", "art. 30(1)(c)"),
    ("data_categories", "Catégories de données", "art. 30(1)(c)"),
    ("recipients", "Destinataires", "art. 30(1)(d)"),
    ("transfers", "Transferts hors UE et garanties", "art. 30(1)(e)"),
    ("retention", "Durées de conservation", "art. 30(1)(f)"),
    ("security", "Mesures de sécurité", "art. 30(1)(g)"),
)
REQUIRED = ("controller", "joint_controller", "dpo", "purposes", "legal_basis", "data_subjects", "data_categories",
            "recipients", "transfers", "retention", "security")


def build_entry(ctx: CheckContext) -> dict:
    settings = ctx.settings
    advertiser = ctx.data.get("advertiser") or {}
    controller = settings.controller_name.strip()
    period = ctx.data.get("period") or {}
    themes = ", ".join(str(getattr(ctx.themes.get(t), "label", "") or t) for t in ctx.theme_ids)
    audiences = ctx.custom_audiences()
    age_min = ctx.get("audience.age_min", 18)
    age_max = ctx.get("audience.age_max", 65)
    data = [f"tranche d'âge ({age_min}–{age_max} ans) et lieu de résidence approximatif (rayon autour d'une "
            "médiathèque ou code postal), tels que Meta les connaît"]
    if ctx.interests():
        data.append("centres d'intérêt déduits par Meta, parmi ceux choisis par la médiathèque (thèmes : "
                    f"{themes})")
    if audiences:
        data.append("adresse e-mail hachée (SHA-256) des membres de la communauté ayant consenti au rapprochement")
    data.append("statistiques agrégées de diffusion (couverture, impressions, clics)")
    subjects = ["utilisateurs majeurs de Facebook et Instagram résidant sur le territoire de la campagne"]
    if audiences or ctx.uses_questionnaire:
        subjects.append("membres de la communauté d'intérêt (répondants au questionnaire)")
    basis = ["consentement recueilli par Meta pour le profilage publicitaire (art. 6(1)(a)) ; la commune ne "
             "peut pas invoquer l'intérêt légitime (art. 6(1) dernier alinéa)"]
    if audiences or ctx.uses_questionnaire:
        basis.append("consentement distinct de chaque membre pour chaque finalité du questionnaire")
    retention = ["Meta : selon sa politique ; statistiques de campagne gardées par la médiathèque 3 ans",
                 "bibliothèque publicitaire de Meta (DSA art. 39) : un an après la dernière diffusion"]
    if audiences or ctx.uses_questionnaire:
        retention.append("membres : 3 ans après le dernier contact actif ; audience Meta resynchronisée sous "
                         "7 jours, empreintes effacées par Meta après rapprochement")
    return {
        "campaign": ctx.name,
        "period": f"{period.get('start', '?')} → {period.get('end', '?')}",
        "controller": controller or "",
        "joint_controller": META_IRELAND,
        "dpo": settings.dpo_contact.strip(),
        "purposes": (f"Faire connaître l'offre des médiathèques ({themes}) aux habitants intéressés, par des "
                     f"publicités ciblées sur Facebook et Instagram (campagne « {ctx.name} ») ; mesurer leur "
                     "portée."),
        "legal_basis": " ; ".join(basis),
        "data_subjects": " ; ".join(subjects),
        "data_categories": " ; ".join(data),
        "recipients": f"service communication ({advertiser.get('beneficiary') or controller or '?'}) ; "
                      f"{META_IRELAND}",
        "transfers": f"{META_US} : décision d'adéquation (UE) 2023/1795 (Data Privacy Framework), inscription à "
                     "vérifier à la date de la campagne (XFER-01)",
        "retention": " ; ".join(retention),
        "security": "aucune donnée nominative transmise par la médiathèque pour le ciblage par intérêts ; "
                    "e-mails hachés localement avant tout envoi ; accès au compte publicitaire nominatif avec "
                    "double authentification ; export refusé tant qu'un point bloquant de la checklist est ouvert",
    }


def missing_fields(entry: dict) -> list[str]:
    labels = {key: label for key, label, _ in FIELDS}
    return [labels[key] for key in REQUIRED if not str(entry.get(key) or "").strip()]


def render_markdown(entry: dict, *, draft: bool = False) -> str:
    lines = []
    if draft:
        lines += ["> **BROUILLON** — des points bloquants de la checklist sont ouverts.", ""]
    lines += [f"# Registre des traitements (RGPD art. 30) — {entry['campaign']}", "",
              f"Période : {entry['period']}", "",
              "Fiche pré-remplie par outreach à partir du fichier de campagne ; à relire par le DPO puis à reporter "
              "dans le registre de la commune.", ""]
    for key, label, ref in FIELDS:
        value = str(entry.get(key) or "").strip() or "**À RENSEIGNER** (page Paramètres)"
        lines += [f"## {label} ({ref})", "", value, ""]
    return "\n".join(lines)
