import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from outreach import reporting
from outreach.errors import InputError
from outreach.reporting import ReportStore
from tests.support import reporting_fixtures
from tests.support.reporting_fixtures import (
    CAMPAIGN,
    export_rows,
    period_figures,
    planned_adsets,
    write_csv,
    write_plan_dir,
)

plan_dir, store_url = reporting_fixtures.plan_dir, reporting_fixtures.store_url  # fixtures


def _daily_export(tmp_path, name="jours.csv", days=range(1, 22), factor=1.0, adsets=None):
    header = ["Jour", "Nom de la campagne", "Nom de l'ensemble de publicités", "Couverture", "Impressions",
              "Montant dépensé (EUR)", "Clics sur un lien"]
    rows = [header]
    for i, a in enumerate(adsets or planned_adsets()):
        for d in days:
            reach = int((200 + 10 * i + d) * factor)
            rows.append([f"2026-12-{d:02d}", CAMPAIGN, a["adset_name"], str(reach), str(2 * reach),
                         f"{(4 + i * 0.25) * factor:.2f}".replace(".", ","), str(1 + (d % 3))])
    return write_csv(tmp_path / name, rows)


def _campaign_export(tmp_path, reach=31000, name="campagne.csv", day=None):
    header = ["Début des rapports", "Fin des rapports", "Nom de la campagne", "Couverture", "Impressions",
              "Montant dépensé (EUR)"]
    start, end = (day, day) if day else ("2026-12-01", "2026-12-21")
    return write_csv(tmp_path / name, [header, [start, end, CAMPAIGN, str(reach), "111900", "650,25"]])


def _totals(store, by="theme"):
    t = reporting.reach_table(store, by)
    return reporting.to_csv_frame(t).set_index(t.key_column).to_dict("index"), t


def test_import_links_rows_to_the_plan(tmp_path, plan_dir, store_url):
    store = ReportStore()
    path = write_csv(tmp_path / "r.csv", export_rows(period_figures()))
    [summary] = reporting.import_reports(store, [path], [plan_dir])
    assert summary.rows_read == 6 and summary.rows_unmatched == 0
    by_branch, table = _totals(store, "branch")
    figures = {f["adset_name"]: f for f in period_figures()}
    for a in planned_adsets():
        assert a["branch_id"] in by_branch
    grognarde = [f for name, f in figures.items() if name.startswith("La Grognarde")]
    assert by_branch["5424"]["impressions"] == sum(f["impressions"] for f in grognarde)
    assert by_branch["5424"]["spend_eur"] == pytest.approx(sum(f["spend"] for f in grognarde))
    # two ad sets per branch without the campaign's reach: an upper bound, and said so
    assert by_branch["5424"]["reach"] == sum(f["reach"] for f in grognarde)
    assert not table.frame["reach_exact"].any()
    assert any("majorant" in n for n in table.notes)


def test_same_file_twice_same_totals_and_history(tmp_path, plan_dir, store_url):
    store = ReportStore()
    path = write_csv(tmp_path / "r.csv", export_rows(period_figures()))
    reporting.import_reports(store, [path], [plan_dir])
    before, _ = _totals(store)
    [again] = reporting.import_reports(store, [path], [plan_dir])
    assert again.duplicate_of == 1 and "déjà importé" in again.describe()
    # the same figures in another file (an XLSX re-export, say) replace the rows instead of adding to them
    copy = write_csv(tmp_path / "copie.csv", export_rows(period_figures()), separator=",")
    [third] = reporting.import_reports(store, [copy], [plan_dir])
    assert third.rows_replaced == 6 and third.rows_identical == 6
    after, _ = _totals(store)
    assert after == before
    batches = store.batches()
    assert batches["id"].tolist() == [1, 2, 3] and batches["duplicate_of"].tolist()[1] == 1
    with store.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT COUNT(*), COUNT(replaced_by) FROM report_results")).one()
    assert tuple(kept) == (12, 6)  # history kept: the first batch's rows are marked, not deleted


def test_corrected_export_replaces_old_figures(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [_daily_export(tmp_path)], [plan_dir])
    first, _ = _totals(store)
    corrected = _daily_export(tmp_path, "jours-corrige.csv", days=range(15, 22), factor=2.0)
    [s] = reporting.import_reports(store, [corrected], [plan_dir])
    assert s.rows_replaced == 6 * 7 and s.rows_identical == 0
    second, _ = _totals(store)
    # days 15–21 doubled, days 1–14 untouched
    expected = sum(int((200 + 10 * i + d) * (2.0 if d >= 15 else 1.0)) * 2
                   for i, a in enumerate(planned_adsets()) if a["theme_id"] == "manga" for d in range(1, 22))
    assert second["manga"]["impressions"] == expected
    assert second["manga"]["impressions"] > first["manga"]["impressions"]


def test_unmatched_rows_kept_reported_and_linked_later(tmp_path, store_url):
    store = ReportStore()
    figures = period_figures()
    figures.append({"adset_name": "Ancienne campagne | Polar | 18-65", "reach": 900, "impressions": 1500,
                    "spend": 12.5, "link_clicks": 4})
    path = write_csv(tmp_path / "r.csv", export_rows(figures))
    [s] = reporting.import_reports(store, [path])  # no plan yet
    assert s.rows_unmatched == 7 and "non rattaché" in s.describe()
    table = reporting.reach_table(store, "theme")
    assert table.frame["key"].tolist() == [reporting.UNMATCHED]
    assert table.frame.loc[0, "impressions"] == sum(f["impressions"] for f in figures)  # nothing dropped

    reporting.import_reports(store, [], [write_plan_dir(tmp_path / "plan")])
    table = reporting.reach_table(store, "theme")
    assert table.frame["key"].tolist() == ["manga", "science-fiction", reporting.UNMATCHED]
    assert table.frame.loc[2, "impressions"] == 1500 and table.frame.loc[2, "ad_sets"] == 1
    assert table.frame["impressions"].sum() == sum(f["impressions"] for f in figures)
    assert any("aucun plan" in n for n in table.notes)


def test_link_by_meta_id_when_renamed(tmp_path, plan_dir, store_url):
    store = ReportStore()
    rows = export_rows(period_figures())
    rows[0] = [*rows[0], "Identifiant de l'ensemble de publicités"]
    rows[1:] = [[*r[:3], f"renommé {i}", *r[4:], str(120200000000200 + i)] for i, r in enumerate(rows[1:])]
    [s] = reporting.import_reports(store, [write_csv(tmp_path / "r.csv", rows)], [plan_dir])
    assert s.rows_unmatched == 0
    assert set(reporting.reach_table(store, "branch").frame["key"]) == {"5424", "5423", "5426"}


def test_campaign_reach_makes_the_total_exact(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures())),
                                     _campaign_export(tmp_path, reach=31000)], [plan_dir])
    table = reporting.reach_table(store, "theme")
    assert table.total["reach"] == 31000 and table.total["reach_exact"]
    assert table.total["reach_basis"] == reporting.BASIS_CAMPAIGN
    # impressions and spend still add up over the ad sets
    assert table.total["impressions"] == sum(f["impressions"] for f in period_figures())
    # a theme is a part of the campaign: its reach stays an upper bound
    assert not table.frame["reach_exact"].any()
    md = reporting.to_markdown(table)
    assert "| **Total** | 31\u202f000 |" in md and "≤ " in md


def test_one_ad_set_has_an_exact_reach(tmp_path, store_url):
    one = planned_adsets()[:1]
    plan = write_plan_dir(tmp_path / "plan", one)
    store = ReportStore()
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()[:1]))], [plan])
    table = reporting.reach_table(store, "branch")
    assert table.frame["reach_exact"].tolist() == [True]
    assert table.frame.loc[0, "frequency"] == pytest.approx(period_figures()[0]["impressions"] / 4000)


def test_daily_reach_is_an_upper_bound_until_a_period_row_covers_it(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [_daily_export(tmp_path)], [plan_dir])
    objects = reporting.object_figures(store)
    assert not objects["reach_exact"].any()
    assert set(objects["reach_basis"]) == {reporting.BASIS_DAILY_SUM}
    daily_spend = objects["spend"].sum()
    # the whole-period export covers the same days: exact reach now, and no double counting of spend
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))], [plan_dir])
    objects = reporting.object_figures(store)
    assert objects["reach_exact"].all()
    assert sorted(objects["reach"]) == sorted(f["reach"] for f in period_figures())
    assert objects["spend"].sum() == pytest.approx(sum(f["spend"] for f in period_figures()))
    assert objects["spend"].sum() != pytest.approx(daily_spend)


def test_period_row_shorter_than_daily_rows_does_not_win(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [_daily_export(tmp_path)], [plan_dir])
    short = write_csv(tmp_path / "court.csv", export_rows(period_figures(), end="2026-12-07"))
    reporting.import_reports(store, [short], [plan_dir])
    objects = reporting.object_figures(store)
    assert not objects["reach_exact"].any() and (objects["stop"] == "2026-12-21").all()


def test_by_area_shares_by_population_and_adds_up(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))], [plan_dir])
    table = reporting.reach_table(store, "area")
    areas = set(" ".join(a["areas"] for a in planned_adsets()).split())
    assert set(table.frame["key"]) == areas
    assert table.frame["impressions"].sum() == pytest.approx(sum(f["impressions"] for f in period_figures()))
    assert table.frame["spend"].sum() == pytest.approx(sum(f["spend"] for f in period_figures()))
    assert set(table.frame["reach_basis"]) == {reporting.BASIS_AREA}
    # Marseille 1er (more inhabitants) gets a larger share of Le Panier's ad sets than the 2e
    f = table.frame.set_index("key")
    assert f.loc["13201", "impressions"] > f.loc["13202", "impressions"]
    assert "Marseille 1er" in f.loc["13201", "label"]
    assert "≈ " in reporting.to_markdown(table)
    # each area is targeted by two ad sets (two themes): their shares are added, and the table says so
    assert (table.frame["ad_sets"] == 2).all()
    assert any(n.startswith(f"{len(areas)} zone(s) ciblée(s) par plusieurs ensembles") and "majorant" in n
               for n in table.notes)


def test_by_day(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [_daily_export(tmp_path, days=range(1, 4))], [plan_dir])
    table = reporting.reach_table(store, "day")
    assert table.frame["key"].tolist() == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert table.frame.loc[0, "reach"] == sum(200 + 10 * i + 1 for i in range(6))
    assert not table.frame["reach_exact"].any()
    for d in range(1, 4):
        reporting.import_reports(store, [_campaign_export(tmp_path, reach=1000 + d, name=f"c{d}.csv",
                                                          day=f"2026-12-0{d}")], [plan_dir])
    table = reporting.reach_table(store, "day")
    assert table.frame["reach"].tolist() == [1001, 1002, 1003]


def test_an_error_in_one_file_stores_nothing(tmp_path, plan_dir, store_url):
    store = ReportStore()
    good = write_csv(tmp_path / "r.csv", export_rows(period_figures()))
    bad_rows = export_rows(period_figures())
    bad_rows[2][5] = "n/a"
    bad = write_csv(tmp_path / "bad.csv", bad_rows)
    with pytest.raises(InputError, match="bad.csv"):
        reporting.import_reports(store, [good, bad], [plan_dir])
    assert not store.has_results() and store.batches().empty and store.plans().empty


def test_csv_header_and_markdown(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))], [plan_dir])
    for by, key in (("theme", "theme_id"), ("branch", "branch_id"), ("area", "area_code")):
        frame = reporting.to_csv_frame(reporting.reach_table(store, by))
        assert list(frame.columns) == [key, "reach", "impressions", "spend_eur", "cpm_eur", "link_clicks", "ctr"]
    frame = reporting.to_csv_frame(reporting.reach_table(store, "theme")).set_index("theme_id")
    sf = [f for f, a in zip(period_figures(), planned_adsets(), strict=True) if a["theme_id"] == "science-fiction"]
    imp, spend, clicks = (sum(f[k] for f in sf) for k in ("impressions", "spend", "link_clicks"))
    assert frame.loc["science-fiction", "cpm_eur"] == round(spend / imp * 1000, 2)
    assert frame.loc["science-fiction", "ctr"] == round(clicks / imp * 100, 2)
    with pytest.raises(InputError, match="regroupement"):
        reporting.reach_table(store, "age")


def test_outcome_before_during_after(tmp_path, plan_dir, store_url):
    from outreach.sources.activity import read_activity

    store = ReportStore()
    reporting.import_reports(store, [write_csv(tmp_path / "r.csv", export_rows(period_figures()))], [plan_dir])
    lines = ["bibliotheque;mois;inscriptions;prets;entrees"]
    for month in ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03"]:
        bump = 20 if month >= "2027-01" else 0
        lines.append(f"5424;{month};{40 + bump};1800;3000")
        lines.append(f"5429;{month};{30 + bump // 4};1500;2000")  # Bonneveine: not targeted
    (tmp_path / "activite.csv").write_text("\n".join(lines), encoding="utf-8")
    read = read_activity(tmp_path / "activite.csv")
    store.import_activity(read.frame, read.path)
    result = reporting.outcome(store)
    assert (result.start_month, result.end_month) == ("2026-12", "2026-12")
    row = result.frame[(result.frame["branch_id"] == "5424") & (result.frame["metric"] == "registrations")].iloc[0]
    assert row["in_campaign"] and row["avant"] == 40 and row["pendant"] == 40 and row["après"] == 60
    assert row["change_pct"] == pytest.approx(50.0)
    assert result.control["registrations"] == pytest.approx(5 / 30 * 100)
    assert row["branch_name"] == "La Grognarde (Marseille)"  # the branch with its town
    assert any("Cinq Avenues" in n for n in result.notes)  # targeted branch without activity figures


def test_outcome_needs_a_campaign_and_activity(store_url):
    with pytest.raises(InputError, match="aucune campagne"):
        reporting.outcome(ReportStore())


def test_activity_reimport_replaces_months(tmp_path, store_url):
    from outreach.sources.activity import read_activity

    store = ReportStore()
    (tmp_path / "a.csv").write_text("branch_id,month,registrations,loans,visits\n5424,2026-11,40,,\n")
    (tmp_path / "b.csv").write_text("branch_id,month,registrations\n5424,11/2026,41\n5424,décembre 2026,45\n")
    store.import_activity(read_activity(tmp_path / "a.csv").frame, "a.csv")
    _, replaced = store.import_activity(read_activity(tmp_path / "b.csv").frame, "b.csv")
    assert replaced == 1
    act = store.activity()
    assert act["month"].tolist() == ["2026-11", "2026-12"] and act["registrations"].tolist() == [41, 45]
    assert pd.isna(act["loans"]).all()


def test_activity_errors_listed(tmp_path):
    from outreach.errors import InputErrors
    from outreach.sources.activity import read_activity

    (tmp_path / "a.csv").write_text("bibliotheque;mois;inscriptions\n5424;2026-13;4\n5424;2026-11;-2\n"
                                    "5424;2026-10;3\n5424;10/2026;5\n")
    with pytest.raises(InputErrors) as err:
        read_activity(tmp_path / "a.csv")
    text = str(err.value)
    assert "ligne 2" in text and "2026-13" in text and "ligne 3" in text and "déjà une ligne" in text
    # figures a spreadsheet or a script may leave behind: refused with their line, not a crash
    (tmp_path / "c.csv").write_text("bibliotheque;mois;prets\n5424;2026-09;inf\n5424;2026-10;nan\n5424;2026-11;1e400\n")
    with pytest.raises(InputErrors) as err:
        read_activity(tmp_path / "c.csv")
    text = str(err.value)
    assert all(f"ligne {n}, colonne « prets »" in text for n in (2, 3, 4)) and "« inf »" in text
    (tmp_path / "b.csv").write_text("bibliotheque;jour\n5424;2026-11-01\n")
    with pytest.raises(InputError, match="month"):
        read_activity(tmp_path / "b.csv")


def test_batches_record_when_and_what(tmp_path, plan_dir, store_url):
    store = ReportStore()
    reporting.import_reports(store, [_daily_export(tmp_path, days=range(3, 6))], [plan_dir])
    b = store.batches().iloc[0]
    assert b["date_min"] == "2026-12-03" and b["date_max"] == "2026-12-05" and b["rows_read"] == 18
    assert isinstance(b["imported_at"], dt.datetime | pd.Timestamp)


@pytest.mark.parametrize("content, message", [(b"{\"campaign\": ", "JSON invalide \\(valeur attendue\\)"),
                                              (b"[1, 2]", "objet JSON"),
                                              ("{\"campaign\": {\"name\": \"Été\"}}".encode("cp1252"), "UTF-8")])
def test_a_damaged_plan_file_is_named(tmp_path, content, message):
    plan = write_plan_dir(tmp_path / "plan")
    (plan / "meta-api.json").write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        reporting.read_plan_dir(plan)
    assert "meta-api.json" in str(err.value) and "outreach plan" in str(err.value)
