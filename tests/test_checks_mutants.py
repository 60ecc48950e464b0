"""What each check tells the user, word for word, on the passing and failing case of every check (the cases of
test_compliance_checks): a changed or lost detail is a change users see, so it must show up in review."""

from __future__ import annotations

import pytest

from outreach.compliance.checks import (
    MILE_KM,
    SHOWN,
    _copy_texts,
    _describe,
    _identity_problem,
    _listing,
    _notice_words,
    _origins,
    _radius_km,
    _theme_interest_count,
    _theme_text,
)
from outreach.compliance.context import build_context
from outreach.settings import NetworkSettings
from tests.support.compliance_cases import checklist, facts, planned, shipped_themes
from tests.test_compliance_checks import CASES

DETAILS = {
    ('adults_only', 'passing'): (
        'Âge minimum 18 ans dans la campagne et les 3 ensemble(s) de publicités.'
    ),
    ('adults_only', 'failing'): (
        'Des mineurs seraient ciblés : campagne : audience.age_min = 16; meta-api.json, « Cinq Avenues '
        '(Marseille) | Science-fiction | 16-65 » : age_min = 16; meta-api.json, « Castellane (Marseille) '
        '| Science-fiction | 16-65 » : age_min = 16; meta-api.json, « Bonneveine (Marseille) | '
        'Science-fiction | 16-65 » : age_min = 16.'
    ),
    ('advertiser_matches_settings', 'passing'): (
        'Paramètres du réseau sans annonceur : rien à comparer.'
    ),
    ('advertiser_matches_settings', 'failing'): (
        "L'annonceur de la campagne diffère des Paramètres du réseau : Page Facebook « 1234567890 » au "
        "lieu de « Médiathèques d'Aubagne »; payeur (DSA) « Ville de Marseille » au lieu de « Ville "
        "d'Aubagne »."
    ),
    ('circles_centred_on_branches', 'passing'): (
        '3 cercle(s), tous centrés sur une médiathèque.'
    ),
    ('circles_centred_on_branches', 'failing'): (
        'Cercle centré ailleurs que sur une médiathèque : « Cinq Avenues (Marseille) | Science-fiction | '
        "18-65 » (43.32036, 5.39611). Vérifiez qu'il ne vise pas un lieu sensible (culte, santé, "
        'association).'
    ),
    ('copy_not_from_demo_data', 'passing'): (
        'Textes fondés sur le catalogue chargé (export-koha.mrc) (48210 notices).'
    ),
    ('copy_not_from_demo_data', 'failing'): (
        "Le plan repose sur l'échantillon de démonstration (notices de Roubaix réparties entre des "
        'bibliothèques du réseau livré) : ses chiffres ne décrivent aucune de vos bibliothèques. Les '
        "textes générés n'annoncent aucun nombre de documents."
    ),
    ('copy_not_political', 'passing'): (
        '9 texte(s) relu(s), aucun mot politique.'
    ),
    ('copy_not_political', 'failing'): (
        'Mot à connotation politique dans un texte : plan, « Cinq Avenues (Marseille) | Science-fiction '
        '| 18-65 » : « maire ».'
    ),
    ('custom_audiences_from_questionnaire', 'passing'): (
        '1 audience(s), toutes issues des réponses consenties au questionnaire.'
    ),
    ('custom_audiences_from_questionnaire', 'failing'): (
        "Audience dont la source n'est pas le questionnaire (consentement « publicités sur Facebook et "
        'Instagram ») : « Lecteurs actifs 2026 » (source : sigb, campagne).'
    ),
    ('custom_audiences_not_from_service_files', 'passing'): (
        "Aucune audience tirée du SIGB, des cartes de lecteur, des comptes usagers ou de l'état civil."
    ),
    ('custom_audiences_not_from_service_files', 'failing'): (
        "Audience tirée d'un fichier de service public : « Lecteurs actifs 2026 » (source : sigb, "
        'campagne) : SIGB (fichier des prêts).'
    ),
    ('custom_audiences_used', 'passing'): (
        'Sans objet : aucune audience personnalisée.'
    ),
    ('custom_audiences_used', 'failing'): (
        'Audience(s) utilisée(s) : « Communauté SF » (source : questionnaire, campagne). À vérifier et '
        'attester.'
    ),
    ('dsa_beneficiary_and_payer', 'passing'): (
        'Bénéficiaire « Ville de Marseille — Bibliothèques municipales », payeur « Ville de Marseille », '
        'sur les 3 ensemble(s) de publicités.'
    ),
    ('dsa_beneficiary_and_payer', 'failing'): (
        "Identité de l'annonceur (DSA) : payeur (advertiser.payer) : « Ville de … » est un modèle à "
        'compléter.'
    ),
    ('extra_interests_reviewed', 'passing'): (
        'Tous les intérêts viennent des thèmes du catalogue : « Science fiction »; « Science fiction '
        'film »; « Science fiction books ».'
    ),
    ('extra_interests_reviewed', 'failing'): (
        "Intérêts ajoutés à la main, à rapprocher de l'offre de la médiathèque : « Board games »."
    ),
    ('flagged_topics_broad_only', 'passing'): (
        'Aucun sujet de la liste à signaler.'
    ),
    ('flagged_topics_broad_only', 'failing'): (
        'Sujet à signaler utilisé comme cible (ciblage large seulement) : intérêt « Sign language » '
        '(terme « sign language » ; extra_interests, plan : 3 ensembles, meta-api.json : 3 ensembles).'
    ),
    ('no_blocked_interest', 'passing'): (
        '3 intérêt(s) vérifié(s), aucun dans la liste de blocage.'
    ),
    ('no_blocked_interest', 'failing'): (
        'Intérêt de la liste de blocage : « LGBT culture » (terme « LGBT », orientation sexuelle et vie '
        'sexuelle ; extra_interests, plan : 3 ensembles, meta-api.json : 3 ensembles).'
    ),
    ('no_blocked_theme', 'passing'): (
        'Aucun thème sensible parmi : science-fiction.'
    ),
    ('no_blocked_theme', 'failing'): (
        'Thème sensible refusé comme cible : « spiritualites » (sensibilité « block » dans le '
        'catalogue).'
    ),
    ('no_lookalike_audience', 'passing'): (
        'Aucune audience similaire.'
    ),
    ('no_lookalike_audience', 'failing'): (
        'Audience similaire (lookalike) sans consentement distinct : « Similaire communauté SF » (source '
        '« lookalike »).'
    ),
    ('no_political_category', 'passing'): (
        'Catégories spéciales : aucune.'
    ),
    ('no_political_category', 'failing'): (
        'ISSUES_ELECTIONS_POLITICS dans special_ad_categories de la campagne et meta-api.json '
        "(special_ad_categories d'une campagne) : Meta ne diffuse plus ces publicités dans l'UE."
    ),
    ('notice_names_meta', 'passing'): (
        'La notice nomme Meta Platforms Ireland et le transfert vers les États-Unis.'
    ),
    ('notice_names_meta', 'failing'): (
        'La notice ne mentionne pas : Meta Platforms Ireland comme destinataire, le transfert vers les '
        'États-Unis.'
    ),
    ('outside_pre_election_period', 'passing'): (
        'Hors période préélectorale (Code électoral, art. L.52-1, al. 2).'
    ),
    ('outside_pre_election_period', 'failing'): (
        'La campagne (01/04/2027–30/04/2027) tombe dans la période préélectorale (Code électoral, art. '
        'L.52-1, al. 2) des élections générales (tours le 13/06/2027 et 20/06/2027) : du 01/12/2026 au '
        '20/06/2027. Interdit : promouvoir les réalisations ou la gestion de la collectivité ; faire '
        "connaître l'offre de la médiathèque peut rester permis : au service juridique d'en juger et de "
        "l'attester."
    ),
    ('profiling_uses_consent', 'passing'): (
        "Ni questionnaire ni audience personnalisée : la campagne n'utilise aucune donnée détenue par la "
        'commune.'
    ),
    ('profiling_uses_consent', 'failing'): (
        "La campagne utilise le questionnaire de centres d'intérêt : le DPO confirme que ces usages "
        "reposent sur le consentement (jamais l'intérêt légitime pour une commune)."
    ),
    ('questionnaire_consents_separate', 'passing'): (
        '3 cases distinctes et facultatives : email_recommendations, personalisation, meta_matching.'
    ),
    ('questionnaire_consents_separate', 'failing'): (
        'Consentement obligatoire pour : meta_matching.'
    ),
    ('questionnaire_consents_unticked', 'passing'): (
        'Aucune case pré-cochée.'
    ),
    ('questionnaire_consents_unticked', 'failing'): (
        'Cases pré-cochées : email_recommendations.'
    ),
    ('questionnaire_fields_minimal', 'passing'): (
        'Champs : interests, postcode, age_band, email, consents, notice_version.'
    ),
    ('questionnaire_fields_minimal', 'failing'): (
        'Champs non nécessaires : birth_date (date de naissance).'
    ),
    ('questionnaire_interests_not_sensitive', 'passing'): (
        '20 thème(s) proposé(s), aucun sensible.'
    ),
    ('questionnaire_interests_not_sensitive', 'failing'): (
        'Thème sensible proposé dans le questionnaire : « lsf » (sensibilité « flag »).'
    ),
    ('questionnaire_min_age', 'passing'): (
        'Questionnaire ouvert à partir de 15 ans.'
    ),
    ('questionnaire_min_age', 'failing'): (
        'Âge minimum du questionnaire : 13 ; 15 ans au moins (sinon consentement parental conjoint).'
    ),
    ('questionnaire_notice_complete', 'passing'): (
        'Notice complète (tests).'
    ),
    ('questionnaire_notice_complete', 'failing'): (
        'Éléments absents de la notice : le contact du DPO (dpo_contact dans Paramètres).'
    ),
    ('questionnaire_optional', 'passing'): (
        'Pop-up refermable (« Non merci »), service accessible sans répondre.'
    ),
    ('questionnaire_optional', 'failing'): (
        'Questionnaire imposé : le pop-up ne peut pas être refermé.'
    ),
    ('questionnaire_withdrawal_link', 'passing'): (
        'Retrait en ligne : https://questionnaire.mairie.example.fr/preferences'
    ),
    ('questionnaire_withdrawal_link', 'failing'): (
        "La page de retrait « http://127.0.0.1:8765/preferences » n'est pas publique en https (adresse "
        'publique du service à renseigner).'
    ),
    ('radius_at_least_1km', 'passing'): (
        '3 cercle(s), rayon de 2.8 à 12.6 km.'
    ),
    ('radius_at_least_1km', 'failing'): (
        'Rayon inférieur à 1 km : meta-api.json, « Cinq Avenues (Marseille) | Science-fiction | 18-65 » '
        ': 0.5 km.'
    ),
    ('rights_contact_present', 'passing'): (
        'Contact pour les droits : dpo@mairie.example.fr'
    ),
    ('rights_contact_present', 'failing'): (
        'Aucun contact du DPO dans les paramètres du réseau.'
    ),
    ('ropa_entry_complete', 'passing'): (
        'Fiche pré-remplie complète (registre-art30.md).'
    ),
    ('ropa_entry_complete', 'failing'): (
        'Fiche du registre incomplète : Délégué à la protection des données.'
    ),
    ('teens_not_reachable', 'passing'): (
        'Ni le nom ni les thèmes ne visent des moins de 18 ans.'
    ),
    ('teens_not_reachable', 'failing'): (
        'La campagne vise des jeunes (« 15–25 ») mais son audience commence à 18 ans : Meta ne montrera '
        'rien aux moins de 18 ans. Pour les 15–17 ans : publications organiques (sans ciblage payant) '
        'sur Instagram, TikTok ou YouTube, que les 15–17 ans voient comme tout le monde ; partenariats '
        'avec les CDI des collèges et lycées, les professeurs documentalistes et le Pass Culture (offres '
        'collectives) ; le questionnaire de la communauté, ouvert dès 15 ans, sans rapprochement avec '
        "Meta ni audience personnalisée avant 18 ans ; affiches et animations dans les lieux qu'ils "
        'fréquentent (maisons des jeunes, clubs, salles de sport).'
    ),
    ('youth_themes_reviewed', 'passing'): (
        'Aucun thème jeunesse.'
    ),
    ('youth_themes_reviewed', 'failing'): (
        'Thème jeunesse : « petite-enfance ». Le message et le ciblage visent les adultes (parents, '
        'enseignants) largement ?'
    ),
}


@pytest.fixture(autouse=True)
def network(tmp_path, monkeypatch):
    path = tmp_path / "network.yaml"
    path.write_text("min_daily_budget_eur: 1.0\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(path))


def test_every_case_has_its_detail():
    assert set(DETAILS) == {(name, which) for name in CASES for which in ("passing", "failing")}


@pytest.mark.parametrize(("name", "which"), sorted(DETAILS))
def test_detail_word_for_word(name, which):
    item, passing, failing = CASES[name]
    campaign, options, expected = passing if which == "passing" else failing
    result = checklist(campaign, **options).item(item)
    assert (result.status, result.detail) == (expected, DETAILS[name, which])


def test_listing_names_eight_and_counts_the_rest():
    assert SHOWN == 8
    assert _listing([]) == ""
    assert _listing(["a"]) == "a"
    assert _listing([str(i) for i in range(8)]) == "0; 1; 2; 3; 4; 5; 6; 7"
    assert _listing([str(i) for i in range(9)]) == "0; 1; 2; 3; 4; 5; 6; 7 … et 1 autre(s)"
    assert _listing([str(i) for i in range(10)]) == "0; 1; 2; 3; 4; 5; 6; 7 … et 2 autre(s)"


def test_origins_name_one_ad_set_and_count_more():
    assert _origins(["extra_interests"]) == "extra_interests"
    assert _origins(["plan, ensemble « A »"]) == "plan, ensemble « A »"
    assert _origins(["extra_interests", "plan, ensemble « A »", "plan, ensemble « B »",
                     "meta-api.json, ensemble « A »"]) == \
        "extra_interests, plan : 2 ensembles, meta-api.json, ensemble « A »"


def test_radius_in_miles_by_default():
    assert _radius_km({}) is None
    assert _radius_km({"radius": 2}) == pytest.approx(2 * MILE_KM)
    assert _radius_km({"radius": 2, "distance_unit": "Mile"}) == pytest.approx(2 * MILE_KM)
    assert _radius_km({"radius": 2, "distance_unit": "miles"}) == pytest.approx(2 * MILE_KM)
    assert _radius_km({"radius": "3", "distance_unit": "kilometer"}) == 3.0
    assert MILE_KM == 1.609344


def context(plan=None, payloads=None, **options):
    return build_context({}, plan, payloads, themes={}, settings=NetworkSettings(), **options)


def test_identity_problems_named():
    assert _identity_problem(None) == "absent"
    assert _identity_problem("   ") == "absent"
    assert _identity_problem("Ville de …") == "« Ville de … » est un modèle à compléter"
    assert _identity_problem(" <nom> ") == "« <nom> » est un modèle à compléter"
    assert _identity_problem("X") == "« X » n'est pas un nom"
    assert _identity_problem("ABC") == "« ABC » n'est pas un nom"
    # four letters, or two words, make a name
    assert _identity_problem("ABCD") is None and _identity_problem("A B") is None
    assert _identity_problem("A B C") is None and _identity_problem("Ville de Marseille") is None


def test_audience_described_with_its_fallbacks():
    assert _describe({"name": "Communauté SF", "id": "12", "source": "questionnaire", "origin": "campagne"}) == \
        "« Communauté SF » (source : questionnaire, campagne)"
    assert _describe({"name": "", "id": "12", "source": "", "origin": "meta-api.json"}) == \
        "« 12 » (source : non indiquée, meta-api.json)"


def test_notice_words_are_padded_for_whole_word_search():
    ctx = context(questionnaire=facts(notice_text="Meta Platforms, Ireland"))
    assert _notice_words(ctx) == " meta platforms ireland "


def test_theme_text_is_its_id_and_label():
    assert _theme_text({"id": "manga", "label": "Mangas"}) == ["manga", "Mangas"]
    assert _theme_text({}) == ["", ""]
    theme = next(t for t in shipped_themes() if t.id == "science-fiction")
    assert _theme_text(theme) == ["science-fiction", theme.label]


def test_theme_interest_count_from_the_plan_and_the_payloads():
    plan = {"ad_sets": [{"theme_id": "manga", "interests": ["a", "b"]}, {"theme_id": "sf", "interests": ["c"]},
                        {"theme_id": "manga", "interests": None}]}
    payloads = {"ad_sets": [
        {"ref": "manga--cinq-avenues", "targeting": {"flexible_spec": [{"interests": [{"name": "Manga"}]}]}},
        {"theme_id": "manga", "targeting": {"interests": [{"id": "6003"}]}},
        {"ref": "sf--castellane", "theme_id": "sf", "targeting": {"interests": [{"name": "SF"}]}},
    ]}
    assert _theme_interest_count(context(plan, payloads), "manga") == 4
    assert _theme_interest_count(context(plan, None), "manga") == 2
    assert _theme_interest_count(context(None, payloads), "manga") == 2
    assert _theme_interest_count(context(None, payloads), "sf") == 1
    assert _theme_interest_count(context(None, {"ad_sets": [{"ref": "manga--x"}]}), "manga") == 0
    assert _theme_interest_count(context(plan, payloads), "jazz") == 0
    assert _theme_interest_count(context(), "manga") == 0


def test_copy_texts_from_the_plan_else_from_the_payloads():
    _, plan, payloads = planned("conforme.yaml")
    from_plan = _copy_texts(context(plan, payloads))
    first = plan.ad_sets[0]
    assert from_plan[:3] == [(f"plan, « {first.name} »", first.copy.primary_text),
                             (f"plan, « {first.name} »", first.copy.headline),
                             (f"plan, « {first.name} »", first.copy.description)]
    from_payloads = _copy_texts(context(None, payloads))
    creative = payloads["creatives"][0]
    assert from_payloads[0][0] == f"meta-api.json, « {creative['name']} »"
    assert first.copy.primary_text in {text for _, text in from_payloads}
    assert _copy_texts(context({"ad_sets": [{"copy": {"headline": "Venez"}}]})) == [("plan, « ? »", "Venez")]
    bare = {"creatives": [{"ref": "c1", "object_story_spec": {"link_data": {"name": "Titre"}}},
                          {"object_story_spec": {"link_data": {"description": "Texte", "message": ""}}},
                          {"name": "vide"}]}
    assert _copy_texts(context(None, bare)) == [("meta-api.json, « c1 »", "Titre"), ("meta-api.json, « ? »", "Texte")]
    assert _copy_texts(context()) == []


def test_copy_texts_read_every_wording_of_a_creative():
    """A creative's message, and the text options of its asset feed (bodies, titles, descriptions), are all
    copy that the political and sensitive checks must read; empty or malformed options are passed over."""
    creative = {"name": "c", "object_story_spec": {"link_data": {"message": "Texte principal"}},
                "asset_feed_spec": {"bodies": [{"text": "Corps"}, {"text": ""}, "brut"],
                                    "titles": [{"text": "Titre"}], "descriptions": [{"text": "Description"}]}}
    assert [text for _, text in _copy_texts(context(None, {"creatives": [creative]}))] == [
        "Texte principal", "Corps", "Titre", "Description"]
