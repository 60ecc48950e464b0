import csv
import io
import re

import pytest

from outreach.cli import main
from tests.support import reporting_fixtures
from tests.support.graph_server import TOKEN
from tests.support.reporting_fixtures import (
    CAMPAIGN,
    CAMPAIGN_ID,
    export_rows,
    period_figures,
    planned_adsets,
    simulated_meta,
    write_csv,
    write_plan_dir,
)

store_url = reporting_fixtures.store_url  # fixture


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def imported(tmp_path, store_url, capsys):
    plan = write_plan_dir(tmp_path / "plan")
    report = write_csv(tmp_path / "rapport.csv", export_rows(period_figures()))
    assert main(["report", "import", str(report), "--plan", str(plan)]) == 0
    out = capsys.readouterr().out
    assert "6 ligne(s) importée(s)" in out
    return tmp_path


@pytest.mark.parametrize("by, key", [("theme", "theme_id"), ("branch", "branch_id"), ("area", "area_code")])
def test_reach_csv_header_and_rows(imported, capsys, by, key):
    assert main(["report", "reach", "--by", by]) == 0
    captured = capsys.readouterr()
    header = captured.out.splitlines()[0]
    assert header == f"{key},reach,impressions,spend_eur,cpm_eur,link_clicks,ctr"
    rows = _csv(captured.out)
    assert sum(int(r["impressions"]) for r in rows) == pytest.approx(sum(f["impressions"] for f in period_figures()),
                                                                     abs=len(rows))
    assert "Note :" in captured.err  # what the reach figures are (upper bound, estimate) is said


def test_reach_by_theme_values(imported, capsys):
    main(["report", "reach", "--by", "theme"])
    rows = {r["theme_id"]: r for r in _csv(capsys.readouterr().out)}
    manga = [f for f, a in zip(period_figures(), planned_adsets(), strict=True) if a["theme_id"] == "manga"]
    assert int(rows["manga"]["reach"]) == sum(f["reach"] for f in manga)
    assert float(rows["manga"]["spend_eur"]) == pytest.approx(sum(f["spend"] for f in manga))
    assert int(rows["manga"]["link_clicks"]) == sum(f["link_clicks"] for f in manga)


def test_reach_markdown_to_file(imported, capsys):
    out = imported / "theme.md"
    assert main(["report", "reach", "--by", "branch", "--format", "md", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("| Bibliothèque | Couverture |") and "La Grognarde (Marseille) (5424)" in text and "**Total**" in text


def test_import_same_file_twice(imported, capsys):
    assert main(["report", "import", str(imported / "rapport.csv")]) == 0
    assert "déjà importé" in capsys.readouterr().out
    main(["report", "reach", "--by", "theme"])
    rows = _csv(capsys.readouterr().out)
    assert sum(int(r["impressions"]) for r in rows) == sum(f["impressions"] for f in period_figures())


def test_bad_file_exits_2_and_writes_nothing(tmp_path, store_url, capsys):
    rows = export_rows(period_figures())
    rows[3][4] = "douze"
    bad = write_csv(tmp_path / "mauvais.csv", rows)
    good = write_csv(tmp_path / "bon.csv", export_rows(period_figures()))
    assert main(["report", "import", str(good), str(bad), "--plan", str(write_plan_dir(tmp_path / "plan"))]) == 2
    err = capsys.readouterr().err
    assert "mauvais.csv" in err and "ligne 4" in err and "Couverture" in err and "Traceback" not in err
    assert not (tmp_path / "results.sqlite").exists()


def test_unknown_columns_and_unmatched_rows_said(tmp_path, store_url, capsys):
    rows = export_rows(period_figures())
    rows[0] = [*rows[0], "Remarques"]
    rows[1:] = [[*r, "-"] for r in rows[1:]]
    rows[1][3] = "Ensemble inconnu"
    main(["report", "import", str(write_csv(tmp_path / "r.csv", rows)), "--plan",
          str(write_plan_dir(tmp_path / "plan"))])
    captured = capsys.readouterr()
    assert "Remarques" in captured.err
    assert "1 ligne(s) ne correspondent à aucun plan (« Ensemble inconnu »)" in captured.out
    main(["report", "reach", "--by", "theme"])
    assert "(non rattaché)" in capsys.readouterr().out


def test_activity_outcome_html_and_batches(imported, capsys):
    act = imported / "activite.csv"
    act.write_text("bibliotheque;mois;inscriptions;prets;entrees\n"
                   + "".join(f"5424;{m};{40 + (10 if m > '2026-12' else 0)};1800;3000\n"
                             for m in ("2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03")),
                   encoding="utf-8")
    assert main(["report", "activity", str(act)]) == 0
    assert "7 ligne(s) d'activité" in capsys.readouterr().out
    assert main(["report", "outcome"]) == 0
    rows = [r for r in _csv(capsys.readouterr().out) if r["metric"] == "registrations"]
    assert rows[0]["branch_id"] == "5424" and float(rows[0]["change_pct"]) == pytest.approx(25.0)
    assert main(["report", "outcome", "--format", "md"]) == 0
    assert "+25,0 %" in capsys.readouterr().out
    html = imported / "rapport.html"
    assert main(["report", "html", "--out", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "<h1>Bilan de campagne</h1>" in page and CAMPAIGN in page and "<svg" in page
    assert "La Grognarde" in page and "+25,0 %" in page and "<script" not in page
    assert main(["report", "batches"]) == 0
    assert _csv(capsys.readouterr().out)[0]["source"].endswith("rapport.csv")


def test_unknown_campaign_name(imported, capsys):
    assert main(["report", "reach", "--by", "theme", "--campaign-name", "Autre"]) == 2
    assert "campagne « Autre » inconnue" in capsys.readouterr().err


def test_insights_command_end_to_end(tmp_path, store_url, capsys, monkeypatch):
    with simulated_meta(monkeypatch, "act_42") as server:
        code = main(["report", "insights", "--account", "act_42", "--since", "2026-12-01", "--until", "2026-12-21",
                     "--plan", str(write_plan_dir(tmp_path / "plan"))])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert TOKEN not in captured.out + captured.err
        assert len(re.findall(r"ligne\(s\) importée\(s\)", captured.out)) == 3
        main(["report", "reach", "--by", "branch", "--format", "md"])
        md = capsys.readouterr().out
        total = server.true_reach(campaign_id=CAMPAIGN_ID)
        assert f"| **Total** | {total:,} |".replace(",", "\u202f") in md


def test_results_of_a_plan_written_by_outreach_plan(tmp_path, store_url, capsys, monkeypatch):
    """The contract with `outreach plan`: its real output on the example campaign links every row."""
    from tests.support import ROOT
    from tests.support.compliance_helpers import NETWORK_YAML, attested_copy

    # the example as a network would export it: settings complete, checklist attested (see compliance)
    (tmp_path / "network.yaml").write_text(NETWORK_YAML, encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    campaign_file = attested_copy(ROOT / "campaigns/exemple-sf-bouches-du-rhone.yaml", tmp_path / "campaigns")
    plan_dir = tmp_path / "plan"
    assert main(["plan", str(campaign_file), "--out", str(plan_dir)]) == 0
    capsys.readouterr()
    planned = list(csv.DictReader((plan_dir / "plan.csv").open(encoding="utf-8")))
    assert planned, "the example campaign plans at least one ad set"
    figures = [{"adset_name": p["adset_name"], "reach": 1000 + 100 * i, "impressions": 2500 + 100 * i,
                "spend": 40.0 + i, "link_clicks": 10 + i} for i, p in enumerate(planned)]
    campaign = __import__("json").loads((plan_dir / "meta-api.json").read_text(encoding="utf-8"))["campaign"]["name"]
    report = write_csv(tmp_path / "export.csv", export_rows(figures, campaign=campaign, start="2027-03-01",
                                                            end="2027-03-31"))
    assert main(["report", "import", str(report), "--plan", str(plan_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{len(planned)} ligne(s) importée(s)" in out and "aucun plan" not in out
    main(["report", "reach", "--by", "branch"])
    rows = _csv(capsys.readouterr().out)
    assert {r["branch_id"] for r in rows} == {p["branch_id"] for p in planned}
    main(["report", "reach", "--by", "area"])
    areas = {r["area_code"] for r in _csv(capsys.readouterr().out)}
    assert areas == {code for p in planned for code in p["areas"].split()}
    main(["report", "reach", "--by", "theme"])
    [theme] = _csv(capsys.readouterr().out)
    assert theme["theme_id"] == "science-fiction" and int(theme["impressions"]) == sum(f["impressions"] for f in figures)


def test_reach_on_an_empty_database_says_so(store_url, capsys):
    assert main(["report", "reach", "--by", "theme"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "theme_id,reach,impressions,spend_eur,cpm_eur,link_clicks,ctr\n"
    assert "Aucun résultat importé" in captured.err
    assert main(["report", "html", "--out", "x.html"]) == 2
