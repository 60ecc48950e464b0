"""Readers give frames (one column per model field); models are built from them only on demand."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.model import Area, Branch
from outreach.sources.areas import AREA_COLUMNS, area_frame, areas_of, read_areas
from outreach.sources.branches import BRANCH_COLUMNS, BRANCH_DEFAULTS, branch_frame, read_ministry_csv
from outreach.sources.tabular import parse_float, parse_floats
from tests.support import DATA


def test_frame_columns_are_the_model_fields():
    assert list(Branch.model_fields) == BRANCH_COLUMNS
    assert list(Area.model_fields) == AREA_COLUMNS
    assert {n: f.default for n, f in Branch.model_fields.items()
                               if isinstance(f.default, (str, bool))} == BRANCH_DEFAULTS


def test_models_from_the_national_frames_equal_models_read_one_by_one():
    ministry = read_ministry_csv(DATA / "national" / "bibliotheques.csv.gz")
    by_row = ministry.frame.to_dict("records")
    for i in (0, 1234, len(by_row) - 1):
        row = {k: (None if k == "surface_m2" and v != v else v) for k, v in by_row[i].items()}
        assert ministry.branches[i] == Branch(**row)
    communes = read_areas(DATA / "national" / "communes.csv.gz")
    area = communes.areas[0]
    assert area.code == "01001" and area.population == 860 and area.postcodes == ("01400",)
    assert area_frame(communes.areas[:50]).equals(area_frame(areas_of(communes.frame.iloc[:50])))


def test_model_lists_and_frames_round_trip():
    shipped = read_areas(DATA / "areas.geojson").areas
    assert areas_of(area_frame(shipped)) == shipped
    branches = [Branch(id="a", name="A", lat=43.3, lon=5.4, surface_m2=None), {"id": "b", "name": "B", "lat": 43.2,
                                                                               "lon": 5.3}]
    frame = branch_frame(branches)
    assert bool(frame.loc[1, "open_to_public"]) is True
    assert frame.loc[1, "city"] == "" and pd.isna(frame.loc[1, "surface_m2"])


@pytest.mark.parametrize("values", [["43.29", "", "-1e3", "nan", "inf"],
                                    ["43,29", "1 234,5", "1,234.5", "abc", "", "12"]])
def test_parse_floats_is_parse_float_over_a_column(values):
    expected = [parse_float(v) for v in values]
    got = parse_floats(pd.Series(values, dtype=str))
    assert [None if g != g else g for g in got.tolist()] == expected


def test_large_files_parsed_by_pyarrow_read_as_pandas_reads_them(tmp_path):
    from outreach.sources import tabular

    header = "code;nom;lat;lon\n"
    rows = "".join(f"{i:05d};Commune {i};43,{i:04d};5.1\n" for i in range(60_000))
    plain = tmp_path / "zones.csv"
    plain.write_text(header + rows, encoding="utf-8")
    assert len(rows) > tabular.LARGE
    fast = tabular.read_table(plain).frame
    quoted = tmp_path / "quoted.csv"  # a quote after a blank: only pandas' parser reads it as a quote
    quoted.write_text(header + '99999; "Saint-Louis; le Haut";43.1;5.1\n' + rows, encoding="utf-8")
    slow = tabular.read_table(quoted).frame
    assert slow.loc[0, "nom"] == "Saint-Louis; le Haut"
    assert slow.iloc[1:].reset_index(drop=True).equals(fast)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=' \t"\n\r;,ab', max_size=24), separator=st.sampled_from([";", ",", "\t", " "]))
def test_a_blank_before_a_quote_is_found_as_the_pattern_finds_it(text, separator):
    from outreach.sources.tabular import blank_before_quote

    pattern = f'(^|{re.escape(separator)})[ \t]+"'
    assert blank_before_quote(text, separator) == bool(re.search(pattern, text, re.MULTILINE))


def test_an_unclosed_quote_is_named_in_french_with_its_line():
    from outreach.errors import InputError
    from outreach.sources.tabular import read_table

    with pytest.raises(InputError) as refused:
        read_table("export.csv", data=b'titre;auteur\nA;B\n"C;D\nE;F\n')
    assert "guillemet ouvert ligne 3 et jamais refermé" in str(refused.value)
    assert "EOF" not in str(refused.value) and "tokenizing" not in str(refused.value)
