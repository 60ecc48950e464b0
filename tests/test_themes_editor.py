"""The theme editor form: a theme survives the round trip, edits apply, mistakes are named in French."""

import pytest

from outreach.errors import InputError
from outreach.themes import load_themes
from outreach.themes.editor import from_form, to_form


@pytest.fixture(scope="module")
def themes():
    return {t.id: t for t in load_themes()}


def test_every_shipped_theme_survives_the_form_unchanged(themes):
    for theme in themes.values():
        assert from_form(theme, to_form(theme), themes) == theme


def test_edits_apply_and_resolved_interests_keep_their_id(themes):
    theme = themes["manga"].model_copy(update={"meta_interests": [
        themes["manga"].meta_interests[0].model_copy(update={"id": "9990000000003"})]})
    form = to_form(theme) | {"label": "Manga et webtoons", "keywords": "manga\nwebtoon\n\n",
                             "meta_interests": theme.meta_interests[0].name + "\nWebtoon",
                             "hashtags_instagram": "manga #webtoon", "sensitivity": "flag"}
    edited = from_form(theme, form, themes)
    assert edited.label == "Manga et webtoons" and edited.keywords == ["manga", "webtoon"]
    assert edited.meta_interests[0].id == "9990000000003" and edited.meta_interests[1].name == "Webtoon"
    assert edited.meta_interests[1].id is None
    assert edited.hashtags["instagram"] == ["#manga", "#webtoon"] and edited.sensitivity == "flag"


def test_a_bad_dewey_range_is_named(themes):
    with pytest.raises(InputError) as caught:
        from_form(themes["manga"], to_form(themes["manga"]) | {"dewey": "741.5\nbandes dessinées"}, themes)
    assert "dewey" in str(caught.value) and "formulaire du thème" in str(caught.value)


def test_an_empty_label_is_refused(themes):
    with pytest.raises(InputError, match="label"):
        from_form(themes["polar"], to_form(themes["polar"]) | {"label": "  "}, themes)
