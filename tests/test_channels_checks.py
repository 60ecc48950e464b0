import pytest

from outreach.channels.checks import review_edits
from outreach.channels.links import utm_of
from outreach.channels.text import links_in
from outreach.errors import InputError
from tests.support.channels_fixtures import check_pack, example_pack

X_RELAY = "x--science-fiction--relais"


def edited(edits: dict[str, str]):
    """The pack with these edits, asserting that none breaks a rule (what the page lets download)."""
    pack, problems = review_edits(example_pack(), edits)
    assert not [p for found in problems.values() for p in found if p.blocking]
    return pack


def blocking(edits: dict[str, str]) -> list[str]:
    _, problems = review_edits(example_pack(), edits)
    return [p.message for post_id in edits for p in problems[post_id] if p.blocking]


def test_an_edit_within_the_limits_is_taken_and_its_links_tagged():
    pack = edited({X_RELAY: "Nos romans de SF : https://www.bmvr.marseille.fr/sf?page=2 !"})
    post = next(p for p in pack.posts if p.id == X_RELAY)
    (link,) = links_in(post.text)
    assert link.startswith("https://www.bmvr.marseille.fr/sf?page=2&utm_source=x&")
    # the campaign's identity, as its Meta ads carry it (not its name's slug)
    assert utm_of(link)["utm_campaign"] == "exemple-sf-bouches-du-rhone"
    assert check_pack(pack) == []
    assert example_pack().posts != pack.posts  # the original pack is left as it was


def test_a_bare_domain_typed_in_an_edit_gets_its_scheme_and_utm_parameters():
    pack = edited({X_RELAY: "Tout le programme sur bmvr.marseille.fr/agenda !"})
    post = next(p for p in pack.posts if p.id == X_RELAY)
    (link,) = links_in(post.text)
    assert link.startswith("https://bmvr.marseille.fr/agenda?utm_source=x&") and check_pack(pack) == []


def test_edits_that_break_a_rule_are_blocking_with_why():
    assert any("pour 280 au plus" in m for m in blocking({X_RELAY: "mot " * 80}))
    found = blocking({X_RELAY: "", "mastodon--science-fiction--relais": "a " * 300})
    assert len(found) == 2 and any("le texte est vide" in m for m in found)
    with pytest.raises(InputError, match="publication inconnue"):
        review_edits(example_pack(), {"x--cuisine--relais": "Bon appétit"})


def test_links_count_23_on_x_when_checking_an_edit():
    long_link = "https://www.bmvr.marseille.fr/" + "a" * 300
    pack = edited({X_RELAY: f"Voir {long_link}"})  # 5 + 23 characters on X
    assert next(p for p in pack.posts if p.id == X_RELAY).text.startswith("Voir https://")


def test_an_edited_article_text_becomes_the_drafts_excerpt():
    pack = edited({"blog--science-fiction--article": "Neuf documents de SF vous attendent."})
    assert pack.blogs[0].excerpt == "Neuf documents de SF vous attendent."
    assert example_pack().blogs[0].excerpt != pack.blogs[0].excerpt


def test_unchanged_texts_are_no_edit_and_every_post_is_checked():
    pack = example_pack()
    unchanged = {p.id: p.text for p in pack.posts}
    same, problems = review_edits(pack, unchanged)
    assert same.posts == pack.posts and set(problems) == set(unchanged)
