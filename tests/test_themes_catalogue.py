"""The theme catalogue: the shipped file is complete and valid; a broken file gets a clear French message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outreach.errors import InputError
from outreach.model import NETWORKS
from outreach.themes import REQUIRED_IDS, dump_themes, load_themes, save_themes
from tests.support import DATA

SHIPPED = DATA / "themes.yaml"


@pytest.fixture(scope="module")
def themes():
    return load_themes(SHIPPED)


def test_shipped_file_has_the_required_themes(themes):
    ids = [t.id for t in themes]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)
    assert set(REQUIRED_IDS) <= set(ids)


def test_every_theme_is_complete(themes):
    for t in themes:
        assert t.label and t.description, t.id
        assert t.meta_interests and all(i.name for i in t.meta_interests), t.id
        assert t.keywords, t.id
        assert t.rameau or t.dewey or t.genres, t.id
        assert set(t.hashtags) == set(NETWORKS), t.id
        assert all(tags for tags in t.hashtags.values()), t.id
        assert t.copy_noun, t.id


def test_sensitive_themes_are_flagged(themes):
    by_id = {t.id: t for t in themes}
    for tid in ("lsf", "langues"):
        assert by_id[tid].sensitivity in ("flag", "block")
        assert by_id[tid].sensitivity_note
    assert by_id["science-fiction"].sensitivity == "none"


def test_default_path_is_the_shipped_file(themes):
    assert [t.id for t in load_themes()] == [t.id for t in themes]


def _write(tmp_path, entries):
    path = tmp_path / "themes.yaml"
    path.write_text(yaml.safe_dump({"themes": entries}, allow_unicode=True), encoding="utf-8")
    return path


MINIMAL = {"id": "manga", "label": "Manga", "keywords": ["manga"]}


def test_duplicate_id_is_named(tmp_path):
    path = _write(tmp_path, [MINIMAL, {**MINIMAL, "label": "Mangas encore"}])
    with pytest.raises(InputError) as err:
        load_themes(path)
    text = str(err.value)
    assert "manga" in text and "double" in text and str(path) in text


def test_a_misspelt_rival_is_named(tmp_path):
    path = _write(tmp_path, [{**MINIMAL, "rivals": ["bande-desinee"]}, {"id": "bande-dessinee", "label": "BD"}])
    with pytest.raises(InputError) as err:
        load_themes(path)
    text = str(err.value)
    assert "« manga »" in text and "rivals" in text and "bande-desinee" in text and str(path) in text


def test_unknown_sensitivity_names_theme_and_field(tmp_path):
    path = _write(tmp_path, [{**MINIMAL, "sensitivity": "maybe"}])
    with pytest.raises(InputError) as err:
        load_themes(path)
    text = str(err.value)
    assert "« manga »" in text and "sensitivity" in text and "maybe" in text and "none, flag, block" in text


def test_several_problems_are_reported_at_once(tmp_path):
    path = _write(tmp_path, [{**MINIMAL, "keywords": "manga"}, {"id": "Bad Id", "label": "x"},
                             {"id": "polar", "label": "Polar", "dewey": ["abc"]}])
    with pytest.raises(InputError) as err:
        load_themes(path)
    text = str(err.value)
    assert "3 problème(s)" in text
    assert "keywords" in text and "Bad Id" in text and "abc" in text


def test_unknown_field_and_network(tmp_path):
    path = _write(tmp_path, [{**MINIMAL, "keywrods": ["x"]}])
    with pytest.raises(InputError, match="champ inconnu"):
        load_themes(path)
    path = _write(tmp_path, [{**MINIMAL, "hashtags": {"tiktok": ["#manga"]}}])
    with pytest.raises(InputError, match="tiktok"):
        load_themes(path)


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - id: manga\n    label: [Manga\n", encoding="utf-8")
    with pytest.raises(InputError, match="ligne"):
        load_themes(path)


def test_missing_file_and_empty_list(tmp_path):
    with pytest.raises(InputError, match="introuvable"):
        load_themes(tmp_path / "nope.yaml")
    path = tmp_path / "themes.yaml"
    path.write_text("themes: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="aucune liste"):
        load_themes(path)


def test_save_round_trips_and_is_atomic(tmp_path, themes):
    target = tmp_path / "themes.yaml"
    save_themes(themes, target)
    again = load_themes(target)
    assert again == themes
    assert yaml.safe_load(dump_themes(themes))["themes"][0]["id"] == themes[0].id


def test_uploaded_bytes_are_read(themes):
    data = SHIPPED.read_bytes()
    assert load_themes(data=data, name="envoi.yaml") == themes
    with pytest.raises(InputError, match="envoi.yaml"):
        load_themes(data=b"themes: 3", name="envoi.yaml")


# SEN-02 of the GDPR checklist: interest names and keywords that reveal Art. 9 data (FR + EN starting list)
SEN02 = ["santé mentale", "dépression", "autisme", "vih", "cancer", "diabète", "grossesse", "pma", "handicap",
         "islam", "ramadan", "bible", "coran", "judaïsme", "bouddhisme", "lgbt", "queer", "fiertés",
         "parti politique", "syndicat", "cgt", "cfdt", "diaspora", "sexualité", "adn", "catholic", "jewish",
         "same-sex", "chemotherapy", "diabetes"]


def test_no_theme_targets_a_block_list_term(themes):
    from outreach.text import fold

    for t in themes:
        words = " " + " ".join(fold(x) for x in [i.name for i in t.meta_interests] + t.keywords + t.rameau) + " "
        for term in SEN02:
            assert f" {fold(term)} " not in words, (t.id, term)


def test_resolved_interest_ids_are_recorded_with_their_date(tmp_path, themes):
    from datetime import date

    from outreach.themes import with_resolved_interests

    day = date(2026, 11, 22)
    updated = with_resolved_interests(themes, {"science fiction": "6000000000001", "Manga": "6000000000002"}, day)
    sf = next(t for t in updated if t.id == "science-fiction").meta_interests[0]
    assert (sf.name, sf.id, sf.resolved_at) == ("Science fiction", "6000000000001", day)
    assert next(t for t in updated if t.id == "fantasy").meta_interests[0].id is None
    again = with_resolved_interests(updated, {"Science fiction": "6000000000001"}, date(2027, 1, 1))
    assert next(t for t in again if t.id == "science-fiction").meta_interests[0].resolved_at == day
    save_themes(again, tmp_path / "themes.yaml")
    assert load_themes(tmp_path / "themes.yaml") == again


def test_the_cached_sample_depends_on_the_reader_code(monkeypatch, tmp_path):
    """The parsed sample is cached on disk: a change of the MARC reader or of the model must miss the cache."""
    import outreach.model
    import outreach.sources.catalogue
    from outreach.themes import samples

    before = samples._cache_key()
    for module in (outreach.sources.catalogue, outreach.model):
        changed = tmp_path / f"{module.__name__}.py"
        changed.write_bytes(Path(module.__file__).read_bytes() + b"\n# changed\n")
        with monkeypatch.context() as m:
            m.setattr(module, "__file__", str(changed))
            assert samples._cache_key() != before
    assert samples._cache_key() == before


def test_replacing_one_theme_keeps_the_others_and_refuses_two_themes_or_a_taken_id():
    from outreach.themes import dump_themes, load_themes, replace_theme

    themes = load_themes()
    first, second = themes[0], themes[1]
    text = dump_themes([first.model_copy(update={"label": "Nouveau libellé"})], header=False).split("themes:\n", 1)[1]
    replaced = replace_theme(themes, first.id, text)
    assert replaced[0].label == "Nouveau libellé" and replaced[1:] == themes[1:]
    two = dump_themes([first, second], header=False).split("themes:\n", 1)[1]
    with pytest.raises(InputError, match="2 thèmes"):
        replace_theme(themes, first.id, two)
    taken = dump_themes([first.model_copy(update={"id": second.id})], header=False).split("themes:\n", 1)[1]
    with pytest.raises(InputError) as err:
        replace_theme(themes, first.id, taken)
    assert err.value.field == "id" and "déjà pris" in str(err.value)
