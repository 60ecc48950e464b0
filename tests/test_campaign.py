from datetime import date

import pytest
import yaml

from outreach.campaign import Campaign, campaign_from_dict, load_campaign, save_campaign
from outreach.errors import InputError, InputErrors
from outreach.settings import NetworkSettings
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"
EMPTY_SETTINGS = NetworkSettings()


def raw(**changes) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write(tmp_path, data, name="c.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_example_file_loads_with_the_issue_keys():
    c = load_campaign(EXAMPLE, settings=EMPTY_SETTINGS)
    assert c.themes == ["science-fiction"]
    assert c.territory.departement == "13"
    assert c.period.start == date(2027, 3, 1) and c.period.days == 31
    assert c.objective == "awareness" and c.geo == "radius"
    assert (c.audience.age_min, c.audience.age_max) == (18, 65)
    assert c.advertiser.beneficiary.startswith("Ville de") and c.advertiser.payer.startswith("Ville de")
    # the optional keys read by the compliance checklist exist with their defaults
    assert c.custom_audiences == [] and c.special_ad_categories == []
    assert c.uses_questionnaire is False and c.election_date is None


def test_defaults_and_integer_departement(tmp_path):
    data = raw(audience=None, objective=None, geo=None, territory={"departement": 13})
    c = load_campaign(write(tmp_path, data), settings=EMPTY_SETTINGS)
    assert c.territory.departement == "13"
    assert (c.audience.age_min, c.audience.age_max, c.objective, c.geo) == (18, 65, "awareness", "radius")


def test_end_before_start_names_the_field(tmp_path):
    path = write(tmp_path, raw(period={"start": "2027-03-31", "end": "2027-03-01"}))
    with pytest.raises(InputError) as err:
        load_campaign(path, settings=EMPTY_SETTINGS)
    assert err.value.field == "period"
    assert str(path) in str(err.value) and "avant le début" in str(err.value)


def test_bad_date_names_period_end(tmp_path):
    path = write(tmp_path, raw(period={"start": "2027-03-01", "end": "31/03/2027"}))
    with pytest.raises(InputError) as err:
        load_campaign(path, settings=EMPTY_SETTINGS)
    assert err.value.field == "period.end" and "AAAA-MM-JJ" in str(err.value)


@pytest.mark.parametrize("url", ["http://www.bmvr.marseille.fr/", "www.bmvr.marseille.fr", "https://"])
def test_landing_url_must_be_https(tmp_path, url):
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, raw(landing_url=url)), settings=EMPTY_SETTINGS)
    assert err.value.field == "landing_url" and "https://" in str(err.value)


def test_missing_beneficiary_and_payer_are_both_reported(tmp_path):
    data = raw(advertiser={"page_id": "1234567890"})
    with pytest.raises(InputErrors) as err:
        load_campaign(write(tmp_path, data), settings=EMPTY_SETTINGS)
    fields = {e.field for e in err.value.errors}
    assert fields == {"advertiser.beneficiary", "advertiser.payer"}
    assert "DSA" in str(err.value)


def test_advertiser_defaults_come_from_network_settings(tmp_path):
    settings = NetworkSettings(facebook_page_id="99887766", dsa_beneficiary="Ville d'Aubagne",
                               dsa_payer="Ville d'Aubagne", instagram_user_id="99990000000000")
    c = load_campaign(write(tmp_path, raw(advertiser=None, budget_eur=None)), settings=settings)
    assert c.advertiser.page_id == "99887766" and c.advertiser.payer == "Ville d'Aubagne"
    assert c.advertiser.instagram_user_id == "99990000000000"
    assert c.budget_eur == settings.default_budget_eur


def test_minor_audience_refused(tmp_path):
    # below Meta's floor (13) the file is refused; 13–17 loads and the GDPR checklist refuses it by name
    # (item MIN-01, tests/test_compliance_cli.py)
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, raw(audience={"age_min": 12})), settings=EMPTY_SETTINGS)
    assert err.value.field == "audience.age_min" and "18" in str(err.value)
    assert load_campaign(write(tmp_path, raw(audience={"age_min": 16})), settings=EMPTY_SETTINGS).audience.age_min == 16


def test_unknown_key_and_bad_objective(tmp_path):
    with pytest.raises(InputErrors) as err:
        load_campaign(write(tmp_path, raw(objectif="notoriété", objective="conversions")), settings=EMPTY_SETTINGS)
    fields = {e.field for e in err.value.errors}
    assert fields == {"objectif", "objective"}


def test_territory_needs_something(tmp_path):
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, raw(territory={})), settings=EMPTY_SETTINGS)
    assert err.value.field == "territory"


def test_broken_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML invalide") as err:
        load_campaign(path, settings=EMPTY_SETTINGS)
    assert "« ] » manquant" in str(err.value) and "expected" not in str(err.value)
    with pytest.raises(InputError, match="introuvable"):
        load_campaign(tmp_path / "nope.yaml", settings=EMPTY_SETTINGS)


def test_save_then_load_round_trips(tmp_path):
    c = load_campaign(EXAMPLE, settings=EMPTY_SETTINGS)
    c = Campaign.model_validate(c.model_dump() | {
        "custom_audiences": [{"id": "2385", "name": "Lecteurs", "source": "questionnaire"}],
        "theme_landing_urls": {"science-fiction": "https://www.bmvr.marseille.fr/sf"}})
    path = save_campaign(c, tmp_path / "out" / "c.yaml")
    again = load_campaign(path, settings=EMPTY_SETTINGS)
    assert again == c
    assert again.landing_url_for("x", "science-fiction") == "https://www.bmvr.marseille.fr/sf"
    assert again.landing_url_for("x", "manga") == c.landing_url


def test_dict_input_without_file():
    with pytest.raises(InputError) as err:
        campaign_from_dict(raw(budget_eur=-5), settings=EMPTY_SETTINGS)
    assert err.value.field == "budget_eur"


def test_meta_ids_are_digits(tmp_path):
    data = raw(advertiser={"page_id": "ma-page", "beneficiary": "Ville de Marseille", "payer": "Ville de Marseille",
                           "instagram_user_id": ""})
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, data), settings=EMPTY_SETTINGS)
    assert err.value.field == "advertiser.page_id" and "chiffres" in str(err.value)
    data["advertiser"]["page_id"] = 1234567890  # YAML may read it as a number
    c = load_campaign(write(tmp_path, data), settings=EMPTY_SETTINGS)
    assert c.advertiser.page_id == "1234567890" and c.advertiser.instagram_user_id is None


def test_special_ad_categories_are_meta_s_own(tmp_path):
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, raw(special_ad_categories=["HOUSNG"])), settings=EMPTY_SETTINGS)
    assert err.value.field == "special_ad_categories" and "HOUSNG" in str(err.value) and "HOUSING" in str(err.value)
    c = load_campaign(write(tmp_path, raw(special_ad_categories=["none", "employment"])), settings=EMPTY_SETTINGS)
    assert c.special_ad_categories == ["EMPLOYMENT"]


def test_empty_name_is_said_in_french(tmp_path):
    with pytest.raises(InputError) as err:
        load_campaign(write(tmp_path, raw(name="")), settings=EMPTY_SETTINGS)
    assert err.value.field == "name" and "vide" in str(err.value) and "String" not in str(err.value)


def test_the_form_keeps_what_it_does_not_show():
    """The Campagne page used to keep a hard-coded list of keys: a key added since was lost on « Construire »."""
    from outreach.campaign import FORM_FIELDS, campaign_from_form

    opened = load_campaign(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml")
    edited = opened.model_copy(update={"uses_questionnaire": True, "theme_landing_urls": {"manga": "https://m.fr/manga"}})
    form = {k: v for k, v in edited.model_dump().items() if k in FORM_FIELDS} | {"name": "Autre nom"}
    again = campaign_from_form(form, edited)
    assert again.name == "Autre nom" and again.uses_questionnaire
    assert again.theme_landing_urls == {"manga": "https://m.fr/manga"}
    assert {k for k in Campaign.model_fields if k not in FORM_FIELDS} >= {"copy_overrides", "custom_audiences"}


def test_a_campaign_is_saved_only_as_yaml(tmp_path):
    campaign = load_campaign(ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml")
    with pytest.raises(InputError) as err:
        save_campaign(campaign, tmp_path / "campagne.txt")
    assert ".yaml" in str(err.value) and not (tmp_path / "campagne.txt").exists()
    assert save_campaign(campaign, tmp_path / "campagne.yaml").exists()


def test_settings_refuse_a_page_id_with_letters_and_an_account_without_act():
    with pytest.raises(ValueError, match="chiffres"):
        NetworkSettings(facebook_page_id="ma-page")
    with pytest.raises(ValueError, match="act_"):
        NetworkSettings(ad_account_id="1234567")
    assert NetworkSettings(facebook_page_id=" 123 ", ad_account_id="act_42").facebook_page_id == "123"
    assert NetworkSettings().missing_for_launch()[0] == "la page Facebook"


@pytest.mark.parametrize("text, french", [("name: a: b\n", "« : » inattendu"), ("name: x\n\tbudget: 1\n", "tabulation"),
                                          ("name: *alias\n", "alias « * » sans ancre"),
                                          ("name: 'x\n", "guillemet non refermé")])
def test_yaml_mistakes_are_explained_in_french(tmp_path, text, french):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_campaign(path, settings=EMPTY_SETTINGS)
    assert french in str(err.value) and "ligne" in str(err.value)
