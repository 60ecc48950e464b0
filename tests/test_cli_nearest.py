import csv
import io
import json

import pytest

from outreach.cli import main
from tests.support import DATA


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_uses_the_shipped_data(capsys):
    code, out, err = run(capsys, "nearest")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == ["area_code", "area_name", "branch_id", "branch_name", "distance_km"]
    assert len(rows) == 1 + 154
    assert all(len(r[4].split(".")[1]) == 3 for r in rows[1:])
    aix = next(r for r in rows if r[0] == "13001")
    assert aix[1] == "Aix-en-Provence" and aix[3].startswith("Bibliothèque Méjanes")
    assert "Réserve centrale" in err  # the closed site is named, not silently dropped


def test_departement_keeps_one_side_and_reads_national_lists(capsys, tmp_path):
    out_file = tmp_path / "ain.csv"
    code, out, _ = run(capsys, "nearest", "--departement", "01", "--out", str(out_file))
    assert code == 0 and out == ""
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert len(rows) > 390 and all(r["area_code"].startswith("01") for r in rows)


def test_departement_on_shipped_data(capsys):
    code, out, _ = run(capsys, "nearest", "--departement", "75")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 20
    # the town hall of the 1st arrondissement is nearer to Charlotte Delbo, over the border in the 2nd
    first = next(r for r in rows if r["area_code"] == "75101")
    assert first["branch_id"] == "10222" and float(first["distance_km"]) < 1


def test_files_in_both_formats(capsys, tmp_path):
    areas = tmp_path / "zones.csv"
    areas.write_text("code,name,lat,lon,population\n13005,Aubagne,43.2927,5.5708,47000\n", encoding="utf-8")
    code, out, _ = run(capsys, "nearest", "--branches", str(DATA / "branches.geojson"), "--areas", str(areas))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["area_name"] == "Aubagne" and float(rows[0]["distance_km"]) < 2


def test_bad_input_exits_2_and_writes_nothing(capsys, tmp_path):
    bad = tmp_path / "bibs.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "1", "name": "X"},
         "geometry": {"type": "Point", "coordinates": [43.3, 5.4]}}]}), encoding="utf-8")
    out_file = tmp_path / "out.csv"
    code, out, err = run(capsys, "nearest", "--branches", str(bad), "--out", str(out_file))
    assert code == 2 and out == ""
    assert "bibs.geojson" in err and "inversées" in err
    assert not out_file.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_unknown_departement(capsys):
    code, _, err = run(capsys, "nearest", "--departement", "99")
    assert code == 2 and "99" in err


@pytest.mark.parametrize("argv", [["--help"], ["nearest", "--help"]])
def test_help_is_in_french(capsys, argv):
    with pytest.raises(SystemExit):
        main(argv)
    assert "bibliothèque" in capsys.readouterr().out


def _collection(*features, **members) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members})


def _library(id_, coordinates, geometry_type="Point"):
    geometry = None if coordinates is None else {"type": geometry_type, "coordinates": coordinates}
    return {"type": "Feature", "properties": {"id": id_, "name": f"Bibliothèque {id_}"}, "geometry": geometry}


# Every bad input of the foundation issue, and the malformed structures a hand-edited file can have:
# (option, file name, content, what the message must name)
BAD_INPUTS = {
    "swapped": ("--branches", "bibs.geojson", _collection(_library("1", [43.3, 5.4])), "objet n°1 (id = 1)"),
    "lambert93": ("--branches", "bibs.geojson", _collection(_library("1", [892390.0, 6247330.0])), "objet n°1"),
    "no geometry": ("--branches", "bibs.geojson", _collection(_library("1", None)), "objet n°1 (id = 1)"),
    "duplicate ids": ("--branches", "bibs.geojson",
                      _collection(_library("7", [5.37, 43.29]), _library("7", [5.38, 43.30])), "objet n°2 (id = 7)"),
    "empty": ("--areas", "zones.csv", "", "zones.csv"),
    "missing column": ("--areas", "zones.csv", "code,name,lat\n13005,Aubagne,43.29\n", "ligne 1"),
    "unreadable coordinates": ("--branches", "bibs.csv", "id,name,lat,lon\n1,A,43.3x,5.4\n", "ligne 2 : coordonnées illisibles"),
    "feature not an object": ("--branches", "bibs.geojson", _collection("Alcazar"), "objet n°1"),
    "geometry not an object": ("--areas", "zones.geojson",
                               _collection({"type": "Feature", "properties": {"code": "1"}, "geometry": [5.4, 43.3]}),
                               "objet n°1"),
    "properties not an object": ("--branches", "bibs.geojson",
                                 _collection({"type": "Feature", "properties": ["1"], "geometry": None}), "objet n°1"),
    "features not a list": ("--areas", "zones.geojson", '{"type": "FeatureCollection", "features": {"a": 1}}',
                            "features"),
    "crs as text": ("--branches", "bibs.geojson", _collection(_library("1", [5.4, 43.3]), crs="EPSG:2154"),
                    "EPSG:2154"),
    "unknown geometry type": ("--areas", "zones.geojson", _collection(
        {"type": "Feature", "properties": {"code": "13005"},
         "geometry": {"type": "Polygone", "coordinates": [[[5.5, 43.2], [5.6, 43.2], [5.6, 43.3], [5.5, 43.2]]]}}),
        "objet n°1 (code = 13005)"),
    "population too large": ("--areas", "zones.csv", "code,name,lat,lon,population\n13005,Aubagne,43.29,5.57,1e400\n",
                             "ligne 2"),
    "extra fields on a row": ("--areas", "zones.csv",
                              "code,name,lat,lon\n13005,Aubagne,43.29,5.57,13,Aubagne\n", "ligne 2 : 6 champs"),
    "not gzip": ("--areas", "zones.csv.gz", "code,name,lat,lon\n13005,Aubagne,43.29,5.57\n", "zones.csv.gz"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_every_bad_input_names_file_and_place_exits_2_and_writes_nothing(capsys, tmp_path, case):
    option, name, content, place = BAD_INPUTS[case]
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    out_file = tmp_path / "out.csv"
    out_file.write_text("previous result\n", encoding="utf-8")
    code, out, err = run(capsys, "nearest", option, str(bad), "--out", str(out_file))
    assert code == 2 and out == "", err
    assert err.startswith("Erreur : ") and "Traceback" not in err
    assert name in err and place in err, err
    # a fix follows what is wrong: every message ends with an instruction, not just a diagnosis
    assert any(verb in err for verb in ("Ajoutez", "Inversez", "reprojetez", "Placez", "Choisissez", "Corrigez",
                                        "Renseignez", "Supprimez", "Chaque", "Exportez", "Réparez", "Écrivez",
                                        "Vérifiez", "Compressez")), err
    assert out_file.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "out.csv"])
