import csv
import io
import xml.etree.ElementTree as ET

from icalendar import Calendar

from outreach.channels.links import utm_of
from outreach.cli import main
from tests.support import DATA
from tests.support.channels_fixtures import EXAMPLE


def test_channels_writes_posts_calendar_and_wxr(tmp_path, capsys):
    out = tmp_path / "sortie"
    assert main(["channels", str(EXAMPLE), "--out", str(out), "--site", "https://blog.exemple.fr"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"posts.csv", "calendar.ics", "blog.wxr.xml", "lsf-science-fiction.md", "lsf-science-fiction.srt"} == names
    text = (out / "posts.csv").read_text(encoding="utf-8")
    assert text.startswith("channel,date,text,link,hashtags,alt_text")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["channel"] for r in rows} == {"blog", "facebook", "instagram", "x", "mastodon", "youtube", "newsletter"}
    assert all(utm_of(r["link"])["utm_source"] == r["channel"] and r["alt_text"] for r in rows)
    cal = Calendar.from_ical((out / "calendar.ics").read_bytes())
    assert len(list(cal.walk("VEVENT"))) == len(rows)
    root = ET.parse(out / "blog.wxr.xml").getroot()
    assert root.find("channel/item/title").text.startswith("Science-fiction")
    err = capsys.readouterr().err
    assert "publication(s) du 01/03/2027 au 31/03/2027" in err


def test_bad_campaign_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "campagne.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("end: 2027-03-31", "end: 2027-02-01"),
                   encoding="utf-8")
    out = tmp_path / "sortie"
    assert main(["channels", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "campagne.yaml" in err and "période" in err and "Traceback" not in err
    assert not out.exists()
    unknown = tmp_path / "theme.yaml"
    unknown.write_text(EXAMPLE.read_text(encoding="utf-8").replace("[science-fiction]", "[sciencefiction]"),
                       encoding="utf-8")
    assert main(["channels", str(unknown), "--out", str(out)]) == 2
    assert "thème inconnu : sciencefiction" in capsys.readouterr().err
    assert not out.exists()


def test_bad_channels_file_exits_2_and_keeps_previous_outputs(tmp_path, capsys):
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "posts.csv").write_text("ancien", encoding="utf-8")
    channels = tmp_path / "canaux.yaml"
    channels.write_text((DATA / "channels.yaml").read_text(encoding="utf-8").replace("max_chars: 280",
                                                                                    "max_chars: deux-cent"),
                        encoding="utf-8")
    assert main(["channels", str(EXAMPLE), "--out", str(out), "--channels", str(channels)]) == 2
    err = capsys.readouterr().err
    assert "canaux.yaml" in err and "(x)" in err and "max_chars" in err
    assert (out / "posts.csv").read_text(encoding="utf-8") == "ancien"


def test_channels_schedule_sends_once_and_status_reports_it(tmp_path, monkeypatch, capsys):
    from outreach.settings import NetworkSettings, save_settings
    from tests.support.social_servers import MastodonServer

    server = MastodonServer()
    server.start()
    try:
        settings = tmp_path / "network.yaml"
        save_settings(NetworkSettings(mastodon_instance=server.url), settings)
        monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
        monkeypatch.setenv("MASTODON_TOKEN", server.token)
        out = tmp_path / "sortie"
        assert main(["channels", "schedule", str(EXAMPLE), "--out", str(out), "--dry-run"]) == 0
        shown = capsys.readouterr()
        planned = [line.split("\t") for line in shown.out.splitlines()]
        assert planned and {line[1] for line in planned} == {"Mastodon"}
        assert not server.scheduled and f"{len(planned)} changement(s) serait envoyé(s) sur Mastodon" in shown.err
        assert main(["channels", "schedule", str(EXAMPLE), "--out", str(out)]) == 0
        assert len(server.scheduled) == len(planned) and (out / "publications.json").exists()
        # each status carries the theme's visual (drawn in the network's colours) with its description
        assert all(len(st["media_attachments"]) == 1 and st["media_attachments"][0]["description"]
                   for st in server.scheduled.values())
        assert (out / "visuels" / "science-fiction-reseaux.png").exists()
        capsys.readouterr()
        assert main(["channels", "schedule", str(EXAMPLE), "--out", str(out)]) == 0
        assert len(server.scheduled) == len(planned) and "0 changement(s) envoyé(s)" in capsys.readouterr().err
        assert main(["channels", "status", str(EXAMPLE), "--out", str(out)]) == 0
        lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
        assert len(lines) == len(planned) and {line[3] for line in lines} == {"programmée"}
        (out / "publications.json").unlink()
        monkeypatch.setenv("MASTODON_TOKEN", "jeton-revoque")
        assert main(["channels", "schedule", str(EXAMPLE), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "Mastodon a refusé" in err and "HTTP 401" in err and "Traceback" not in err
        monkeypatch.setenv("MASTODON_TOKEN", "jeton-révoqué")  # pasted with a typo no HTTP header can carry
        assert main(["channels", "schedule", str(EXAMPLE), "--out", str(out)]) == 2
        assert "caractères" in capsys.readouterr().err
    finally:
        server.stop()


def _plan_utm_campaigns(path) -> set[str]:
    from urllib.parse import parse_qs

    from outreach import pipeline
    from outreach.campaign import load_campaign

    plan, _ = pipeline.plan_in_force(load_campaign(path))
    return {parse_qs(a.url_tags)["utm_campaign"][0] for a in plan.ad_sets}


def _posts_utm_campaigns(out) -> set[str]:
    rows = list(csv.DictReader(io.StringIO((out / "posts.csv").read_text(encoding="utf-8"))))
    return {utm_of(r["link"])["utm_campaign"] for r in rows}


def test_posts_and_meta_ads_carry_the_same_utm_campaign(tmp_path, capsys):
    """Web analytics join the organic posts and the Meta ads of one campaign on utm_campaign: both carry the
    campaign file's identity (the example's differs from its name's slug)."""
    assert main(["channels", str(EXAMPLE), "--out", str(tmp_path / "sortie")]) == 0
    assert _posts_utm_campaigns(tmp_path / "sortie") == _plan_utm_campaigns(EXAMPLE) == {"exemple-sf-bouches-du-rhone"}
    # a file without an identity yet gets it from whichever comes first: here the posts
    fresh = tmp_path / "nouvelle.yaml"
    fresh.write_text("\n".join(line for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
                               if not line.startswith("id:")).replace("SF près de chez vous", "Mangas à Marseille"),
                     encoding="utf-8")
    assert main(["channels", str(fresh), "--out", str(tmp_path / "nouvelle")]) == 0
    assert "Identité de la campagne écrite dans" in capsys.readouterr().err
    [identity] = _posts_utm_campaigns(tmp_path / "nouvelle")
    assert identity.startswith("mangas-a-marseille-") and f"id: {identity}" in fresh.read_text(encoding="utf-8")
    assert _plan_utm_campaigns(fresh) == {identity}
