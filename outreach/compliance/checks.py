"""The automatic checks of the checklist: one small function per rule, over a `CheckContext`.

A check returns a `CheckResult`: `pass`, `fail` (the campaign breaks the rule) or `flag` (a person must
decide and attest). Details are in French and name what to change. `data/compliance.yaml` names the check
of each `auto` and `semi` item; `CHECKS` is the registry it is validated against.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from outreach.compliance.context import CheckContext, as_data, attr, payload_interest_names
from outreach.compliance.ropa import build_entry, missing_fields
from outreach.compliance.sensitive import SensitiveLists, Term, normalise
from outreach.datasets import national_branches, shipped_branches
from outreach.elections import RULE as ELECTION_RULE
from outreach.elections import overlapping, single_date
from outreach.territory import chord_to_km, unit_vectors

PASS, FAIL, FLAG = "pass", "fail", "flag"
MIN_RADIUS_KM = 1.0
MIN_AGE = 18
QUESTIONNAIRE_MIN_AGE = 15  # French digital majority (Loi I&L art. 45)
CENTRE_TOLERANCE_KM = 0.05  # a circle's centre counts as the branch within 50 m (rounding of coordinates)
MILE_KM = 1.609344
POLITICAL_CATEGORY = "ISSUES_ELECTIONS_POLITICS"
SHOWN = 8  # how many offenders a detail names before "… et N autres"


@dataclass(frozen=True)
class CheckResult:
    status: str
    detail: str


CHECKS: dict[str, Callable[[CheckContext], CheckResult]] = {}


def check(name: str):
    def register(func):
        CHECKS[name] = func
        return func
    return register


def _listing(values: list[str]) -> str:
    shown = "; ".join(values[:SHOWN])
    more = len(values) - SHOWN
    return shown + (f" … et {more} autre(s)" if more > 0 else "")


def _origins(origins: list[str]) -> str:
    """« extra_interests, plan : 3 ensembles, meta-api.json : 3 ensembles »: one ad set is named, more counted."""
    by_kind: dict[str, list[str]] = {}
    for origin in origins:
        by_kind.setdefault(origin.split(", ensemble")[0], []).append(origin)
    return ", ".join(found[0] if len(found) == 1 else f"{kind} : {len(found)} ensembles"
                     for kind, found in by_kind.items())


# --- A. basis -------------------------------------------------------------------------------------------
@check("profiling_uses_consent")
def profiling_uses_consent(ctx: CheckContext) -> CheckResult:
    uses = []
    if ctx.uses_questionnaire:
        uses.append("le questionnaire de centres d'intérêt")
    if ctx.custom_audiences():
        uses.append(f"{len(ctx.custom_audiences())} audience(s) personnalisée(s)")
    if not uses:
        return CheckResult(PASS, "Ni questionnaire ni audience personnalisée : la campagne n'utilise aucune donnée "
                                 "détenue par la commune.")
    return CheckResult(FLAG, f"La campagne utilise {' et '.join(uses)} : le DPO confirme que ces usages reposent "
                             "sur le consentement (jamais l'intérêt légitime pour une commune).")


# --- B. targeting ---------------------------------------------------------------------------------------
@check("extra_interests_reviewed")
def extra_interests_reviewed(ctx: CheckContext) -> CheckResult:
    extra = [str(x) for x in ctx.data.get("extra_interests") or []]
    if extra:
        return CheckResult(FLAG, "Intérêts ajoutés à la main, à rapprocher de l'offre de la médiathèque : "
                                 + _listing([f"« {x} »" for x in extra]) + ".")
    names = list(ctx.interest_groups().values())
    if not names:
        return CheckResult(PASS, "Aucun centre d'intérêt ciblé.")
    return CheckResult(PASS, "Tous les intérêts viennent des thèmes du catalogue : "
                             + _listing([f"« {n} »" for n, _ in names]) + ".")


def _payload_circles(ad_set: dict) -> list[dict]:
    geo = (ad_set.get("targeting") or {}).get("geo_locations") or {}
    return list(geo.get("custom_locations") or [])


def _radius_km(location: dict) -> float | None:
    radius = location.get("radius")
    if radius is None:
        return None
    unit = str(location.get("distance_unit") or "mile").lower()  # Meta's default unit is the mile
    return float(radius) * (MILE_KM if unit.startswith("mile") else 1.0)


@check("radius_at_least_1km")
def radius_at_least_1km(ctx: CheckContext) -> CheckResult:
    too_small: list[str] = []
    radii: list[float] = []
    planned: list[float] = []  # counted only when there are no payloads (the same circles, planned)
    for ad_set in ctx.plan_ad_sets():
        for location in attr(ad_set, "locations", []) or [ad_set]:
            radius = attr(location, "radius_km")
            if radius is None:
                continue
            planned.append(float(radius))
            if float(radius) < MIN_RADIUS_KM:
                too_small.append(f"plan, « {attr(ad_set, 'name', '?')} » : {float(radius):g} km")
    for ad_set in ctx.payload_ad_sets():
        for location in _payload_circles(ad_set):
            radius = _radius_km(location)
            if radius is None:
                too_small.append(f"meta-api.json, « {ad_set.get('name', '?')} » : rayon absent")
                continue
            radii.append(radius)
            if radius < MIN_RADIUS_KM - 1e-9:
                too_small.append(f"meta-api.json, « {ad_set.get('name', '?')} » : {radius:g} km")
    radii = radii if ctx.payload else planned  # the payloads say what Meta will get (zips have no circle)
    if too_small:
        return CheckResult(FAIL, "Rayon inférieur à 1 km : " + _listing(too_small) + ".")
    if not radii:
        if ctx.get("geo") == "postcodes":
            return CheckResult(PASS, "Ciblage par codes postaux : pas de cercle.")
        return CheckResult(PASS, "Aucun cercle dans le plan ni dans les paramètres Meta.")
    return CheckResult(PASS, f"{len(radii)} cercle(s), rayon de {min(radii):g} à {max(radii):g} km.")


_LOOKALIKE_WORDS = ("lookalike", "look alike", "similaire", "similaires", "sosie")


@check("no_lookalike_audience")
def no_lookalike_audience(ctx: CheckContext) -> CheckResult:
    found = []
    for audience in ctx.custom_audiences():
        text = " ".join(normalise(f"{audience['source']} {audience['name']}"))
        if any(re.search(rf"\b{w}\b", text) for w in _LOOKALIKE_WORDS):
            found.append(f"« {audience['name'] or audience['id']} » (source « {audience['source']} »)")
    if found:
        return CheckResult(FAIL, "Audience similaire (lookalike) sans consentement distinct : " + _listing(found) + ".")
    return CheckResult(PASS, "Aucune audience similaire.")


# --- C. custom audiences --------------------------------------------------------------------------------
def _describe(audience: dict) -> str:
    label = audience["name"] or audience["id"]
    source = audience["source"] or "non indiquée"
    return f"« {label} » (source : {source}, {audience['origin']})"


@check("custom_audiences_from_questionnaire")
def custom_audiences_from_questionnaire(ctx: CheckContext) -> CheckResult:
    audiences = ctx.custom_audiences()
    if not audiences:
        return CheckResult(PASS, "Aucune audience personnalisée.")
    wrong = [_describe(a) for a in audiences if a["source"].strip().casefold() != "questionnaire"]
    if wrong:
        return CheckResult(FAIL, "Audience dont la source n'est pas le questionnaire (consentement « publicités sur "
                                 "Facebook et Instagram ») : " + _listing(wrong) + ".")
    if ctx.questionnaire is None:
        return CheckResult(FAIL, "Audience tirée du questionnaire, mais le questionnaire de l'outil n'est pas "
                                 "configuré : le consentement ne peut pas être établi.")
    return CheckResult(PASS, f"{len(audiences)} audience(s), toutes issues des réponses consenties au questionnaire.")


@check("custom_audiences_used")
def custom_audiences_used(ctx: CheckContext) -> CheckResult:
    audiences = ctx.custom_audiences()
    if not audiences:
        return CheckResult(PASS, "Aucune audience personnalisée.")
    return CheckResult(FLAG, "Audience(s) utilisée(s) : " + _listing([_describe(a) for a in audiences])
                       + ". À vérifier et attester.")


_SERVICE_FILES = {
    "sigb": "SIGB (fichier des prêts)",
    "pret": "prêts",
    "prets": "prêts",
    "carte lecteur": "cartes de lecteur",
    "cartes lecteurs": "cartes de lecteur",
    "fichier lecteurs": "fichier des lecteurs",
    "lecteurs": "fichier des lecteurs",
    "abonnes": "fichier des abonnés",
    "inscrits": "fichier des inscrits",
    "compte usager": "comptes usagers",
    "comptes usagers": "comptes usagers",
    "etat civil": "état civil",
    "liste electorale": "liste électorale",
}


@check("custom_audiences_not_from_service_files")
def custom_audiences_not_from_service_files(ctx: CheckContext) -> CheckResult:
    found = []
    for audience in ctx.custom_audiences():
        # the source says where the people come from; names are free text and may mention "lecteurs"
        text = " " + " ".join(normalise(audience["source"])) + " "
        hits = sorted({label for key, label in _SERVICE_FILES.items() if f" {key} " in text})
        if hits:
            found.append(f"{_describe(audience)} : {', '.join(hits)}")
    if found:
        return CheckResult(FAIL, "Audience tirée d'un fichier de service public : " + _listing(found) + ".")
    if not ctx.custom_audiences():
        return CheckResult(PASS, "Aucune audience personnalisée.")
    return CheckResult(PASS, "Aucune audience tirée du SIGB, des cartes de lecteur, des comptes usagers ou de "
                             "l'état civil.")


# --- E. questionnaire -----------------------------------------------------------------------------------
def needs_questionnaire(func: Callable[[CheckContext], CheckResult]) -> Callable[[CheckContext], CheckResult]:
    """A check of the questionnaire: it fails, saying why, when the campaign uses one the tool does not have."""
    @functools.wraps(func)
    def checked(ctx: CheckContext) -> CheckResult:
        if ctx.questionnaire is None:
            return CheckResult(FAIL, "La campagne utilise le questionnaire, mais il n'est pas configuré dans "
                                     "l'outil (page Questionnaire & communauté).")
        return func(ctx)
    return checked


def _notice_words(ctx: CheckContext) -> str:
    return " " + " ".join(normalise(ctx.questionnaire.notice_text)) + " "


def _has(words: str, *needles: str) -> bool:
    return any(f" {' '.join(normalise(n))} " in words for n in needles)


@check("notice_names_meta")
@needs_questionnaire
def notice_names_meta(ctx: CheckContext) -> CheckResult:
    words = _notice_words(ctx)
    missing = []
    if not _has(words, "Meta Platforms Ireland"):
        missing.append("Meta Platforms Ireland comme destinataire")
    if not _has(words, "États-Unis", "Etats Unis", "hors de l'Union européenne", "transfert", "transférées"):
        missing.append("le transfert vers les États-Unis")
    if missing:
        return CheckResult(FAIL, "La notice ne mentionne pas : " + ", ".join(missing) + ".")
    return CheckResult(PASS, "La notice nomme Meta Platforms Ireland et le transfert vers les États-Unis.")


# element → words of which one must be in the notice (accent-insensitive, whole words)
NOTICE_ELEMENTS = {
    "les finalités et leur base (consentement)": ("consentement",),
    "les destinataires": ("destinataires", "destinataire"),
    "la durée de conservation": ("conservation", "combien de temps", "ans apres", "mois apres"),
    "les droits (accès, rectification, effacement, opposition)": ("acceder", "acces", "droit d'acces"),
    "le retrait du consentement à tout moment": ("retirer", "retrait"),
    "la réclamation auprès de la CNIL": ("cnil",),
    "le caractère facultatif des réponses": ("facultatif", "facultatives"),
    "l'existence d'un profilage": ("profilage",),
}


@check("questionnaire_notice_complete")
@needs_questionnaire
def questionnaire_notice_complete(ctx: CheckContext) -> CheckResult:
    words = _notice_words(ctx)
    missing = []
    controller = ctx.settings.controller_name.strip()
    if not controller or not _has(words, controller):
        missing.append("l'identité du responsable (controller_name dans Paramètres)")
    dpo = ctx.settings.dpo_contact.strip()
    if not dpo or " ".join(normalise(dpo)) not in words:
        missing.append("le contact du DPO (dpo_contact dans Paramètres)")
    missing += [label for label, needles in NOTICE_ELEMENTS.items() if not _has(words, *needles)]
    if missing:
        return CheckResult(FAIL, "Éléments absents de la notice : " + "; ".join(missing) + ".")
    return CheckResult(PASS, f"Notice complète ({ctx.questionnaire.origin or 'questionnaire'}).")


@check("questionnaire_consents_separate")
@needs_questionnaire
def questionnaire_consents_separate(ctx: CheckContext) -> CheckResult:
    consents = ctx.questionnaire.consents
    purposes = [c.purpose for c in consents]
    if not consents:
        return CheckResult(FAIL, "Aucune case de consentement : chaque finalité doit avoir la sienne.")
    problems = []
    doubles = sorted({p for p in purposes if purposes.count(p) > 1})
    if doubles:
        problems.append("finalités regroupées ou en double : " + ", ".join(doubles))
    required = [c.purpose for c in consents if c.required]
    if required:
        problems.append("consentement obligatoire pour : " + ", ".join(required))
    if problems:
        return CheckResult(FAIL, "; ".join(problems).capitalize() + ".")
    return CheckResult(PASS, f"{len(consents)} cases distinctes et facultatives : {', '.join(purposes)}.")


@check("questionnaire_consents_unticked")
@needs_questionnaire
def questionnaire_consents_unticked(ctx: CheckContext) -> CheckResult:
    ticked = [c.purpose for c in ctx.questionnaire.consents if c.default_checked]
    if ticked:
        return CheckResult(FAIL, "Cases pré-cochées : " + ", ".join(ticked) + ".")
    return CheckResult(PASS, "Aucune case pré-cochée.")


@check("questionnaire_optional")
@needs_questionnaire
def questionnaire_optional(ctx: CheckContext) -> CheckResult:
    problems = []
    if not ctx.questionnaire.dismissible:
        problems.append("le pop-up ne peut pas être refermé")
    if ctx.questionnaire.blocks_service:
        problems.append("le pop-up bloque le service en ligne")
    if problems:
        return CheckResult(FAIL, "Questionnaire imposé : " + " ; ".join(problems) + ".")
    return CheckResult(PASS, "Pop-up refermable (« Non merci »), service accessible sans répondre.")


@check("questionnaire_withdrawal_link")
@needs_questionnaire
def questionnaire_withdrawal_link(ctx: CheckContext) -> CheckResult:
    url = ctx.questionnaire.withdrawal_url.strip()
    if not url:
        return CheckResult(FAIL, "Aucune page pour retirer son consentement.")
    if not url.startswith("https://"):
        return CheckResult(FAIL, f"La page de retrait « {url} » n'est pas publique en https (adresse publique du "
                                 "service à renseigner).")
    return CheckResult(PASS, f"Retrait en ligne : {url}")


_FORBIDDEN_FIELDS = {
    "address": "adresse postale", "adresse": "adresse postale", "street": "adresse postale",
    "birth_date": "date de naissance", "birthdate": "date de naissance", "date_naissance": "date de naissance",
    "date_of_birth": "date de naissance", "phone": "téléphone", "telephone": "téléphone",
    "free_text": "texte libre", "comment": "texte libre", "comments": "texte libre",
    "commentaire": "texte libre", "message": "texte libre", "gender": "genre", "sexe": "genre",
}


@check("questionnaire_fields_minimal")
@needs_questionnaire
def questionnaire_fields_minimal(ctx: CheckContext) -> CheckResult:
    extra = [f"{f} ({_FORBIDDEN_FIELDS[f.casefold()]})" for f in ctx.questionnaire.fields
             if f.casefold() in _FORBIDDEN_FIELDS]
    if extra:
        return CheckResult(FAIL, "Champs non nécessaires : " + ", ".join(extra) + ".")
    return CheckResult(PASS, "Champs : " + ", ".join(ctx.questionnaire.fields) + ".")


# --- F. special categories ------------------------------------------------------------------------------
def _theme_text(theme) -> list[str]:
    return [str(attr(theme, "id", "")), str(attr(theme, "label", ""))]


@check("no_blocked_theme")
def no_blocked_theme(ctx: CheckContext) -> CheckResult:
    found = []
    for theme_id in ctx.theme_ids:
        theme = ctx.themes.get(theme_id)
        if attr(theme, "sensitivity") == "block":
            found.append(f"« {theme_id} » (sensibilité « block » dans le catalogue)")
            continue
        for text in _theme_text(theme) if theme is not None else [theme_id]:
            hits = [m for m in ctx.lists.matches(text) if m.term.level == "block"]
            if hits:
                found.append(f"« {theme_id} » (« {text} » contient « {hits[0].term.text} », "
                             f"{hits[0].term.label})")
                break
    if found:
        return CheckResult(FAIL, "Thème sensible refusé comme cible : " + _listing(found) + ".")
    return CheckResult(PASS, "Aucun thème sensible parmi : " + ", ".join(ctx.theme_ids) + ".")


@check("no_blocked_interest")
def no_blocked_interest(ctx: CheckContext) -> CheckResult:
    found = []
    groups = ctx.interest_groups()
    for name, origins in groups.values():
        hits = [m for m in ctx.lists.matches(name) if m.term.level == "block"]
        if hits:
            found.append(f"« {name} » (terme « {hits[0].term.text} », {hits[0].term.label} ; "
                         f"{_origins(origins)})")
    if found:
        return CheckResult(FAIL, "Intérêt de la liste de blocage : " + _listing(found) + ".")
    return CheckResult(PASS, f"{len(groups)} intérêt(s) vérifié(s), aucun dans la liste de blocage.")


def _theme_interest_count(ctx: CheckContext, theme_id: str) -> int:
    """Interests the campaign targets for a theme: in its ad sets when planned, else the theme's own."""
    ad_sets = [a for a in ctx.plan_ad_sets() if attr(a, "theme_id") == theme_id]
    payload_sets = [a for a in ctx.payload_ad_sets()
                    if str(a.get("ref", "")).startswith(f"{theme_id}--") or a.get("theme_id") == theme_id]
    if ad_sets or payload_sets:
        return (sum(len(attr(a, "interests", []) or []) for a in ad_sets)
                + sum(len(payload_interest_names(a)) for a in payload_sets))
    return 0  # not planned yet: the planner gives sensitive themes no interest (outreach.planner._interests)


@check("flagged_topics_broad_only")
def flagged_topics_broad_only(ctx: CheckContext) -> CheckResult:
    failures, flags = [], []
    for name, origins in ctx.interest_groups().values():
        hits = ctx.lists.matches(name)
        if hits and hits[0].term.level == "flag":
            failures.append(f"intérêt « {name} » (terme « {hits[0].term.text} » ; {_origins(origins)})")
    for theme_id in ctx.theme_ids:
        theme = ctx.themes.get(theme_id)
        flagged = attr(theme, "sensitivity") == "flag"
        reason = "sensibilité « flag »"
        if not flagged:
            for text in _theme_text(theme) if theme is not None else [theme_id]:
                hits = ctx.lists.matches(text)
                if hits and hits[0].term.level == "flag":
                    flagged, reason = True, f"« {text} » contient « {hits[0].term.text} »"
                    break
        if not flagged:
            continue
        count = _theme_interest_count(ctx, theme_id)
        if count:
            failures.append(f"thème « {theme_id} » ({reason}) ciblé avec {count} intérêt(s)")
        elif ctx.custom_audiences():
            failures.append(f"thème « {theme_id} » ({reason}) avec une audience personnalisée")
        else:
            flags.append(f"thème « {theme_id} » ({reason}), en ciblage large")
    if failures:
        return CheckResult(FAIL, "Sujet à signaler utilisé comme cible (ciblage large seulement) : "
                                 + _listing(failures) + ".")
    if flags:
        return CheckResult(FLAG, "Sujet à signaler : " + _listing(flags) + ". Accord du DPO requis.")
    return CheckResult(PASS, "Aucun sujet de la liste à signaler.")


@check("questionnaire_interests_not_sensitive")
@needs_questionnaire
def questionnaire_interests_not_sensitive(ctx: CheckContext) -> CheckResult:
    offered = ctx.questionnaire.offered_themes or [
        tid for tid, t in ctx.themes.items() if attr(t, "sensitivity", "none") == "none"]
    found = []
    for theme_id in offered:
        theme = ctx.themes.get(theme_id)
        if theme is None:
            continue
        if attr(theme, "sensitivity", "none") != "none":
            found.append(f"« {theme_id} » (sensibilité « {attr(theme, 'sensitivity')} »)")
            continue
        texts = _theme_text(theme) + [str(attr(i, "name", i)) for i in attr(theme, "meta_interests", []) or []]
        for text in texts:
            hits = ctx.lists.matches(text)
            if hits:
                found.append(f"« {theme_id} » (« {text} » : terme « {hits[0].term.text} », liste "
                             f"{hits[0].term.level}) — thème à reclasser")
                break
    if found:
        return CheckResult(FAIL, "Thème sensible proposé dans le questionnaire : " + _listing(found) + ".")
    return CheckResult(PASS, f"{len(offered)} thème(s) proposé(s), aucun sensible.")


@check("circles_centred_on_branches")
def circles_centred_on_branches(ctx: CheckContext) -> CheckResult:
    points = []
    for ad_set in ctx.plan_ad_sets():
        points += [(float(attr(loc, "lat")), float(attr(loc, "lon"))) for loc in attr(ad_set, "locations", []) or []]
        points.append((float(attr(ad_set, "lat")), float(attr(ad_set, "lon"))))
    if not points:
        points = [(b.lat, b.lon) for b in (*shipped_branches(), *national_branches())]
    circles = [(ad_set.get("name", "?"), float(loc.get("latitude", 0)), float(loc.get("longitude", 0)))
               for ad_set in ctx.payload_ad_sets() for loc in _payload_circles(ad_set)]
    if not circles:
        return CheckResult(PASS, "Aucun cercle (codes postaux ou paramètres Meta absents).")
    distances = _nearest_km(np.array([(lat, lon) for _, lat, lon in circles]), np.array(points))
    off = [f"« {name} » ({lat:.5f}, {lon:.5f})" for (name, lat, lon), km in zip(circles, distances, strict=True)
           if km > CENTRE_TOLERANCE_KM]
    if off:
        return CheckResult(FLAG, "Cercle centré ailleurs que sur une médiathèque : " + _listing(off)
                                 + ". Vérifiez qu'il ne vise pas un lieu sensible (culte, santé, association).")
    return CheckResult(PASS, f"{len(circles)} cercle(s), tous centrés sur une médiathèque.")


def _nearest_km(circles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance in km from each circle centre to the nearest point (exact chord search on the sphere)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(unit_vectors(points[:, 0], points[:, 1]))
    chords, _ = tree.query(unit_vectors(circles[:, 0], circles[:, 1]))
    return np.asarray(chord_to_km(chords))


# --- G. minors ------------------------------------------------------------------------------------------
@check("adults_only")
def adults_only(ctx: CheckContext) -> CheckResult:
    minors = []
    age_min = ctx.get("audience.age_min")
    if age_min is not None and int(age_min) < MIN_AGE:
        minors.append(f"campagne : audience.age_min = {age_min}")
    for ad_set in ctx.payload_ad_sets():
        value = (ad_set.get("targeting") or {}).get("age_min")
        if value is None or int(value) < MIN_AGE:
            minors.append(f"meta-api.json, « {ad_set.get('name', '?')} » : age_min = "
                          f"{'absent' if value is None else value}")
    if minors:
        return CheckResult(FAIL, "Des mineurs seraient ciblés : " + _listing(minors) + ".")
    shown = age_min if age_min is not None else MIN_AGE
    return CheckResult(PASS, f"Âge minimum {shown} ans"
                             + (f" dans la campagne et les {len(ctx.payload_ad_sets())} ensemble(s) de publicités."
                                if ctx.payload_ad_sets() else " dans la campagne."))


@check("questionnaire_min_age")
@needs_questionnaire
def questionnaire_min_age(ctx: CheckContext) -> CheckResult:
    age = ctx.questionnaire.min_age
    if age is None or age < QUESTIONNAIRE_MIN_AGE:
        return CheckResult(FAIL, f"Âge minimum du questionnaire : {age if age is not None else 'aucun'} ; "
                                 "15 ans au moins (sinon consentement parental conjoint).")
    return CheckResult(PASS, f"Questionnaire ouvert à partir de {age} ans.")


YOUTH_TERMS = ("jeunesse", "petite enfance", "enfant", "enfants", "bebe", "bebes", "ado", "ados",
               "adolescent", "adolescents", "kids", "children", "teen", "teens", "toddler")


@check("youth_themes_reviewed")
def youth_themes_reviewed(ctx: CheckContext) -> CheckResult:
    found = []
    for theme_id in ctx.theme_ids:
        texts = _theme_text(ctx.themes.get(theme_id)) if ctx.themes.get(theme_id) is not None else [theme_id]
        words = " " + " ".join(w for t in texts for w in normalise(t)) + " "
        if any(f" {term} " in words for term in YOUTH_TERMS):
            found.append(f"« {theme_id} »")
    if found:
        return CheckResult(FLAG, "Thème jeunesse : " + ", ".join(found) + ". Le message et le ciblage visent les "
                                 "adultes (parents, enseignants) largement ?")
    return CheckResult(PASS, "Aucun thème jeunesse.")


@check("teens_not_reachable")
def teens_not_reachable(ctx: CheckContext) -> CheckResult:
    from outreach.compliance.minors import TEENS_ADVICE, youth_aim

    age_min = int(ctx.get("audience.age_min") or MIN_AGE)
    labels = [ctx.name] + [str(attr(ctx.themes.get(t), "label", t)) for t in ctx.theme_ids]
    found = youth_aim(labels)
    if found and age_min >= MIN_AGE:
        return CheckResult(FLAG, f"La campagne vise des jeunes ({', '.join(found)}) mais son audience commence à "
                                 f"{age_min} ans : Meta ne montrera rien aux moins de 18 ans. Pour les 15–17 ans : "
                                 + " ; ".join(TEENS_ADVICE) + ".")
    return CheckResult(PASS, "Ni le nom ni les thèmes ne visent des moins de 18 ans." if not found else
                       "Audience sous 18 ans : voir MIN-01.")


# --- H. records, rights, ad identity, elections --------------------------------------------------------
@check("ropa_entry_complete")
def ropa_entry_complete(ctx: CheckContext) -> CheckResult:
    missing = missing_fields(build_entry(ctx))
    if missing:
        return CheckResult(FAIL, "Fiche du registre incomplète : " + ", ".join(missing) + ".")
    return CheckResult(PASS, "Fiche pré-remplie complète (registre-art30.md).")


@check("rights_contact_present")
def rights_contact_present(ctx: CheckContext) -> CheckResult:
    contact = ctx.settings.dpo_contact.strip()
    if not contact:
        return CheckResult(FAIL, "Aucun contact du DPO dans les paramètres du réseau.")
    if "@" not in contact and not re.search(r"\d", contact):
        return CheckResult(FAIL, f"« {contact} » n'est ni une adresse e-mail ni une adresse postale.")
    return CheckResult(PASS, f"Contact pour les droits : {contact}")


PLACEHOLDER = re.compile(r"(…|\.\.\.|\bxxx+\b|\btodo\b|à compléter|a completer|\bexemple\b|<[^>]*>|\?\?)", re.I)


def _identity_problem(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return "absent"
    if PLACEHOLDER.search(value):
        return f"« {value} » est un modèle à compléter"
    if len(normalise(value)) < 2 and len(value) < 4:
        return f"« {value} » n'est pas un nom"
    return None


@check("dsa_beneficiary_and_payer")
def dsa_beneficiary_and_payer(ctx: CheckContext) -> CheckResult:
    problems = []
    advertiser = ctx.data.get("advertiser") or {}
    advertiser = as_data(advertiser) if not isinstance(advertiser, dict) else advertiser
    expected = {}
    for key, label, payload_key in (("beneficiary", "bénéficiaire", "dsa_beneficiary"),
                                    ("payer", "payeur", "dsa_payor")):
        value = advertiser.get(key)
        problem = _identity_problem(value)
        if problem:
            problems.append(f"{label} (advertiser.{key}) : {problem}")
        expected[payload_key] = (value or "").strip()
    for ad_set in ctx.payload_ad_sets():
        for payload_key, label in (("dsa_beneficiary", "bénéficiaire"), ("dsa_payor", "payeur")):
            value = str(ad_set.get(payload_key) or "").strip()
            if not value:
                problems.append(f"meta-api.json, « {ad_set.get('name', '?')} » : {payload_key} absent")
            elif expected[payload_key] and value != expected[payload_key]:
                problems.append(f"meta-api.json, « {ad_set.get('name', '?')} » : {label} « {value} » au lieu de "
                                f"« {expected[payload_key]} »")
    if problems:
        return CheckResult(FAIL, "Identité de l'annonceur (DSA) : " + _listing(problems) + ".")
    return CheckResult(PASS, f"Bénéficiaire « {expected['dsa_beneficiary']} », payeur « {expected['dsa_payor']} »"
                             + (f", sur les {len(ctx.payload_ad_sets())} ensemble(s) de publicités."
                                if ctx.payload_ad_sets() else "."))


@check("no_political_category")
def no_political_category(ctx: CheckContext) -> CheckResult:
    where = []
    if POLITICAL_CATEGORY in [str(c).upper() for c in ctx.data.get("special_ad_categories") or []]:
        where.append("special_ad_categories de la campagne")
    if any(POLITICAL_CATEGORY in [str(c).upper() for c in campaign.get("special_ad_categories") or []]
           for campaign in ctx.payload_campaigns()):
        where.append("meta-api.json (special_ad_categories d'une campagne)")
    if where:
        return CheckResult(FAIL, f"{POLITICAL_CATEGORY} dans " + " et ".join(where)
                                 + " : Meta ne diffuse plus ces publicités dans l'UE.")
    categories = list(ctx.data.get("special_ad_categories") or [])
    categories += [str(c) for campaign in ctx.payload_campaigns()[1:] for c in campaign.get("special_ad_categories") or []
                   if str(c) not in categories]
    own = " (dans une campagne Meta à part)" if len(ctx.payload_campaigns()) > 1 else ""
    return CheckResult(PASS, "Catégories spéciales : " + (", ".join(categories) if categories else "aucune") + own + ".")


def pre_election_window(election: date) -> tuple[date, date]:
    """L.52-1 al. 2 for an election known by one date: from the 1st day of the 6th month before its month, to
    the second round a week later (outreach.elections.single_date)."""
    return single_date(election).period()


@check("outside_pre_election_period")
def outside_pre_election_period(ctx: CheckContext) -> CheckResult:
    start, end = ctx.get("period.start"), ctx.get("period.end")
    if start is None or end is None:
        return CheckResult(FAIL, "Période de la campagne inconnue : impossible de la comparer aux périodes "
                                 "préélectorales.")
    elections = ctx.elections
    hits = overlapping(start, end, elections)
    if hits:
        periods = "; ".join(f"{e.describe()} : du {opens:%d/%m/%Y} au {closes:%d/%m/%Y}" for e, opens, closes in hits)
        return CheckResult(FLAG, f"La campagne ({start:%d/%m/%Y}–{end:%d/%m/%Y}) tombe dans la période "
                                 f"préélectorale ({ELECTION_RULE}) des {periods}. Interdit : promouvoir les "
                                 "réalisations ou la gestion de la collectivité ; faire connaître l'offre de la "
                                 "médiathèque peut rester permis : au service juridique d'en juger et de l'attester.")
    upcoming = sorted((e for e in elections if e.period()[1] >= start), key=lambda e: e.period()[0])
    following = f" Prochaine : {upcoming[0].describe()}, période à partir du {upcoming[0].period()[0]:%d/%m/%Y}." \
        if upcoming else ""
    return CheckResult(PASS, f"Hors période préélectorale ({ELECTION_RULE}).{following}")


ADVERTISER_FIELDS = (("page_id", "facebook_page_id", "Page Facebook", "facebook_page_name"),
                     ("instagram_user_id", "instagram_user_id", "compte Instagram", "instagram_username"),
                     ("beneficiary", "dsa_beneficiary", "bénéficiaire (DSA)", None),
                     ("payer", "dsa_payer", "payeur (DSA)", None))


@check("advertiser_matches_settings")
def advertiser_matches_settings(ctx: CheckContext) -> CheckResult:
    """A campaign speaking as another Page, or paid by someone else, than the network's settings say: often a
    file copied from another network or from the example; sometimes intended (a festival's own Page)."""
    advertiser = ctx.data.get("advertiser") or {}
    advertiser = as_data(advertiser) if not isinstance(advertiser, dict) else advertiser
    differences = []
    for key, setting, label, name_key in ADVERTISER_FIELDS:
        expected = str(getattr(ctx.settings, setting) or "").strip()
        given = str(advertiser.get(key) or "").strip()
        if expected and given != expected:
            shown = getattr(ctx.settings, name_key) if name_key else ""
            differences.append(f"{label} « {given or 'aucun'} » au lieu de « {shown or expected} »")
    if differences:
        return CheckResult(FLAG, "L'annonceur de la campagne diffère des Paramètres du réseau : "
                                 + _listing(differences) + ".")
    if not any(getattr(ctx.settings, s) for _, s, _, _ in ADVERTISER_FIELDS):
        return CheckResult(PASS, "Paramètres du réseau sans annonceur : rien à comparer.")
    return CheckResult(PASS, "Annonceur conforme aux Paramètres du réseau.")


POLITICAL_TERMS = ("maire", "adjoint au maire", "adjointe au maire", "elu", "elus", "elue", "elues",
                   "election", "elections", "electoral", "scrutin", "vote", "votez", "voter", "candidat",
                   "candidate", "mandat", "politique", "conseil municipal", "elections municipales", "programme municipal")
_POLITICAL = SensitiveLists([Term(text=t, words=normalise(t), level="flag", category="politique",
                                  source="Meta SIEP") for t in POLITICAL_TERMS])


def _copy_texts(ctx: CheckContext) -> list[tuple[str, str]]:
    texts = []
    for ad_set in ctx.plan_ad_sets():
        copy = attr(ad_set, "copy")
        for key in ("primary_text", "headline", "description"):
            value = attr(copy, key)
            if value:
                texts.append((f"plan, « {attr(ad_set, 'name', '?')} »", str(value)))
    if texts:
        return texts  # the payloads' creatives carry the same texts as the plan
    for creative in (ctx.payload or {}).get("creatives") or []:
        where = f"meta-api.json, « {creative.get('name', creative.get('ref', '?'))} »"
        link = ((creative.get("object_story_spec") or {}).get("link_data") or {})
        for key in ("message", "name", "description"):
            if link.get(key):
                texts.append((where, str(link[key])))
        # text options and placement-customised ads keep their wordings in the asset feed
        feed = creative.get("asset_feed_spec") or {}
        texts += [(where, str(t["text"])) for key in ("bodies", "titles", "descriptions")
                  for t in feed.get(key) or [] if isinstance(t, dict) and t.get("text")]
    return texts


@check("copy_not_political")
def copy_not_political(ctx: CheckContext) -> CheckResult:
    found: dict[str, str] = {}
    texts = _copy_texts(ctx)
    for where, text in texts:
        hits = _POLITICAL.matches(text)
        if hits:
            found.setdefault(f"{where} : « {hits[0].term.text} »", where)
    if found:
        return CheckResult(FLAG, "Mot à connotation politique dans un texte : " + _listing(list(found)) + ".")
    if not texts:
        return CheckResult(PASS, "Aucun texte à relire (plan absent).")
    return CheckResult(PASS, f"{len(texts)} texte(s) relu(s), aucun mot politique.")


_FIGURE = re.compile(r"\b\d[\d\u202f\u00a0 ]*\s+(?:titres?|documents?|livres?|romans?|mangas?|albums?|bd|films?|"
                     r"ouvrages?|disques?|jeux)\b", re.IGNORECASE)


@check("copy_not_from_demo_data")
def copy_not_from_demo_data(ctx: CheckContext) -> CheckResult:
    """The demonstration sample's counts are true of no branch: a plan built on it is flagged, and so is a
    text written by hand that states a count while no catalogue of the network backs it."""
    catalogue = attr(ctx.plan, "catalogue") if ctx.plan is not None else None
    if catalogue is None:
        return CheckResult(PASS, "Aucun plan : pas de texte à rapprocher d'un catalogue.")
    if not attr(catalogue, "demo", False):
        return CheckResult(PASS, f"Textes fondés sur le {attr(catalogue, 'label', 'catalogue chargé')} "
                                 f"({attr(catalogue, 'records', 0)} notices).")
    stated = [f"{where} : « {m.group(0).strip()} »" for where, text in _copy_texts(ctx)
              if (m := _FIGURE.search(text))]
    detail = ("Le plan repose sur l'échantillon de démonstration (notices de Roubaix réparties entre des "
              "bibliothèques du réseau livré) : ses chiffres ne décrivent aucune de vos bibliothèques.")
    if stated:
        detail += " Chiffre(s) dans un texte : " + _listing(stated) + "."
    else:
        detail += " Les textes générés n'annoncent aucun nombre de documents."
    return CheckResult(FLAG, detail)
