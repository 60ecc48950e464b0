import datetime as dt

import pytest

from outreach.errors import InputError, InputErrors
from outreach.sources.ads_reports import read_ads_report
from tests.support import DATA
from tests.support.readers import ReaderContract
from tests.support.reporting_fixtures import (
    CAMPAIGN,
    EN_HEADER,
    FR_HEADER,
    export_rows,
    period_figures,
    write_csv,
    write_xlsx,
)


def test_french_export_with_french_numbers(tmp_path):
    figures = period_figures()
    path = write_csv(tmp_path / "rapport.csv", export_rows(figures, french=True))
    rows = read_ads_report(path)
    f = rows.frame
    assert len(f) == 6 and rows.level == "adset" and not rows.daily and rows.currency == "EUR"
    assert f["reach"].tolist() == [x["reach"] for x in figures]
    assert f["impressions"].tolist() == [x["impressions"] for x in figures]
    assert f["spend"].round(2).tolist() == [x["spend"] for x in figures]
    assert f["link_clicks"].tolist() == [x["link_clicks"] for x in figures]
    assert set(f["date_start"]) == {"2026-12-01"} and set(f["date_stop"]) == {"2026-12-21"}
    assert set(f["campaign_name"]) == {CAMPAIGN}
    assert rows.unknown_columns == []  # Répétition and CTR are known: recomputed, not stored


def test_thousands_with_spaces_and_decimal_comma(tmp_path):
    rows = [FR_HEADER, ["01/12/2026", "21/12/2026", "C", "A", "12 345", "1 234 567", "100,01", "1 234,56", "3 210",
                        "0,26 %"]]
    f = read_ads_report(write_csv(tmp_path / "r.csv", rows)).frame
    assert f.loc[0, "reach"] == 12345 and f.loc[0, "impressions"] == 1234567
    assert f.loc[0, "spend"] == pytest.approx(1234.56) and f.loc[0, "link_clicks"] == 3210
    assert f.loc[0, "date_start"] == "2026-12-01" and f.loc[0, "date_stop"] == "2026-12-21"


def test_english_export_with_thousands_commas(tmp_path):
    figures = period_figures()
    path = write_csv(tmp_path / "report.csv", export_rows(figures, french=False), separator=",", encoding="utf-8")
    f = read_ads_report(path).frame
    assert f["reach"].tolist() == [x["reach"] for x in figures]  # "4,000" is four thousand, not four
    assert f["spend"].round(2).tolist() == [x["spend"] for x in figures]


def test_utf16_tab_separated_export(tmp_path):
    path = write_csv(tmp_path / "r.csv", export_rows(period_figures(), french=False), separator="\t",
                     encoding="utf-16")
    assert len(read_ads_report(path).frame) == 6


def test_daily_rows_with_a_day_column(tmp_path):
    header = ["Jour", "Nom de l'ensemble de publicités", "Couverture", "Impressions", "Montant dépensé (EUR)",
              "Clics sur un lien"]
    body = [[f"2026-12-0{d}", "A", "100", "150", "1,50", "2"] for d in range(1, 4)]
    rows = read_ads_report(write_csv(tmp_path / "d.csv", [header, *body]))
    assert rows.daily and rows.frame["date_start"].tolist() == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert (rows.frame["date_start"] == rows.frame["date_stop"]).all()


def test_summary_row_is_dropped_and_said(tmp_path):
    rows = export_rows(period_figures())
    total = ["2026-12-01", "2026-12-21", "", "", "46 500", "111 900", "", "650,25", "375", ""]
    path = write_csv(tmp_path / "r.csv", [rows[0], total, *rows[1:]])
    read = read_ads_report(path)
    assert len(read.frame) == 6 and read.dropped_total_rows == 1
    assert any("ligne(s) 2" in n and "total" in n for n in read.notes)


def test_unknown_columns_listed_by_name(tmp_path):
    rows = export_rows(period_figures())
    rows[0] = [*rows[0], "Mon commentaire", "Objectif interne"]
    rows[1:] = [[*r, "x", "y"] for r in rows[1:]]
    read = read_ads_report(write_csv(tmp_path / "r.csv", rows))
    assert read.unknown_columns == ["Mon commentaire", "Objectif interne"]
    assert "Mon commentaire, Objectif interne" in read.notes[0]


def test_xlsx_with_title_row_and_typed_cells(tmp_path):
    figures = period_figures()
    rows = [EN_HEADER] + [[dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 21), CAMPAIGN, f["adset_name"],
                           f["reach"], f["impressions"], f["impressions"] / f["reach"], f["spend"],
                           f["link_clicks"], None] for f in figures]
    read = read_ads_report(write_xlsx(tmp_path / "r.xlsx", rows, title="Rapport Médiathèques"))
    assert read.frame["reach"].tolist() == [f["reach"] for f in figures]
    assert read.frame["spend"].round(2).tolist() == [f["spend"] for f in figures]
    assert set(read.frame["date_start"]) == {"2026-12-01"}


def test_xlsx_with_french_text_numbers(tmp_path):
    read = read_ads_report(write_xlsx(tmp_path / "r.xlsx", export_rows(period_figures(), french=True)))
    assert read.frame["reach"].tolist() == [f["reach"] for f in period_figures()]


def test_uploaded_bytes(tmp_path):
    path = write_csv(tmp_path / "r.csv", export_rows(period_figures()))
    read = read_ads_report("envoi.csv", data=path.read_bytes(), name="envoi.csv")
    assert read.source == "envoi.csv" and len(read.frame) == 6


def test_mixed_currencies_refused(tmp_path):
    rows = export_rows(period_figures(), french=False)
    rows[0] = [*rows[0], "Amount spent (USD)"]
    rows[1:] = [[*r, "1.00"] for r in rows[1:]]
    with pytest.raises(InputError, match="plusieurs devises.*EUR.*USD"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows, separator=","))


def test_mixed_currency_column_refused(tmp_path):
    rows = export_rows(period_figures(), french=True)
    rows[0] = [*rows[0], "Devise"]
    rows[1:] = [[*r, "EUR" if i else "GBP"] for i, r in enumerate(rows[1:])]
    with pytest.raises(InputError, match="plusieurs devises") as err:
        read_ads_report(write_csv(tmp_path / "r.csv", rows))
    assert "ligne 2" in str(err.value)


def test_other_currency_refused(tmp_path):
    rows = export_rows(period_figures(), french=False)
    rows[0] = [h.replace("(EUR)", "(USD)") for h in rows[0]]
    with pytest.raises(InputError, match="USD"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows, separator=","))


def test_missing_columns_named_with_the_unknown_ones(tmp_path):
    rows = [["Nom de l'ensemble de publicités", "Personnes touchées", "Impressions", "Montant dépensé (EUR)", "Jour"],
            ["A", "10", "20", "1,00", "2026-12-01"]]
    with pytest.raises(InputError) as err:
        read_ads_report(write_csv(tmp_path / "r.csv", rows))
    text = str(err.value)
    assert "Couverture (Reach)" in text and "Personnes touchées" in text and "r.csv" in text


def test_ad_level_export_refused(tmp_path):
    rows = export_rows(period_figures())
    rows[0] = [*rows[0], "Nom de la publicité"]
    rows[1:] = [[*r, "Visuel 1"] for r in rows[1:]]
    with pytest.raises(InputError, match="niveau des publicités"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows))


def test_bad_numbers_reported_with_row_and_column(tmp_path):
    rows = export_rows(period_figures())
    rows[3][4] = "beaucoup"
    rows[5][7] = "-3,00"
    with pytest.raises(InputErrors) as err:
        read_ads_report(write_csv(tmp_path / "r.csv", rows))
    text = str(err.value)
    assert "ligne 4, colonne « Couverture »" in text and "beaucoup" in text
    assert "ligne 6, colonne « Montant dépensé (EUR) »" in text and "négative" in text


def test_rows_keep_their_file_line_numbers_after_a_total_row(tmp_path):
    """Ads Manager's summary row comes first: errors below it still name the line of the file."""
    rows = export_rows(period_figures())
    total = ["2026-12-01", "2026-12-21", "", "", "46 500", "111 900", "", "650,25", "375", ""]
    rows = [rows[0], total, *rows[1:]]
    rows[4][4] = "beaucoup"  # line 5 of the file
    rows[6][1] = "demain"  # line 7
    with pytest.raises(InputErrors) as err:
        read_ads_report(write_csv(tmp_path / "r.csv", rows))
    text = str(err.value)
    assert "ligne 5, colonne « Couverture »" in text and "ligne 7, colonne « Fin des rapports »" in text
    rows[4][4], rows[6][1] = rows[3][4], rows[3][1]
    rows.append(list(rows[2]))  # line 9 repeats line 3
    with pytest.raises(InputError, match="lignes 3, 9"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows))


def test_xlsx_errors_name_the_row_of_the_sheet(tmp_path):
    rows = export_rows(period_figures(), french=True)
    rows[3][4] = "beaucoup"  # a title row above the header: row 5 of the sheet
    with pytest.raises(InputErrors, match="ligne 5, colonne « Couverture »"):
        read_ads_report(write_xlsx(tmp_path / "r.xlsx", rows, title="Rapport Médiathèques"))


def test_infinite_or_nan_figures_refused_with_their_line(tmp_path):
    rows = export_rows(period_figures())
    rows[2][4] = "inf"
    rows[3][7] = "NaN"
    rows[4][5] = "1e400"
    with pytest.raises(InputErrors) as err:
        read_ads_report(write_csv(tmp_path / "r.csv", rows))
    text = str(err.value)
    assert "ligne 3, colonne « Couverture »" in text and "ligne 4, colonne « Montant dépensé (EUR) »" in text
    assert "ligne 5, colonne « Impressions »" in text


def test_bad_date_reported(tmp_path):
    rows = export_rows(period_figures())
    rows[2][0] = "le 1er décembre"
    with pytest.raises(InputErrors, match="ligne 3, colonne « Début des rapports »"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows))


def test_duplicate_rows_refused(tmp_path):
    rows = export_rows(period_figures())
    rows.append(list(rows[1]))
    with pytest.raises(InputError, match="lignes 2, 8"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows))


def test_reach_above_impressions_means_swapped_columns(tmp_path):
    rows = export_rows(period_figures())
    rows[1][4], rows[1][5] = rows[1][5], rows[1][4]
    with pytest.raises(InputError, match="inversées"):
        read_ads_report(write_csv(tmp_path / "r.csv", rows))


def test_empty_and_header_only_files(tmp_path):
    (tmp_path / "vide.csv").write_text("")
    with pytest.raises(InputError, match="vide"):
        read_ads_report(tmp_path / "vide.csv")
    rows = export_rows(period_figures())[:1]
    with pytest.raises(InputError):
        read_ads_report(write_csv(tmp_path / "h.csv", rows))


def test_campaign_level_export(tmp_path):
    rows = [["Début des rapports", "Fin des rapports", "Nom de la campagne", "Couverture", "Impressions",
             "Montant dépensé (EUR)"], ["2026-12-01", "2026-12-21", CAMPAIGN, "31 000", "111 900", "650,25"]]
    read = read_ads_report(write_csv(tmp_path / "c.csv", rows))
    assert read.level == "campaign" and read.frame.loc[0, "reach"] == 31000


def test_windows_1252_export(tmp_path):
    rows = [[c.replace("\u202f", " ") for c in r] for r in export_rows(period_figures(), french=True)]
    rows = [[c.replace("—", "-") for c in r] for r in rows]  # no em dash in Windows-1252's French files
    read = read_ads_report(write_csv(tmp_path / "r.csv", rows, encoding="cp1252"))
    assert read.frame["reach"].tolist() == [f["reach"] for f in period_figures()]
    assert read.frame["adset_name"].iloc[0].startswith("La Grognarde")


def test_ragged_csv_refused(tmp_path):
    (tmp_path / "r.csv").write_text("Jour;Nom de l'ensemble de publicités;Couverture;Impressions;Montant dépensé (EUR)\n"
                                    "2026-12-01;A;1;2;3\n2026-12-02;B;1;2;3;4;5\n", encoding="utf-8")
    with pytest.raises(InputError, match="même nombre de colonnes") as refused:
        read_ads_report(tmp_path / "r.csv")
    # French only, with the line to fix: Arrow's English text stays out of the message
    assert "ligne 3 : 7 colonne(s) au lieu de 5" in str(refused.value)
    assert "Expected" not in str(refused.value) and "parse" not in str(refused.value)


class TestReaderContract(ReaderContract):
    reader = staticmethod(read_ads_report)
    sample = DATA / "samples" / "resultats-demo" / "ensembles-par-jour.csv"
    attribute = "frame"
