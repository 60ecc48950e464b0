import pytest

from outreach.channels.links import utm_of, with_utm
from outreach.channels.profiles import load_channels
from outreach.channels.text import ELLIPSIS, count, fit, links_in, shorten

X = load_channels()["x"].constraints
MASTODON = load_channels()["mastodon"].constraints
FACEBOOK = load_channels()["facebook"].constraints


def test_x_counts_every_link_as_23_whatever_its_length():
    short, long_ = "https://a.fr", "https://www.bmvr.marseille.fr/agenda/club-sf?utm_source=x&utm_medium=social"
    assert count(f"Voir {short}", X) == 5 + 23
    assert count(f"Voir {long_}", X) == 5 + 23
    assert count("Voir bmvr.marseille.fr ici", X) == 5 + 23 + 4  # a bare domain is a link too
    assert count(f"Voir {long_}", FACEBOOK) == 5 + len(long_)  # elsewhere a link is as long as written
    assert count(f"{long_} et {short}", MASTODON) == 23 + 4 + 23


def test_mastodon_shortens_only_links_written_with_their_scheme():
    bare = "www.bibliotheques.marseille.fr/agenda"  # 37 characters: Mastodon counts them all
    assert count(f"Voir {bare}", MASTODON) == 5 + len(bare)
    assert count(f"Voir https://{bare} et {bare}", MASTODON) == 5 + 23 + 4 + len(bare)
    assert count(f"Voir {bare}", X) == 5 + 23  # X shortens a bare domain too


def test_x_weights_characters_beyond_latin_double():
    assert count("é à ç œ « »", X) == 11
    assert count("📚", X) == 2
    assert count("漫画", X) == 4
    assert count("📚", FACEBOOK) == 1


def test_shorten_never_cuts_a_word():
    text = "Chacun vient avec un roman de science-fiction qu'il a aimé et le fait découvrir aux autres"
    for limit in range(5, len(text)):
        cut = shorten(text, limit, FACEBOOK)
        assert count(cut, FACEBOOK) <= limit
        if cut:
            assert cut.endswith(ELLIPSIS)
            words = cut[:-1].split(" ")
            assert words == text.split(" ")[: len(words)]  # whole words, in order
    assert shorten(text, len(text), FACEBOOK) == text
    assert shorten("Anticonstitutionnellement", 10, FACEBOOK) == ""


def test_fit_keeps_whole_sentences_and_the_tail():
    link = "https://blog.exemple.fr/article/?utm_source=x"
    sentences = ["Première phrase assez courte.", "Deuxième phrase " + "très " * 60 + "longue.", "Troisième."]
    text = fit(sentences, 280, X, tail=f"{link} #Conseil2bib")
    assert count(text, X) <= 280
    assert text.startswith("Première phrase assez courte. Troisième.")
    assert text.endswith(f"{link} #Conseil2bib")
    # a first sentence too long is shortened at a word, the tail stays whole
    text = fit(["mot " * 100], 100, X, tail=link)
    assert count(text, X) <= 100 and text.endswith(link) and ELLIPSIS in text


def test_utm_parameters_are_set_and_others_kept():
    url = with_utm("https://www.bmvr.marseille.fr/agenda?page=2&utm_source=old#haut", source="instagram",
                   medium="social", campaign="SF près de chez vous — Bouches-du-Rhône", content="science-fiction-relais")
    assert url.startswith("https://www.bmvr.marseille.fr/agenda?page=2&") and url.endswith("#haut")
    assert utm_of(url) == {"utm_source": "instagram", "utm_medium": "social",
                           "utm_campaign": "sf-pres-de-chez-vous-bouches-du-rhone",
                           "utm_content": "science-fiction-relais"}
    assert links_in(f"Lien : {url}.") == [url]
    # a campaign's identity is a UTM value already: kept as it is, doubled hyphens included
    identity = with_utm("https://a.fr/", source="x", medium="social", campaign="sf--marseille-1a2b3c4d", content="c")
    assert utm_of(identity)["utm_campaign"] == "sf--marseille-1a2b3c4d"


@pytest.mark.parametrize("text", ["« Dune » (Frank Herbert)", "Rendez-vous mer. 17 mars à 18 h"])
def test_plain_text_without_links(text):
    assert links_in(text) == []
    assert count(text, X) == len(text)
