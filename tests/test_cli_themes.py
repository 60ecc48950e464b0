"""`outreach themes list` and `outreach themes match`: CSV out, exit 2 and nothing written on bad input."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import yaml

from outreach.cli import main
from tests.support import DATA, FIXTURES

MRC = DATA / "samples" / "roubaix-unimarc-sample-2383.mrc"
AGENDA = DATA / "samples" / "agenda-demo.json"
LABELS = DATA / "samples" / "roubaix-koha-authorised-values.csv"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_list():
    code, out, err = run("themes", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) >= 20 and lines[0].startswith("science-fiction")
    assert any(line.startswith("lsf") and "sensibilité" in line for line in lines)
    code, out, _ = run("themes", "list", "--csv")
    frame = pd.read_csv(io.StringIO(out))
    assert {"id", "libellé", "sensibilité", "intérêts_meta"} <= set(frame.columns) and len(frame) >= 20


def test_match_catalogue_and_agenda(tmp_path):
    out_file = tmp_path / "matches.csv"
    code, out, err = run("themes", "match", "--catalogue", str(MRC), "--events", str(AGENDA),
                         "--collections", str(LABELS), "--out", str(out_file))
    assert code == 0 and out == ""
    text = out_file.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "item_id,theme_id,score,reason"
    frame = pd.read_csv(out_file, dtype=str)
    sf = set(frame.loc[frame.theme_id == "science-fiction", "item_id"])
    assert {"11596", "154372", "171356", "200229", "240131", "262929", "295661"} <= sf
    events = frame[frame.item_id.str.startswith("event:")]
    assert "event:49323618" in set(events.loc[events.theme_id == "jeux-video", "item_id"])  # Play Paris 13
    assert (frame.score.astype(float).between(0.5, 1.0)).all()
    assert "2383 notice(s) lue(s) (UNIMARC)" in err


def test_match_csv_to_stdout(tmp_path):
    catalogue = tmp_path / "export.csv"
    catalogue.write_text("id;titre;sujets\n1;Mes recettes;Cuisine\n2;Rapport annuel;\n", encoding="cp1252")
    code, out, _ = run("themes", "match", "--catalogue", str(catalogue))
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), dtype=str)
    assert list(frame.columns) == ["item_id", "theme_id", "score", "reason"]
    assert frame.item_id.tolist() == ["1"] and frame.theme_id.tolist() == ["cuisine"]


def test_a_csv_without_title_writes_nothing(tmp_path):
    catalogue = tmp_path / "export.csv"
    catalogue.write_text("id,auteur\n1,X\n", encoding="utf-8")
    out_file = tmp_path / "matches.csv"
    code, out, err = run("themes", "match", "--catalogue", str(catalogue), "--out", str(out_file))
    assert code == 2 and "title" in err and "export.csv" in err
    assert not out_file.exists()


def test_a_bad_themes_file_writes_nothing(tmp_path):
    themes = tmp_path / "themes.yaml"
    entry = {"id": "manga", "label": "Manga", "keywords": ["manga"]}
    themes.write_text(yaml.safe_dump({"themes": [entry, entry]}), encoding="utf-8")
    out_file = tmp_path / "matches.csv"
    code, _, err = run("themes", "match", "--catalogue", str(MRC), "--themes", str(themes), "--out", str(out_file))
    assert code == 2 and "double" in err and not out_file.exists()
    themes.write_text(yaml.safe_dump({"themes": [{**entry, "sensitivity": "secret"}]}), encoding="utf-8")
    code, _, err = run("themes", "list", "--themes", str(themes))
    assert code == 2 and "sensibilité inconnue" in err


def test_an_unreadable_agenda_writes_nothing(tmp_path):
    bad = tmp_path / "agenda.json"
    bad.write_text("{ pas du json", encoding="utf-8")
    out_file = tmp_path / "matches.csv"
    code, _, err = run("themes", "match", "--catalogue", str(MRC), "--events", str(bad), "--out", str(out_file))
    assert code == 2 and "JSON invalide (nom de clé entre guillemets droits attendu)" in err
    assert "Expecting" not in err and not out_file.exists()


def test_old_openagenda_shape_through_the_cli(tmp_path):
    catalogue = tmp_path / "c.csv"
    catalogue.write_text("id,title\n1,Rien\n", encoding="utf-8")
    code, out, err = run("themes", "match", "--catalogue", str(catalogue), "--events",
                         str(FIXTURES / "openagenda-evenements-a-paris-2018-extract.json"))
    assert code == 0 and "event:" in out


def test_min_score(tmp_path):
    catalogue = tmp_path / "c.csv"
    catalogue.write_text("id,title,summary\n1,Un roman,Un manga culte adapté en roman.\n2,One piece,\n",
                         encoding="utf-8")
    code, out, _ = run("themes", "match", "--catalogue", str(catalogue))
    assert code == 0 and "1,manga,0.500" in out
    code, out, _ = run("themes", "match", "--catalogue", str(catalogue), "--min-score", "0.6")
    assert code == 0 and "1,manga" not in out
    code, _, err = run("themes", "match", "--catalogue", str(catalogue), "--min-score", "2")
    assert code == 2 and "entre 0.5 et 1" in err


def test_events_placed_on_the_user_s_branches(tmp_path):
    branches = tmp_path / "reseau.csv"
    branches.write_text("id,name,lat,lon\nMB1,Médiathèque du Port,43.2965,5.3698\n", encoding="utf-8")
    ics = tmp_path / "agenda.ics"
    ics.write_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//FR\nBEGIN:VEVENT\nUID:e1\nSUMMARY:Atelier manga\n"
                   "DTSTART:20261212T130000Z\nLOCATION:Médiathèque du Port\nEND:VEVENT\nEND:VCALENDAR\n",
                   encoding="utf-8")
    catalogue = tmp_path / "c.csv"
    catalogue.write_text("id,title\n1,Rien\n", encoding="utf-8")
    code, out, err = run("themes", "match", "--catalogue", str(catalogue), "--events", str(ics),
                         "--branches", str(branches))
    assert code == 0 and "event:e1,manga" in out and "sans bibliothèque" not in err


LOCAL_CODES = """Titre;Auteur;Cote;Prêts
La nuit du carrefour;Simenon, Georges;RNOIR SIM;12
Le chien jaune;Simenon, Georges;RNOIR SIM;8
Maigret tend un piège;Simenon, Georges;RNOIR SIM;4
Le ventre de l'Atlantique;Diome, Fatou;R DIO;3
"""


def test_match_warns_on_stderr_when_few_records_carry_a_clue(tmp_path, monkeypatch):
    """A plain export whose local shelf code is unknown: a French warning says to map it; once mapped in
    the network's shelf map, the crime novels are found and the warning goes."""
    monkeypatch.setenv("OUTREACH_SETTINGS", str(tmp_path / "network.yaml"))
    catalogue = tmp_path / "export.csv"
    catalogue.write_text(LOCAL_CODES, encoding="utf-8")
    code, out, err = run("themes", "match", "--catalogue", str(catalogue))
    assert code == 0
    assert "0 notice(s) sur 4 (0 %) portent un indice de thème" in err
    assert "Attention :" in err and "Cotes et rayons" in err
    assert "polar" not in out
    (tmp_path / "shelf-map.yaml").write_text("shelves:\n  RNOIR: polar\n", encoding="utf-8")
    code, out, err = run("themes", "match", "--catalogue", str(catalogue))
    frame = pd.read_csv(io.StringIO(out), dtype=str)
    assert code == 0 and frame.loc[frame.theme_id == "polar", "item_id"].tolist() == ["ligne-2", "ligne-3", "ligne-4"]
    assert "3 notice(s) sur 4 (75 %)" in err and "Polar et thriller 3" in err.split("Notices par thème : ")[1]
    assert "Attention :" not in err
