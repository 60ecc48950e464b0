"""Elections: the shipped calendar, Code électoral L.52-1 al. 2 as written, and the legal service's attestation."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from outreach.compliance import add_attestation
from outreach.elections import Election, elections_from_rows, overlapping, shipped_calendar
from outreach.errors import InputError
from outreach.settings import NetworkSettings
from tests.support.compliance_cases import CASES, SETTINGS, checklist


def test_the_shipped_calendar_names_every_general_election_with_its_source():
    calendar = shipped_calendar()
    assert {"municipales", "présidentielle", "législatives", "européennes", "départementales", "régionales"} <= \
        {e.type for e in calendar}
    assert all(e.source for e in calendar)
    municipal = next(e for e in calendar if e.type == "municipales")
    assert municipal.confirmed and municipal.rounds == [date(2026, 3, 15), date(2026, 3, 22)]


@pytest.mark.parametrize(("month", "rounds", "opens", "closes"), [
    ("2026-03", [date(2026, 3, 15), date(2026, 3, 22)], date(2025, 9, 1), date(2026, 3, 22)),
    ("2027-04", [], date(2026, 10, 1), date(2027, 4, 30)),  # rounds not fixed yet: the whole month
    ("2027-01", [date(2027, 1, 10)], date(2026, 7, 1), date(2027, 1, 10)),  # across a year
])
def test_the_period_starts_on_the_first_day_of_the_sixth_month_before_and_lasts_to_the_last_round(
        month, rounds, opens, closes):
    assert Election(type="test", month=month, rounds=rounds).period() == (opens, closes)


def test_a_first_round_outside_its_month_is_refused():
    with pytest.raises(ValueError, match="premier tour"):
        Election(type="présidentielle", month="2027-05", rounds=[date(2027, 4, 11)])


def test_a_march_2027_campaign_is_flagged_naming_the_rule_the_election_and_the_dates():
    settings = SETTINGS.model_copy(update={"elections": shipped_calendar()})
    item = checklist("conforme.yaml", settings=settings).item("AD-03")  # April 2027
    assert item.status == "flag" and item.severity == "blocking"
    assert "L.52-1" in item.detail and "présidentielle" in item.detail and "01/10/2026" in item.detail
    assert item.attested_by == "legal"


def test_between_two_periods_the_campaign_passes_and_names_the_next_one():
    calendar = [Election(type="municipales", month="2026-03", rounds=[date(2026, 3, 15), date(2026, 3, 22)]),
                Election(type="présidentielle", month="2027-04")]
    assert overlapping(date(2026, 4, 1), date(2026, 9, 30), calendar) == []
    settings = SETTINGS.model_copy(update={"elections": calendar[:1] + [Election(type="présidentielle",
                                                                                 month="2027-12")]})
    item = checklist("conforme.yaml", settings=settings).item("AD-03")
    assert item.status == "pass" and "présidentielle" in item.detail and "01/06/2027" in item.detail


def test_legislative_elections_added_after_a_dissolution_count(tmp_path):
    added = SETTINGS.model_copy(update={"elections": [Election(type="législatives", month="2027-06",
                                                               rounds=[date(2027, 6, 13), date(2027, 6, 20)])]})
    item = checklist("conforme.yaml", settings=added).item("AD-03")
    assert item.status == "flag" and "législatives" in item.detail and "01/12/2026" in item.detail


def test_only_the_legal_service_clears_the_flag(tmp_path):
    settings = SETTINGS.model_copy(update={"elections": shipped_calendar()})
    campaign = tmp_path / "conforme.yaml"
    shutil.copyfile(CASES / "conforme.yaml", campaign)
    with pytest.raises(InputError, match="service juridique"):
        add_attestation(campaign, "AD-03", name="Camille Martin", role="Chargée de communication")
    finding = checklist("conforme.yaml", settings=settings).item("AD-03").finding
    attestation = add_attestation(campaign, "AD-03", name="Dominique Leroy", role="Service juridique",
                                  about=finding)
    item = checklist("conforme.yaml", settings=settings, attestations=[attestation]).item("AD-03")
    assert item.status == "attest" and "Dominique Leroy" in item.detail


def test_settings_keep_an_edited_calendar_and_the_old_single_date():
    settings = NetworkSettings(elections=[], election_date=date(2027, 6, 13))
    assert [e.rounds for e in settings.election_calendar()] == [[date(2027, 6, 13), date(2027, 6, 20)]]
    assert len(NetworkSettings().election_calendar()) == len(shipped_calendar())


def test_edited_rows_become_elections_and_a_bad_row_is_named():
    rows = [{"type": "législatives", "month": "2027-06", "first": date(2027, 6, 13), "second": float("nan"),
             "confirmed": True, "source": "décret"}, {"type": "", "month": "", "first": None}]
    assert [e.rounds for e in elections_from_rows(rows)] == [[date(2027, 6, 13)]]
    with pytest.raises(InputError) as caught:
        elections_from_rows(rows[:1] + [{"type": "présidentielle", "month": "avril 2027"}])
    assert caught.value.where == "calendrier des élections, ligne 2" and caught.value.field == "Mois du 1er tour (AAAA-MM)"
    assert "AAAA-MM" in caught.value.message
