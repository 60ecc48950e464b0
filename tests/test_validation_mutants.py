"""Questionnaire validation, field by field: what is refused, with the French message the person reads, and
what is kept (normalised e-mail, page without personal data, the merge of a preference change)."""

from __future__ import annotations

from functools import cache

import pytest

from outreach.community.offer import PostcodeResolver, build_offer
from outreach.community.validation import (
    MAX_URL,
    AnswerRejected,
    FieldError,
    PreferenceChange,
    page_without_personal_data,
    validate_answer,
    validate_change,
)
from tests.support import community_support as cs

VERSION = "v-2026-11"
BODY_MSG = "le corps de la requête doit être un objet JSON."
EMAIL_MSG = "adresse e-mail invalide : écrivez-la sous la forme nom@exemple.fr."
PAGE_MSG = "adresse de page invalide (http:// ou https://)."
INTEREST_MSG = "ce centre d'intérêt n'est pas proposé par le questionnaire : choisissez-en un dans la liste."
AGE_MSG = "tranche d'âge inconnue : choisissez-en une dans la liste."
EMAIL_WITHOUT_PURPOSE = ("nous ne demandons votre adresse e-mail que si vous acceptez de recevoir nos recommandations "
                         "par e-mail ou nos publicités sur Facebook et Instagram : cochez l'un de ces choix ou "
                         "effacez l'adresse.")
PURPOSE_WITHOUT_EMAIL = "indiquez votre adresse e-mail pour recevoir ce que vous avez accepté (ou décochez ce choix)."
AGE_NEEDED = ("indiquez votre tranche d'âge : certains choix ne sont possibles qu'à partir de 15 ou 18 ans.")
NOT_COLLECTED = "champ non prévu : ce questionnaire ne collecte ni adresse, ni date de naissance, ni téléphone, ni " \
                "texte libre."


@cache
def offer():
    return build_offer(cs.themes(), cs.config())


@cache
def local_resolver():
    """The shipped territory only: an unknown postcode stays unknown without reading the national list."""
    from outreach.datasets import shipped_areas, shipped_branches

    return PostcodeResolver(shipped_branches(), shipped_areas(), national=False)


def theme(n=0):
    return sorted(offer().ids)[n]


def body(**fields):
    base = {"interests": [theme()], "postcode": "13001", "notice_version": VERSION}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def answer(**fields):
    return validate_answer(body(**fields), offer(), local_resolver(), VERSION)


def errors(payload, version=VERSION):
    with pytest.raises(AnswerRejected) as caught:
        validate_answer(payload, offer(), local_resolver(), version)
    return [(e.field, e.message) for e in caught.value.errors]


def refused(**fields):
    return errors(body(**fields))


def adult_email(**fields):
    return body(**{"age_band": "25-34", "email": "lea@exemple.fr", "consents": {"email_recommendations": True},
                   **fields})


# --- a valid answer ----------------------------------------------------------------------------------------
def test_a_minimal_answer_keeps_only_what_was_given():
    a = answer()
    assert a.interests == [theme()] and a.placement.postcode == "13001"
    assert a.age_band is None and a.email is None and a.page_url is None
    assert a.consents == {"email_recommendations": False, "personalisation": False, "meta_matching": False}
    assert a.notice_version == VERSION and a.mechanism == "api"
    assert a.checkboxes == ["consent-email_recommendations", "consent-personalisation", "consent-meta_matching"]


def test_interests_deduplicated_in_order_and_postcode_trimmed():
    a = answer(interests=[theme(1), theme(0), theme(1)], postcode=" 13001 ")
    assert a.interests == [theme(1), theme(0)] and a.placement.postcode == "13001"


def test_an_answer_without_mechanism_is_an_api_answer_and_the_others_are_kept():
    assert answer(mechanism=...).mechanism == "api"
    assert answer(mechanism="widget").mechanism == "widget"
    assert answer(mechanism="page").mechanism == "page"
    assert refused(mechanism="formulaire") == [("mechanism", "mécanisme inconnu : widget, page ou api.")]
    assert refused(mechanism=None) == [("mechanism", "mécanisme inconnu : widget, page ou api.")]


def test_a_granted_purpose_is_kept_with_the_email():
    a = validate_answer(adult_email(), offer(), local_resolver(), VERSION)
    assert a.email == "lea@exemple.fr" and a.age_band == "25-34"
    assert a.consents == {"email_recommendations": True, "personalisation": False, "meta_matching": False}
    a = validate_answer(body(age_band="18-24", email="x@exemple.fr", consents={"meta_matching": True,
                                                                              "personalisation": True}),
                        offer(), local_resolver(), VERSION)
    assert a.consents == {"email_recommendations": False, "personalisation": True, "meta_matching": True}


# --- the body and its fields -------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [None, [], "texte", 3])
def test_a_body_that_is_not_an_object(payload):
    assert errors(payload) == [("body", BODY_MSG)]
    with pytest.raises(AnswerRejected) as caught:
        validate_change(payload, offer(), local_resolver(), current())
    assert [(e.field, e.message) for e in caught.value.errors] == [("body", BODY_MSG)]


def test_the_rejection_says_every_field_in_one_line():
    rejected = AnswerRejected([FieldError("postcode", "a."), FieldError("email", "b.")])
    assert str(rejected) == "postcode : a.; email : b."
    assert FieldError("email", "b.").as_json() == {"field": "email", "message": "b."}


def test_unknown_and_forbidden_fields():
    assert refused(nom="Dupont") == [("nom", NOT_COLLECTED)]
    assert refused(Telephone="0600000000") == [("Telephone", NOT_COLLECTED)]
    assert refused(couleur="bleu") == [("couleur", "champ non prévu.")]
    long = "x" * 80
    assert refused(**{long: 1}) == [("x" * 64, "champ non prévu.")]


def test_interests_errors():
    message = "choisissez au moins un centre d'intérêt dans la liste."
    assert refused(interests=[]) == [("interests", message)]
    assert refused(interests=...) == [("interests", message)]
    assert refused(interests=theme()) == [("interests", message)]
    assert refused(interests=[theme(), "inconnu", 7]) == [("interests[1]", INTEREST_MSG),
                                                          ("interests[2]", INTEREST_MSG)]


def test_postcode_errors():
    five = "le code postal doit compter 5 chiffres (par exemple 13001)."
    for value in ("1300", "130011", "13 01", 13001, None, "A3001"):
        assert refused(postcode=value) == [("postcode", five)], value
    assert refused(postcode="99999") == [("postcode", "code postal inconnu : vérifiez-le (5 chiffres, commune "
                                                      "française).")]


def test_notice_version_errors():
    missing = "la version de la notice affichée est obligatoire."
    assert refused(notice_version=...) == [("notice_version", missing)]
    assert refused(notice_version="") == [("notice_version", missing)]
    assert refused(notice_version=3) == [("notice_version", missing)]
    assert refused(notice_version="ancienne") == [
        ("notice_version", "la notice d'information a changé depuis l'affichage du formulaire : rechargez la page "
                           "et relisez-la avant de répondre.")]


def test_every_error_is_said_at_once():
    found = errors({"interests": [], "postcode": "1", "nom": "x", "mechanism": "?"})
    assert [f for f, _ in found] == ["nom", "interests", "postcode", "notice_version", "mechanism"]


# --- consents ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [["email_recommendations"], "oui", True, 1])
def test_consents_not_an_object(value):
    assert refused(consents=value) == [("consents", "les consentements doivent être donnés finalité par finalité.")]


def test_consent_errors_by_purpose():
    assert refused(consents={"newsletter": True}) == [
        ("consents.newsletter", "finalité inconnue : seules email_recommendations, personalisation, meta_matching "
                                "existent.")]
    assert refused(consents={"personalisation": "oui", "meta_matching": 1}) == [
        ("consents.personalisation", "répondez par oui (true) ou non (false)."),
        ("consents.meta_matching", "répondez par oui (true) ou non (false).")]
    assert answer(consents=None).consents == {"email_recommendations": False, "personalisation": False,
                                              "meta_matching": False}
    assert answer(consents={"personalisation": False}).consents["personalisation"] is False


def test_consent_rules():
    assert refused(email="lea@exemple.fr") == [("email", EMAIL_WITHOUT_PURPOSE)]
    assert refused(email="lea@exemple.fr", consents={"personalisation": True}, age_band="25-34") == [
        ("email", EMAIL_WITHOUT_PURPOSE)]
    assert refused(consents={"meta_matching": True}, age_band="25-34") == [("email", PURPOSE_WITHOUT_EMAIL)]
    assert refused(consents={"email_recommendations": True}, email="lea@exemple.fr") == [("age_band", AGE_NEEDED)]
    assert refused(consents={"personalisation": True}) == [("age_band", AGE_NEEDED)]
    assert refused(consents={"personalisation": True, "email_recommendations": True}, email="a@exemple.fr",
                   age_band="15-17") == [
        ("consents.personalisation", "« Personnalisation selon mes centres d'intérêt » n'est possible qu'à partir "
                                     "de 18 ans.")]
    assert refused(consents={"email_recommendations": True}, email="a@exemple.fr", age_band="moins-de-15") == [
        ("consents.email_recommendations", "« Recommandations par e-mail » n'est possible qu'à partir de 15 ans.")]
    assert refused(consents={"meta_matching": True}, email="a@exemple.fr", age_band="15-17") == [
        ("consents.meta_matching", "« Publicités de la médiathèque sur Facebook et Instagram » n'est possible "
                                   "qu'à partir de 18 ans.")]
    assert answer(consents={"email_recommendations": True}, email="a@exemple.fr", age_band="15-17").email


def test_the_consent_rules_wait_until_their_fields_are_valid():
    # an unknown age band or a bad address is said alone: the rules that need them would only repeat it
    assert refused(age_band="adulte", consents={"personalisation": True}) == [("age_band", AGE_MSG)]
    assert refused(email="pas-une-adresse", consents={"email_recommendations": True}) == [("email", EMAIL_MSG)]
    assert refused(consents={"inconnue": True, "meta_matching": True}) == [
        ("consents.inconnue", "finalité inconnue : seules email_recommendations, personalisation, meta_matching "
                              "existent.")]
    # a wrong interest or postcode does not hide them
    assert refused(interests=[], consents={"meta_matching": True}, age_band="25-34") == [
        ("interests", "choisissez au moins un centre d'intérêt dans la liste."), ("email", PURPOSE_WITHOUT_EMAIL)]


# --- e-mail ------------------------------------------------------------------------------------------------
def test_email_is_trimmed_and_normalised():
    assert validate_answer(adult_email(email="  lea@exemple.fr \n"), offer(), local_resolver(), VERSION).email \
        == "lea@exemple.fr"
    decomposed = "le\u0301a@exemple.fr"  # « é » as e + combining acute accent
    assert validate_answer(adult_email(email=decomposed), offer(), local_resolver(), VERSION).email \
        == "l\u00e9a@exemple.fr"
    assert answer(email="   ").email is None and answer(email=None).email is None


@pytest.mark.parametrize("value", [42, ["a@exemple.fr"], {"a": 1}, True])
def test_an_email_that_is_not_text(value):
    assert errors(adult_email(email=value)) == [("email", EMAIL_MSG)]


def test_email_with_invisible_characters():
    assert errors(adult_email(email="lea\u200b@exemple.fr")) == [
        ("email", "l'adresse e-mail contient un caractère invisible ou de contrôle (U+200B) : retapez-la.")]
    assert errors(adult_email(email="\u202ea\u200bb\u0000c\u0007@exemple.fr")) == [
        ("email", "l'adresse e-mail contient un caractère invisible ou de contrôle (U+202E, U+200B, U+0000) : "
                  "retapez-la.")]


def test_email_length_limits():
    def address(local, total):
        domain_length = total - local - 1 - len(".fr")
        labels, left = [], domain_length
        while left > 0:
            size = min(63, left)
            if left - size == 1:  # never leave a one-character remainder for a label and its dot
                size -= 2
            labels.append("d" * size)
            left -= size + 1
        return "a" * local + "@" + ".".join(labels) + ".fr"

    at_limit = address(64, 254)
    assert len(at_limit) == 254
    assert validate_answer(adult_email(email=at_limit), offer(), local_resolver(), VERSION).email == at_limit
    assert len(address(64, 255)) == 255
    assert errors(adult_email(email=address(64, 255))) == [("email", EMAIL_MSG)]
    assert errors(adult_email(email="a" * 65 + "@exemple.fr")) == [("email", EMAIL_MSG)]


@pytest.mark.parametrize("value", ["lea", "lea@exemple", "@exemple.fr", "l ea@exemple.fr", "lea@@exemple.fr",
                                   "<lea>@exemple.fr", "lea@-exemple.fr", "lea@exemple-.fr", "lea@exemple..fr",
                                   "lea@ex_emple.fr", "lea@" + "d" * 64 + ".fr", "lea;x@exemple.fr"])
def test_email_shapes_refused(value):
    assert errors(adult_email(email=value)) == [("email", EMAIL_MSG)]


@pytest.mark.parametrize("value", ["l.e-a+x@mail.exemple.fr", "a@b.c", "x@" + "d" * 63 + ".fr", "a@a1-b2.fr"])
def test_email_shapes_accepted(value):
    assert validate_answer(adult_email(email=value), offer(), local_resolver(), VERSION).email == value


# --- page_url ----------------------------------------------------------------------------------------------
def test_page_url_kept_without_query_fragment_or_credentials():
    assert answer(page_url="https://www.marseille.fr/culture/bibliotheques?id=12#questionnaire").page_url \
        == "https://www.marseille.fr/culture/bibliotheques"
    assert answer(page_url="http://lea:secret@www.marseille.fr:8080/agenda#x").page_url \
        == "http://www.marseille.fr:8080/agenda"
    assert answer(page_url=None).page_url is None


@pytest.mark.parametrize("value", ["ftp://www.marseille.fr/", "www.marseille.fr/agenda", "javascript:alert(1)",
                                   "https://www.marseille.fr/\u200bagenda", "https://www.marseille.fr:99999/",
                                   "http://[::1/", 42, ["https://www.marseille.fr/"], "HTTPS:/x",
                                   "https:///agenda", "http://:80/agenda", "https://lea@/agenda"])
def test_page_url_refused(value):
    assert refused(page_url=value) == [("page_url", PAGE_MSG)]


def test_page_url_length():
    head = "https://www.marseille.fr/"
    longest = head + "z" * (MAX_URL - len(head))
    assert len(longest) == 2000 and answer(page_url=longest).page_url == longest
    assert refused(page_url=longest + "z") == [("page_url", PAGE_MSG)]


@pytest.mark.parametrize(("url", "kept"), [
    ("https://e.fr/compte/lea@exemple.fr/profil", "https://e.fr/compte/…/profil"),
    ("https://e.fr/compte/lea%40exemple.fr", "https://e.fr/compte/…"),
    ("https://e.fr/dossier/2024/1234", "https://e.fr/dossier/…/…"),
    ("https://e.fr/dossier/123/abc", "https://e.fr/dossier/123/abc"),
    ("https://e.fr/s/0a1b2c3d4e5f6a7b", "https://e.fr/s/…"),
    ("https://e.fr/s/0a1b2c3d4e5f6a7", "https://e.fr/s/0a1b2c3d4e5f6a7"),
    ("https://e.fr/s/0A1B-2C3D-4E5F-6A7B", "https://e.fr/s/…"),
    ("https://e.fr/s/session7abcdefghijkl", "https://e.fr/s/…"),
    ("https://e.fr/s/SESSION7ABCDEFGHIJKL", "https://e.fr/s/…"),
    ("https://e.fr/s/session7abcdefghijk", "https://e.fr/s/session7abcdefghijk"),
    ("https://e.fr/s/sessionabcdefghijklmnopq", "https://e.fr/s/sessionabcdefghijklmnopq"),
    ("https://e.fr/s/1234567890123456789012", "https://e.fr/s/…"),
    ("https://e.fr/mediatheques-de-marseille-agenda", "https://e.fr/mediatheques-de-marseille-agenda"),
    ("https://E.FR:443/a/", "https://e.fr:443/a/"),
])
def test_page_without_personal_data(url, kept):
    assert page_without_personal_data(url) == kept


# --- a preference change -----------------------------------------------------------------------------------
def current(**fields):
    state = dict(interests=[theme()], placement=local_resolver().resolve("13001"), age_band="25-34",
                 email="lea@exemple.fr", consents={"email_recommendations": True, "personalisation": False,
                                                   "meta_matching": False})
    state.update(fields)
    return PreferenceChange(**state)


def change(payload, state=None):
    return validate_change(payload, offer(), local_resolver(), state or current())


def change_errors(payload, state=None):
    with pytest.raises(AnswerRejected) as caught:
        change(payload, state)
    return [(e.field, e.message) for e in caught.value.errors]


def test_an_empty_change_keeps_everything():
    state = current()
    after = change({}, state)
    assert after == state and after.consents is not state.consents


def test_only_the_fields_sent_change():
    after = change({"interests": [theme(1)], "postcode": "75001"})
    assert after.interests == [theme(1)] and after.placement.postcode == "75001"
    assert after.email == "lea@exemple.fr" and after.age_band == "25-34"
    assert after.consents["email_recommendations"] is True


def test_an_age_change_not_sent_is_no_change_and_an_emptied_one_is_unknown():
    assert change({"interests": [theme()]}).age_band == "25-34"
    assert change({"age_band": "50-64"}).age_band == "50-64"
    # an emptied age band is « unknown »: a purpose granted then needs it again
    assert change_errors({"age_band": ""}) == [("age_band", AGE_NEEDED)]
    quiet = current(email=None, consents={"email_recommendations": False, "personalisation": False,
                                          "meta_matching": False})
    assert change({"age_band": ""}, quiet).age_band is None and change({"age_band": None}, quiet).age_band is None


def test_preference_change_errors():
    assert change_errors({"notice_version": VERSION}) == [("notice_version", "champ non prévu.")]
    assert change_errors({"nom": "Léa"}) == [("nom", NOT_COLLECTED)]
    assert change_errors({"interests": []}) == [("interests", "choisissez au moins un centre d'intérêt dans la "
                                                              "liste.")]
    assert change_errors({"postcode": "1300"}) == [("postcode", "le code postal doit compter 5 chiffres (par "
                                                                "exemple 13001).")]
    assert change_errors({"age_band": "vieux"}) == [("age_band", AGE_MSG)]
    assert change_errors({"consents": "tout"}) == [("consents", "les consentements doivent être donnés finalité "
                                                                "par finalité.")]
    assert change_errors({"email": "pas-une-adresse"}) == [("email", EMAIL_MSG)]
    # a minor cannot keep an adult purpose
    assert change_errors({"age_band": "15-17", "consents": {"personalisation": True,
                                                            "email_recommendations": True}}) == [
        ("consents.personalisation", "« Personnalisation selon mes centres d'intérêt » n'est possible qu'à partir "
                                     "de 18 ans.")]
    # the consent rules are not said over a field error
    assert change_errors({"age_band": "vieux", "consents": {"personalisation": True}}) == [("age_band", AGE_MSG)]


def test_withdrawing_the_email_purpose_drops_the_address():
    none = {"email_recommendations": False, "personalisation": False, "meta_matching": False}
    assert change({"consents": none}).email is None
    # the form sends the address back as shown, whatever its case: still withdrawn
    assert change({"consents": none, "email": "LEA@exemple.fr"}).email is None
    assert change({"consents": {"personalisation": True}}).email is None
    # a new address without an e-mail purpose is refused
    assert change_errors({"consents": none, "email": "autre@exemple.fr"}) == [("email", EMAIL_WITHOUT_PURPOSE)]
    # an e-mail purpose kept keeps the address; a new one replaces it
    assert change({"consents": {"meta_matching": True}}).email == "lea@exemple.fr"
    assert change({"email": "autre@exemple.fr"}).email == "autre@exemple.fr"
    assert change_errors({"email": ""}) == [("email", PURPOSE_WITHOUT_EMAIL)]
    quiet = current(email=None, consents=none)
    assert change({"consents": {"meta_matching": True}, "email": "neuf@exemple.fr"}, quiet).email == "neuf@exemple.fr"
    assert change_errors({"consents": {"meta_matching": True}}, quiet) == [("email", PURPOSE_WITHOUT_EMAIL)]
