"""Visuals: the officer's images checked as Meta checks them, the drawn ones legible and contrasted, every
ad set of a real plan with one, and the files beside the export."""

import errno
import io
import json
import os
import random

import pytest
import yaml
from PIL import Image

from outreach import atomic, visuals
from outreach.campaign import load_campaign
from outreach.errors import InputError
from outreach.meta.files import plan_campaign, render_outputs, write_plan_outputs
from outreach.model import Visual
from outreach.settings import NetworkSettings
from outreach.visuals import (
    DRAWN_SIZE,
    INK,
    WCAG_AA,
    WHITE,
    check_image,
    contrast_ratio,
    draw_visual,
    parse_hex,
    text_colour_on,
)
from tests.support import ROOT

EXAMPLE = ROOT / "campaigns" / "exemple-sf-bouches-du-rhone.yaml"


def image_bytes(width: int, height: int, kind: str = "JPEG", colour=(40, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ checks

@pytest.mark.parametrize(("size", "kind"), [((1080, 1080), "JPEG"), ((1080, 1350), "PNG"), ((2160, 2700), "JPEG"),
                                            ((1080, 1349), "PNG")])
def test_feed_images_meta_accepts(size, kind):
    assert check_image(image_bytes(*size, kind), label="v.img") == (kind, *size)


def test_story_ratio_is_for_stories_only():
    data = image_bytes(1080, 1920)
    assert check_image(data, label="story.jpg", placement="story") == ("JPEG", 1080, 1920)
    with pytest.raises(InputError) as err:
        check_image(data, label="story.jpg")
    assert err.value.file == "story.jpg" and "stories" in err.value.message and "1:1 ou 4:5" in err.value.fix


@pytest.mark.parametrize(("data", "words"), [
    (image_bytes(800, 800), ["800 × 800", "1080 px"]),
    (image_bytes(1920, 1080), ["1920:1080"]),
    (image_bytes(1080, 1080, "GIF"), ["GIF", "JPG"]),
    (b"not an image at all", ["pas une image"]),
    (b"", ["vide"]),
])
def test_images_meta_would_refuse_are_named_with_the_fix(data, words):
    with pytest.raises(InputError) as err:
        check_image(data, label="visuels/affiche.jpg")
    text = str(err.value)
    assert text.startswith("visuels/affiche.jpg")
    assert all(w in text for w in words), text


def test_weight_over_meta_limit(monkeypatch):
    monkeypatch.setattr(visuals, "MAX_BYTES", 1000)
    with pytest.raises(InputError, match="Mo"):
        check_image(image_bytes(1080, 1080, "PNG", (0, 0, 0)) + b"\0" * 2000, label="lourde.png")


# ------------------------------------------------------------------------------------------ drawing

def test_one_of_white_or_ink_passes_aa_on_any_background():
    rng = random.Random(13)
    for _ in range(2000):
        background = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        assert contrast_ratio(text_colour_on(background), background) >= WCAG_AA
    assert contrast_ratio(WHITE, INK) > 18 and round(contrast_ratio((0, 0, 0), WHITE), 1) == 21.0


def drawn(primary="#1D3557", accent="#F4A261", theme="Science-fiction", branch="Médiathèque de l'Alcazar",
          town="Marseille") -> tuple[Image.Image, Visual]:
    visual = Visual(file_name="x.png", source="drawn", alt_text="…", theme_label=theme, branch_line=branch,
                    town=town, signature="Bibliothèques de Marseille", primary=primary, accent=accent)
    return Image.open(io.BytesIO(draw_visual(visual, primary, accent))).convert("RGB"), visual


@pytest.mark.parametrize(("primary", "accent"), [("#1D3557", "#F4A261"), ("#FFE600", "#0B3D91"),
                                                 ("#777777", "#888888")])
def test_drawn_visual_is_feed_sized_and_its_text_contrasts_at_aa(primary, accent):
    image, _ = drawn(primary, accent)
    assert image.size == DRAWN_SIZE  # 4:5, 1080 px wide: what check_image asks of the officer's images
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=1 << 20))
    background, band = parse_hex(primary), parse_hex(accent)
    # the text is drawn in the colour chosen for each ground, and there is a lot of it
    for ground in (background, band):
        ink = text_colour_on(ground)
        assert colours.get(ink, 0) > 2000, (ground, ink)
        assert contrast_ratio(ink, ground) >= WCAG_AA
    check_image(draw_visual(drawn(primary, accent)[1], primary, accent), label="dessin.png")


def test_long_names_stay_inside_the_margins_in_large_type():
    image, _ = drawn(theme="Bandes dessinées, romans graphiques et mangas pour adolescents",
                     branch="Bibliothèque municipale à vocation régionale de l'Alcazar et 12 autres bibliothèques",
                     town="Saint-Rémy-de-Provence")
    background = parse_hex("#1D3557")
    width, height = image.size
    pixels = image.load()
    # no text runs into the 90 px margins below the band (a cut word would touch them)
    for x in list(range(0, 90)) + list(range(width - 90, width)):
        for y in range(160, height, 7):
            assert pixels[x, y] == background, (x, y)
    # the smallest type allowed is 48 px (16 px on a 360 px-wide phone): every fitted size respects it
    assert visuals._fit(ImageDrawProbe.draw, "Saint-Rémy-de-Provence", 888, range(60, 47, -2), 1)[0].size >= 48


def test_a_drawn_visual_is_kept_in_the_cache_folder_and_read_back_as_drawn(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    visuals._drawn.cache_clear()
    visual = Visual(file_name="x.png", source="drawn", alt_text="…", theme_label="Polars", branch_line="Médiathèque",
                    town="Lille", signature="Réseau", primary="#1D3557", accent="#F4A261")
    first = draw_visual(visual, visual.primary, visual.accent, story=True)
    kept = list((tmp_path / "cache" / visuals.VISUALS_CACHE_DIR).rglob("*.png"))
    assert [p.read_bytes() for p in kept] == [first]
    # another process (the memory cache empty) reads the same bytes without drawing them again
    visuals._drawn.cache_clear()
    monkeypatch.setattr(visuals, "_draw", lambda *a: pytest.fail("drawn again"))
    assert draw_visual(visual, visual.primary, visual.accent, story=True) == first
    # other colours are another image; a file cut short is drawn again, and replaced
    monkeypatch.undo()
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "cache"))
    assert draw_visual(visual, "#FFE600", visual.accent, story=True) != first
    kept[0].unlink()  # a file cut short (read-only and marked as the cache leaves it, so only its end tells)
    kept[0].write_bytes(first[: len(first) // 2])
    kept[0].chmod(0o444)
    os.utime(kept[0], ns=(10**18, 10**18))
    visuals._drawn.cache_clear()
    assert draw_visual(visual, visual.primary, visual.accent, story=True) == first == kept[0].read_bytes()
    visuals._drawn.cache_clear()


def test_a_read_only_cache_folder_only_costs_speed(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("OUTREACH_CACHE_DIR", str(tmp_path / "file"))
    visuals._drawn.cache_clear()
    visual = drawn(branch="Médiathèque sans cache")[1]
    check_image(draw_visual(visual, visual.primary, visual.accent), label="dessin.png")
    visuals._drawn.cache_clear()


class ImageDrawProbe:
    from PIL import ImageDraw as _ImageDraw

    draw = _ImageDraw.Draw(Image.new("RGB", (10, 10)))


def test_alt_text_names_theme_branch_and_town():
    assert visuals.alt_text("Manga", "Bibliothèque du Merlan", "Marseille") == \
        "Affiche : « Manga », Bibliothèque du Merlan, Marseille."
    assert visuals.alt_text("Manga", "Médiathèque de Marseille", "Marseille").count("Marseille") == 1


# ------------------------------------------------------------------------------------------ the plan

@pytest.fixture(scope="module")
def example_yaml():
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def campaign_file(tmp_path, raw, **changes):
    path = tmp_path / "campagne.yaml"
    path.write_text(yaml.safe_dump(raw | changes, allow_unicode=True), encoding="utf-8")
    return load_campaign(path, settings=NetworkSettings())


def test_every_ad_set_of_the_example_gets_a_drawn_visual_in_the_network_colours(example_yaml, tmp_path, monkeypatch):
    settings = tmp_path / "network.yaml"
    settings.write_text("network_name: Bibliothèques de Marseille\ncolour_primary: '#0b3d91'\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_SETTINGS", str(settings))
    plan, payloads = plan_campaign(campaign_file(tmp_path, example_yaml))
    assert plan.ad_sets and all(a.visual is not None and a.visual.source == "drawn" for a in plan.ad_sets)
    first = plan.ad_sets[0].visual
    assert (first.primary, first.signature) == ("#0B3D91", "Bibliothèques de Marseille")
    assert first.theme_label == "Science-fiction" and first.town == "Marseille"
    files = render_outputs(plan, payloads)
    images = {k: v for k, v in files.items() if k.startswith("images/")}
    assert sorted(images) == sorted(i["file"] for i in payloads["images"])
    stories = {i["file"] for i in payloads["images"] if i.get("placement") == "story"}
    assert len(stories) == len(images) // 2  # a 9:16 one beside each 4:5 one, for stories and reels
    for name, data in images.items():
        check_image(data, label="dessin", placement="story" if name in stories else "feed")
    # the colours are part of the name: new colours, new files (which a push uploads again)
    settings.write_text("colour_primary: '#222222'\n", encoding="utf-8")
    again, _ = plan_campaign(campaign_file(tmp_path, example_yaml))
    assert again.ad_sets[0].visual.file_name != first.file_name


def test_given_images_by_theme_branch_and_ad_set_most_precise_wins(example_yaml, tmp_path):
    folder = tmp_path / "visuels"
    folder.mkdir()
    (folder / "theme.jpg").write_bytes(image_bytes(1080, 1080))
    (folder / "branche.png").write_bytes(image_bytes(1080, 1350, "PNG"))
    (folder / "ensemble.jpg").write_bytes(image_bytes(1080, 1350, colour=(200, 30, 30)))
    plain, _ = plan_campaign(campaign_file(tmp_path, example_yaml))
    one, other = plain.ad_sets[0], plain.ad_sets[1]
    campaign = campaign_file(tmp_path, example_yaml, images={
        "themes": {"science-fiction": "visuels/theme.jpg"},
        "branches": {other.branch_id: {"file": "visuels/branche.png", "alt": "La façade de la bibliothèque."}},
        "ad_sets": {one.ref: "visuels/ensemble.jpg"}})
    plan, payloads = plan_campaign(campaign)
    by_ref = {a.ref: a.visual for a in plan.ad_sets}
    assert by_ref[one.ref].file_name.startswith("ensemble-") and by_ref[one.ref].source == "given"
    assert by_ref[other.ref].file_name.startswith("branche-")
    assert by_ref[other.ref].alt_text == "La façade de la bibliothèque."
    rest = [v for r, v in by_ref.items() if r not in (one.ref, other.ref)]
    assert rest and all(v.file_name.startswith("theme-") for v in rest)
    # without the officer's alt text, it says what the image is for, never what it would show
    assert by_ref[one.ref].alt_text.startswith("Visuel de la publicité « Science-fiction »")
    # one upload per file, however many ad sets use it
    assert len(payloads["images"]) == 3
    files = render_outputs(plan, payloads)
    assert files[f"images/{by_ref[one.ref].file_name}"] == (folder / "ensemble.jpg").read_bytes()
    json.dumps(payloads)


def test_a_bad_given_image_stops_the_plan_naming_file_and_key(example_yaml, tmp_path):
    (tmp_path / "petite.jpg").write_bytes(image_bytes(600, 600))
    with pytest.raises(InputError) as err:
        plan_campaign(campaign_file(tmp_path, example_yaml, images={"themes": {"science-fiction": "petite.jpg"}}))
    assert "petite.jpg" in err.value.file and "images.themes.science-fiction" in err.value.file
    assert "1080" in str(err.value)
    with pytest.raises(InputError, match="introuvable"):
        plan_campaign(campaign_file(tmp_path, example_yaml, images={"themes": {"science-fiction": "absente.jpg"}}))


def test_keys_that_match_nothing_are_refused(example_yaml, tmp_path):
    (tmp_path / "v.jpg").write_bytes(image_bytes(1080, 1080))
    with pytest.raises(InputError) as err:
        plan_campaign(campaign_file(tmp_path, example_yaml, images={"themes": {"manga": "v.jpg"},
                                                                     "ad_sets": {"sf--0": "v.jpg"}}))
    assert "images.themes.manga" in err.value.message and "images.ad_sets.sf--0" in err.value.message


def test_images_round_trip_through_the_campaign_file(example_yaml, tmp_path):
    from outreach.campaign import campaign_to_yaml

    campaign = campaign_file(tmp_path, example_yaml, images={"themes": {"science-fiction": "a.jpg"},
                                                             "branches": {"5424": {"file": "b.jpg", "alt": "B"}}})
    written = yaml.safe_load(campaign_to_yaml(campaign))
    assert written["images"] == {"themes": {"science-fiction": "a.jpg"},
                                 "branches": {"5424": {"file": "b.jpg", "alt": "B"}}}
    assert "images" not in yaml.safe_load(campaign_to_yaml(campaign_file(tmp_path, example_yaml)))


def test_officer_replaces_one_ad_sets_visual_then_goes_back(example_yaml, tmp_path, monkeypatch):
    from outreach.visuals import drawn_again, replace_visual

    monkeypatch.setenv("OUTREACH_CAMPAIGNS_DIR", str(tmp_path / "campagnes"))
    campaign = campaign_file(tmp_path, example_yaml)
    plan, _ = plan_campaign(campaign)
    ref = plan.ad_sets[1].ref
    with pytest.raises(InputError) as err:
        replace_visual(campaign, ref, image_bytes(1080, 1920), "story.jpg")
    assert err.value.file == "story.jpg" and not (tmp_path / "visuels").exists()
    upload = image_bytes(1080, 1350, colour=(10, 120, 60))
    updated = replace_visual(campaign, ref, upload, "photo.jpg", alt="Des lecteurs dans la salle de SF.")
    choice = updated.images.ad_sets[ref]
    assert choice.file.startswith("visuels/") and (tmp_path / choice.file).read_bytes() == upload
    plan, payloads = plan_campaign(updated)
    replaced = next(a for a in plan.ad_sets if a.ref == ref).visual
    assert replaced.source == "given" and replaced.alt_text == "Des lecteurs dans la salle de SF."
    assert render_outputs(plan, payloads)[f"images/{replaced.file_name}"] == upload
    assert all(a.visual.source == "drawn" for a in plan.ad_sets if a.ref != ref)
    back, _ = plan_campaign(drawn_again(updated, ref))
    assert next(a for a in back.ad_sets if a.ref == ref).visual.source == "drawn"


# ------------------------------------------------------------------------------------------ stories and reels (9:16)

@pytest.mark.parametrize(("primary", "accent"), [("#1D3557", "#F4A261"), ("#FFE600", "#0B3D91"),
                                                 ("#777777", "#888888")])
def test_drawn_story_visual_is_9_16_contrasts_at_aa_and_keeps_clear_of_the_story_bands(primary, accent):
    _, visual = drawn(primary, accent, theme="Bandes dessinées, romans graphiques et mangas pour adolescents",
                      branch="Bibliothèque municipale à vocation régionale de l'Alcazar et 12 autres bibliothèques",
                      town="Saint-Rémy-de-Provence")
    data = draw_visual(visual, primary, accent, story=True)
    assert check_image(data, label="story.png", placement="story")[1:] == (1080, 1920)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    background, band = parse_hex(primary), parse_hex(accent)
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=1 << 20))
    for ground in (background, band):
        ink = text_colour_on(ground)
        assert colours.get(ink, 0) > 2000 and contrast_ratio(ink, ground) >= WCAG_AA
    # nothing but the ground where stories put the profile (top) and the button and replies (bottom)
    pixels = image.load()
    for y in list(range(0, visuals.STORY_SAFE_TOP_PX, 9)) + \
            list(range(1920 - visuals.STORY_SAFE_BOTTOM_PX, 1920, 9)):
        for x in range(0, 1080, 9):
            assert pixels[x, y] == background, (x, y)


def test_officer_story_images_are_checked_as_9_16_and_used_for_stories_and_reels(example_yaml, tmp_path):
    (tmp_path / "fil.jpg").write_bytes(image_bytes(1080, 1350))
    (tmp_path / "story.jpg").write_bytes(image_bytes(1080, 1920, colour=(200, 30, 30)))
    images = {"themes": {"science-fiction": {"file": "fil.jpg", "story": "story.jpg", "alt": "Une fusée."}}}
    plan, payloads = plan_campaign(campaign_file(tmp_path, example_yaml, images=images))
    visual = plan.ad_sets[0].visual
    assert visual.source == "given" and visual.story_file_name.startswith("story-")
    files = render_outputs(plan, payloads)
    assert files[f"images/{visual.story_file_name}"] == (tmp_path / "story.jpg").read_bytes()
    feed = payloads["creatives"][0]["asset_feed_spec"]
    assert {i["hash"] for i in feed["images"]} == {f"ref:image/{visual.file_name}",
                                                   f"ref:image/{visual.story_file_name}"}
    # what Meta would crop or blur is refused, naming the key and the fix
    for size, words in (((720, 1280), "1080 px de large"), ((1080, 1350), "9:16")):
        (tmp_path / "story.jpg").write_bytes(image_bytes(*size))
        with pytest.raises(InputError) as err:
            plan_campaign(campaign_file(tmp_path, example_yaml, images=images))
        assert "images.themes.science-fiction.story" in str(err.value.file) and words in str(err.value), err.value
    # without a 9:16 image, the officer's feed image is shown everywhere: a link ad, as before
    plan, payloads = plan_campaign(campaign_file(tmp_path, example_yaml, images={"themes": {
        "science-fiction": "fil.jpg"}}))
    assert plan.ad_sets[0].visual.story_file_name == "" and "link_data" in payloads["creatives"][0]["object_story_spec"]


# ------------------------------------------------------------------------------------------ the export's links

def exported_images(out) -> dict[str, os.stat_result]:
    return {p.name: p.stat() for p in sorted((out / visuals.IMAGES_DIR).iterdir())}


def cache_files(tmp_path) -> dict[int, bytes]:
    """The visuals cache's files by inode."""
    return {p.stat().st_ino: p.read_bytes() for p in (tmp_path / "cache" / visuals.VISUALS_CACHE_DIR).rglob("*.png")}


def test_exported_visuals_are_read_only_links_to_the_cache_or_copies_where_links_are_refused(
        example_yaml, tmp_path, monkeypatch):
    visuals._drawn.cache_clear()
    plan, payloads = plan_campaign(campaign_file(tmp_path, example_yaml))
    write_plan_outputs(plan, payloads, tmp_path / "export")
    cache, images = cache_files(tmp_path), exported_images(tmp_path / "export")
    assert len(images) == 12 and len(cache) == 12  # 6 ad sets: a 4:5 and a 9:16 visual each
    drawn = {name[len("images/"):]: data for name, data in render_outputs(plan, payloads).items()
             if name.startswith("images/")}
    for name, stat in images.items():  # the cache's very file: no inode and no data block of its own
        assert cache[stat.st_ino] == drawn[name] == (tmp_path / "export" / "images" / name).read_bytes()
        assert stat.st_nlink == 2 and stat.st_mode & 0o777 == 0o444
    # a file system that refuses links (another device): the same bytes written, tried once only
    refusals = []

    def refuse(source, target):
        refusals.append(target)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(atomic.os, "link", refuse)
    write_plan_outputs(plan, payloads, tmp_path / "copies")
    assert len(refusals) == 1
    for name, stat in exported_images(tmp_path / "copies").items():
        assert stat.st_ino not in cache and stat.st_nlink == 1
        assert (tmp_path / "copies" / "images" / name).read_bytes() == drawn[name]
    visuals._drawn.cache_clear()


def test_planning_again_into_the_folder_leaves_the_linked_images_unread_and_untouched(
        example_yaml, tmp_path, monkeypatch):
    visuals._drawn.cache_clear()
    campaign = campaign_file(tmp_path, example_yaml)
    write_plan_outputs(*plan_campaign(campaign), tmp_path / "export")
    before = exported_images(tmp_path / "export")
    read = []
    monkeypatch.setattr(atomic, "_read", lambda path, size: read.append(path) or b"")
    write_plan_outputs(*plan_campaign(campaign), tmp_path / "export")
    after = exported_images(tmp_path / "export")
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in after.items()} == \
        {n: (s.st_ino, s.st_mtime_ns) for n, s in before.items()}
    assert not [path for path in read if "images" in path]  # known unchanged from their stat alone
    visuals._drawn.cache_clear()


def test_a_linked_image_edited_in_place_reaches_neither_the_next_plan_nor_the_cache(
        example_yaml, tmp_path):
    visuals._drawn.cache_clear()
    campaign = campaign_file(tmp_path, example_yaml)
    write_plan_outputs(*plan_campaign(campaign), tmp_path / "export")
    name, stat = next(iter(exported_images(tmp_path / "export").items()))
    edited = tmp_path / "export" / "images" / name
    drawn = edited.read_bytes()
    other = image_bytes(1080, 1350, "PNG")
    edited.chmod(0o644)  # an officer makes the export's image writable and edits it in place
    edited.write_bytes(other)
    assert cache_files(tmp_path)[stat.st_ino] == other  # the link shares the cache's file
    # the same process (the app) plans again into the folder: its drawn bytes, not the edited file
    write_plan_outputs(*plan_campaign(campaign), tmp_path / "export")
    assert edited.read_bytes() == drawn and edited.stat().st_ino != stat.st_ino
    # a new process finds the cache's file writable, draws the image again and replaces the file
    visuals._drawn.cache_clear()
    write_plan_outputs(*plan_campaign(campaign), tmp_path / "new")
    repaired = (tmp_path / "new" / "images" / name).stat()
    assert (tmp_path / "new" / "images" / name).read_bytes() == drawn
    assert cache_files(tmp_path)[repaired.st_ino] == drawn and repaired.st_mode & 0o777 == 0o444
    assert other not in cache_files(tmp_path).values()
    visuals._drawn.cache_clear()
