"""No traceback reaches the terminal: the user's mistakes exit 2 in French, a bug exits 1 with a log file."""

from __future__ import annotations

import pytest

from outreach import cli
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"


def test_unwritable_out_is_a_french_error(tmp_path, capsys):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    assert cli.main(["nearest", "--out", str(blocker / "sous-dossier" / "proches.csv")]) == 2
    err = capsys.readouterr().err
    assert "Erreur : " in err and "impossible d'écrire ici" in err and "Traceback" not in err
    assert blocker.read_text() == "x"


def test_unwritable_out_folder_is_a_french_error(tmp_path, capsys):
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    assert cli.main(["channels", str(EXAMPLE), "--out", str(blocker / "posts")]) == 2
    assert "impossible d'écrire ici" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["SF\r\nBcc: x@exemple.fr", "SF\u202egnp.exe", "SF\u200b", "SF\x00"])
def test_a_campaign_name_with_hidden_characters_is_refused(tmp_path, capsys, name):
    text = EXAMPLE.read_text(encoding="utf-8")
    campaign = tmp_path / "c.yaml"
    campaign.write_text("\n".join(f"name: {name!r}".replace("'", '"') if line.startswith("name:") else line
                                  for line in text.splitlines()), encoding="utf-8")
    assert cli.main(["channels", str(campaign), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "caractère invisible" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_bug_exits_1_with_a_french_line_and_a_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path))

    def broken(_args):
        raise ZeroDivisionError("access_token=abcdefghij")

    monkeypatch.setattr(cli.nearest, "run", broken, raising=False)
    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["nearest"].set_defaults(func=broken)
    assert cli.main(["nearest"]) == 1
    err = capsys.readouterr().err
    assert "Erreur inattendue (ZeroDivisionError)" in err and "Traceback" not in err
    log = (tmp_path / "erreurs.log").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in log and "abcdefghij" not in log
