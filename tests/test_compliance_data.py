"""The checklist's data files: the rules (data/compliance.yaml) and the sensitive-interest lists."""

from __future__ import annotations

import re

import pytest

from outreach.compliance.rules import load_rules
from outreach.compliance.sensitive import load_lists, normalise
from outreach.errors import InputError
from outreach.themes import load_themes
from tests.support import DATA

REFERENCE_IDS = ["ROLE-01", "ROLE-02", "BASIS-01", "BASIS-02", "TGT-01", "TGT-02", "TGT-03", "TGT-04", "CA-01",
                 "CA-02", "CA-03", "CA-04", "CA-05", "CA-06", "PIX-01", "PIX-02", "PIX-03", "PIX-04", "PIX-05",
                 "PIX-06", "FORM-01", "FORM-02", "FORM-03", "FORM-04", "FORM-05", "FORM-06", "FORM-07", "FORM-08",
                 "FORM-09", "SEN-01", "SEN-02", "SEN-03", "SEN-04", "SEN-05", "MIN-01", "MIN-02", "MIN-03",
                 "XFER-01", "ROPA-01", "DPIA-01", "RET-01", "RIGHTS-01", "SEC-01", "AD-01", "AD-02", "A11Y-01"]


def test_rules_keep_the_reference_ids_and_say_everything():
    rules = load_rules()
    ids = [r.id for r in rules]
    assert len(rules) >= 30 and set(REFERENCE_IDS) <= set(ids)
    for rule in rules:
        assert rule.title and rule.rule and rule.source and rule.fix, rule.id
        assert re.search(r"[éèàçêù]|\b(le|la|les|des|du|de|d|une?|sans|pas|aucune?|et)\b", rule.title), f"{rule.id}: title in French"
        assert (rule.check is not None) == (rule.kind in ("auto", "semi")), rule.id
    # the minimum set of automatic checks is there
    checks = {r.check for r in rules}
    assert {"adults_only", "no_blocked_interest", "flagged_topics_broad_only", "no_blocked_theme",
            "dsa_beneficiary_and_payer", "radius_at_least_1km", "custom_audiences_from_questionnaire",
            "no_political_category", "outside_pre_election_period", "questionnaire_notice_complete"} <= checks


def test_rules_file_errors_are_clear(tmp_path):
    bad = tmp_path / "compliance.yaml"
    bad.write_text((DATA / "compliance.yaml").read_text(encoding="utf-8").replace(
        "check: adults_only", "check: adults_onyl"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(bad)
    assert "adults_onyl" in str(err.value) and "MIN-01" in str(err.value)
    bad.write_text((DATA / "compliance.yaml").read_text(encoding="utf-8").replace("id: TGT-02", "id: TGT-01"),
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(bad)
    assert "double" in str(err.value) and "TGT-01" in str(err.value)
    bad.write_text("items:\n  - id: X-01\n    section: s\n    title: t\n    rule: r\n    source: s\n"
                   "    kind: manual\n    severity: fatal\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(bad)
    assert "severity" in str(err.value) and "valeur refusée" in str(err.value) and "Input should" not in str(err.value)


@pytest.mark.parametrize(("text", "level", "term"), [
    ("LGBT culture", "block", "LGBT"),
    ("LGBT+ et littérature", "block", "LGBT"),
    ("Santé Mentale", "block", "santé mentale"),
    ("SANTE MENTALE", "block", "santé mentale"),
    ("Lung cancer awareness", "block", "cancer"),
    ("Cancers du sein", "block", "cancer"),
    ("Catholic Church", "block", "catholic church"),
    ("Église catholique", "block", "église catholique"),
    ("Ramadan", "block", "ramadan"),
    ("Marche des fiertés", "block", "marche des fiertés"),
    ("Same-sex marriage", "block", "same-sex marriage"),
    ("Sign language", "flag", "sign language"),
    ("Livres en gros caractères", "flag", "gros caractères"),
    ("Français langue étrangère (FLE)", "flag", "FLE"),
])
def test_sensitive_terms_found_whatever_the_case_and_accents(text, level, term):
    found = load_lists().matches(text)
    assert found and found[0].term.level == level and found[0].term.text == term


@pytest.mark.parametrize("text", ["Bibliothèque", "Science fiction", "Manga", "Graffiti", "Biblical epics",
                                  "Islande", "Transport", "Cinéma", "Fleuves de France", "Gayet", "Sourdine"])
def test_no_match_inside_words(text):
    assert load_lists().matches(text) == []


def test_shipped_themes_agree_with_the_lists():
    """A theme the catalogue calls harmless has no sensitive interest; the LSF theme is flagged both ways."""
    lists = load_lists()
    for theme in load_themes():
        texts = [theme.label] + [i.name for i in theme.meta_interests]
        levels = {lists.level(t) for t in texts} - {None}
        if theme.sensitivity == "none":
            assert not levels, (theme.id, levels)
    lsf = next(t for t in load_themes() if t.id == "lsf")
    assert lsf.sensitivity == "flag" and lists.level(lsf.label) == "flag"


def test_lists_have_sources_and_both_languages():
    raw = (DATA / "sensitive-interests.yaml").read_text(encoding="utf-8")
    lists = load_lists()
    assert {t.level for t in lists.terms} == {"block", "flag"}
    assert all(t.source and t.label for t in lists.terms)
    words = {" ".join(t.words) for t in lists.terms}
    assert {"sante mentale", "mental health", "religion", "lgbt", "syndicat", "trade union"} <= words
    assert "Meta" in raw and "art. 9" in raw


def test_lists_file_errors_are_clear(tmp_path):
    bad = tmp_path / "lists.yaml"
    bad.write_text("block:\n  health:\n    terms: [cancer]\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_lists(bad)
    assert "block.health.source" in str(err.value)


def test_normalise():
    assert normalise("Œuvres d'Ève — LGBT+") == ("oeuvres", "d", "eve", "lgbt")
