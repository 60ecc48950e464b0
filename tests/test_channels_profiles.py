from pathlib import Path

import pytest
import yaml

from outreach.channels.profiles import CHANNEL_IDS, load_channels, parse_channels
from outreach.errors import InputError
from tests.support import DATA

SEED_NETWORKS = ("blog", "facebook", "instagram", "x", "youtube")


def test_shipped_profiles_cover_every_channel_with_its_role_from_the_seed():
    channels = load_channels()
    assert tuple(channels) == CHANNEL_IDS
    for cid in SEED_NETWORKS:
        assert channels[cid].source.startswith("seed 000")
    assert "#Conseil2bib" in channels["x"].role
    assert "street art" in channels["instagram"].role
    assert "LSF" in channels["youtube"].role and channels["youtube"].lsf
    assert "relais des articles du blog" in channels["facebook"].role


def test_constraints_follow_the_platforms():
    c = load_channels()
    assert (c["x"].constraints.max_chars, c["x"].constraints.link_chars, c["x"].constraints.weighting) == \
        (280, 23, "twitter")
    assert (c["mastodon"].constraints.max_chars, c["mastodon"].constraints.link_chars) == (500, 23)
    assert c["instagram"].constraints.link_placement == "bio" and c["instagram"].constraints.image.ratio == "4:5"
    assert c["youtube"].constraints.title_max_chars == 100 and c["youtube"].constraints.video.subtitles
    assert c["newsletter"].constraints.max_hashtags == 0


def test_conseil2bib_on_x_and_mastodon_and_bridges_to_the_blog():
    c = load_channels()
    for cid in ("x", "mastodon"):
        assert "Conseil2bib" in c[cid].default_hashtags and c[cid].advice
    assert set(c["blog"].bridges.embeds) == set(CHANNEL_IDS) - {"blog", "newsletter"}
    for cid in CHANNEL_IDS:
        if cid != "blog":
            assert c[cid].bridges.links_to == "blog"


def _raw():
    return yaml.safe_load((DATA / "channels.yaml").read_text(encoding="utf-8"))


def _error(raw, file="canaux.yaml") -> InputError:
    with pytest.raises(InputError) as info:
        parse_channels(raw, file=file)
    return info.value


def test_unknown_key_names_the_channel_and_the_key():
    raw = _raw()
    raw["channels"][3]["constraints"]["max_char"] = 280
    err = _error(raw)
    text = str(err)
    assert "canaux.yaml" in text and "canal n° 4 (x)" in text and "max_char" in text and "clé inconnue" in text


def test_bad_values_are_all_reported():
    raw = _raw()
    raw["channels"][0]["constraints"]["image"]["ratio"] = "carré"
    raw["channels"][1]["publish_time"] = "25:00"
    raw["channels"][2]["default_hashtags"] = ["street art"]
    text = str(_error(raw))
    assert "3 problème(s)" in text
    assert "carré" in text and "25:00" in text and "street art" in text


def test_missing_duplicate_and_dangling_bridge():
    raw = _raw()
    raw["channels"] = [c for c in raw["channels"] if c["id"] != "newsletter"]
    assert "canal manquant : newsletter" in str(_error(raw))
    raw = _raw()
    raw["channels"].append(dict(raw["channels"][1]))
    assert "canal en double : facebook" in str(_error(raw))
    raw = _raw()
    raw["channels"][0]["bridges"]["embeds"].append("tiktok")
    assert "tiktok" in str(_error(raw))
    raw = _raw()
    raw["channels"][3]["constraints"]["target_chars"] = 300
    assert "target_chars (300) dépasse max_chars (280)" in str(_error(raw))


def test_file_errors(tmp_path: Path):
    bad = tmp_path / "canaux.yaml"
    bad.write_text("channels: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML invalide"):
        load_channels(bad)
    with pytest.raises(InputError, match="introuvable"):
        load_channels(tmp_path / "absent.yaml")
    bad.write_text("canaux: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="channels"):
        load_channels(bad)
