import pytest

from outreach.channels.checks import apply_edits, check_pack
from outreach.channels.links import utm_of
from outreach.channels.text import links_in
from outreach.errors import InputError, InputErrors
from tests.support.channels_fixtures import example_pack

X_RELAY = "x--science-fiction--relais"


def test_an_edit_within_the_limits_is_taken_and_its_links_tagged():
    pack = apply_edits(example_pack(), {X_RELAY: "Nos romans de SF : https://www.bmvr.marseille.fr/sf?page=2 !"})
    post = next(p for p in pack.posts if p.id == X_RELAY)
    (link,) = links_in(post.text)
    assert link.startswith("https://www.bmvr.marseille.fr/sf?page=2&utm_source=x&")
    assert utm_of(link)["utm_campaign"] == "sf-pres-de-chez-vous-bouches-du-rhone"
    assert check_pack(pack) == []
    assert example_pack().posts != pack.posts  # the original pack is left as it was


def test_a_bare_domain_typed_in_an_edit_gets_its_scheme_and_utm_parameters():
    pack = apply_edits(example_pack(), {X_RELAY: "Tout le programme sur bmvr.marseille.fr/agenda !"})
    post = next(p for p in pack.posts if p.id == X_RELAY)
    (link,) = links_in(post.text)
    assert link.startswith("https://bmvr.marseille.fr/agenda?utm_source=x&") and check_pack(pack) == []


def test_edits_that_break_a_rule_are_refused_with_where_and_why():
    with pytest.raises(InputError) as info:
        apply_edits(example_pack(), {X_RELAY: "mot " * 80})
    assert "X (Twitter), 01/03/2027 10:00" in str(info.value) and "pour 280 au plus" in str(info.value)
    with pytest.raises(InputErrors) as info:
        apply_edits(example_pack(), {X_RELAY: "", "mastodon--science-fiction--relais": "a " * 300})
    assert "2 problème(s)" in str(info.value) and "le texte est vide" in str(info.value)
    with pytest.raises(InputError, match="publication inconnue"):
        apply_edits(example_pack(), {"x--cuisine--relais": "Bon appétit"})


def test_links_count_23_on_x_when_checking_an_edit():
    long_link = "https://www.bmvr.marseille.fr/" + "a" * 300
    pack = apply_edits(example_pack(), {X_RELAY: f"Voir {long_link}"})  # 5 + 23 characters on X
    assert next(p for p in pack.posts if p.id == X_RELAY).text.startswith("Voir https://")


def test_an_edited_article_text_becomes_the_drafts_excerpt():
    pack = apply_edits(example_pack(), {"blog--science-fiction--article": "Neuf documents de SF vous attendent."})
    assert pack.blogs[0].excerpt == "Neuf documents de SF vous attendent."
    assert example_pack().blogs[0].excerpt != pack.blogs[0].excerpt
