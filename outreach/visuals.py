"""Every ad's visual: the officer's own image, checked as Meta checks it, or one drawn per theme × branch.

Meta refuses a link ad without a visual (error 1487212, "Missing Image") or, at best, falls back to the
landing page's og:image, which the officer cannot choose. So every ad set of a plan gets a `Visual`:

- given in the campaign file (`images:` by ad set ref, by branch id or by theme id, the most precise
  wins): JPG or PNG, at least 1080 px wide, ratio 1:1 or 4:5 for feeds (9:16 is for stories and reels),
  at most 30 MB, which are Meta's feed recommendations and its upload limit;
- otherwise drawn here with Pillow, 1080 × 1350 (4:5, the feed format that takes the most room on a
  phone): the theme, the branch and its town, in the network's colours from the settings, with text colours
  chosen for a WCAG AA contrast (4.5:1 at least), in DejaVu Sans Bold (Debian's fonts-dejavu-core);
- and for stories and reels, a 9:16 one: the officer's (`story:` beside the image's `file:`, at least
  1080 px wide) or, with a drawn visual, one drawn 1080 × 1920 with the same text, kept out of the top and
  bottom bands that stories cover with the profile and the button. An officer's feed image without a 9:16
  one is shown as is everywhere (Meta fits it to stories itself).

The push uploads each file once through `POST act_…/adimages` and puts the returned `image_hash` into the
creative; the Ads Manager sheet names the file (Image File Name) and the export carries it under images/.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from outreach.errors import InputError
from outreach.model import Visual

IMAGES_DIR = "images"  # folder of the export (and of the pushed folder) that holds the visuals
IMAGE_REF_PREFIX = "image/"  # ref of an uploaded image in meta-ids.json: "image/<file name>"
MIN_WIDTH_PX = 1080
MAX_BYTES = 30 * 1024 * 1024  # Meta's upload limit for an ad image
RATIO_TOLERANCE = 0.01  # 1080 × 1349 is still 4:5 for Meta
RATIOS = {"feed": {"1:1": 1.0, "4:5": 0.8}, "story": {"9:16": 9 / 16}}
FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
DRAWN_SIZE = (1080, 1350)
DRAWN_STORY_SIZE = (1080, 1920)
# stories and reels cover about the top 14 % (profile, progress bar) and the bottom 20 % (button, replies)
STORY_SAFE_TOP_PX = 270
STORY_SAFE_BOTTOM_PX = 384
WCAG_AA = 4.5
MAX_NAME = 100  # Meta keeps at most 100 characters of an image's file name

FONT_FILES = (  # Debian's fonts-dejavu-core (installed by .ci/run), then other common places
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/local/share/fonts/DejaVuSans-Bold.ttf",
)


# ------------------------------------------------------------------------------------------ colours

def parse_hex(colour: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", colour.strip())
    if not match:
        raise ValueError(f"« {colour} » n'est pas une couleur #RRVVBB")
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


WHITE, INK, BLACK = (255, 255, 255), (17, 17, 17), (0, 0, 0)


def text_colour_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or a soft near-black, whichever reads better; pure black when neither reaches AA (on mid
    greys and oranges): white or pure black always reaches 4.58:1 at least."""
    best = max((WHITE, INK), key=lambda c: contrast_ratio(c, background))
    return best if contrast_ratio(best, background) >= WCAG_AA else BLACK


# ------------------------------------------------------------------------------------------ checks

def check_image(data: bytes, *, label: str, placement: str = "feed") -> tuple[str, int, int]:
    """(format, width, height) of an image Meta accepts for `placement`; an InputError naming the fix if not."""
    if not data:
        raise InputError("le fichier est vide.", file=label, fix="Choisissez une image JPG ou PNG.")
    if len(data) > MAX_BYTES:
        raise InputError(f"l'image pèse {len(data) / 1024 / 1024:.1f} Mo, au-delà des 30 Mo que Meta accepte.",
                         file=label, fix="Enregistrez-la en JPG de qualité 85 environ, ou réduisez-la.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError as exc:  # a few MB that would unpack to gigabytes
        raise InputError("l'image est démesurée (trop de pixels).", file=label,
                         fix="Réduisez-la, par ex. à 1080 × 1350 px.") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError("ce n'est pas une image lisible.", file=label,
                         fix="Choisissez une image JPG ou PNG.") from exc
    if kind not in FORMATS:
        raise InputError(f"format {kind} : Meta attend ici du JPG ou du PNG.", file=label,
                         fix="Exportez l'image en JPG ou en PNG.")
    ratios = RATIOS[placement]
    shown = " ou ".join(ratios)
    if width < MIN_WIDTH_PX:
        raise InputError(f"l'image fait {width} × {height} px : {MIN_WIDTH_PX} px de large au moins pour rester "
                         "nette sur un téléphone.", file=label,
                         fix=f"Donnez une image d'au moins {MIN_WIDTH_PX} px de large, au format {shown} "
                             f"(par ex. {_example(placement)}).")
    ratio = width / height
    if not any(abs(ratio - r) <= r * RATIO_TOLERANCE for r in ratios.values()):
        other = next((p for p, rs in RATIOS.items() if p != placement
                      and any(abs(ratio - r) <= r * RATIO_TOLERANCE for r in rs.values())), None)
        hint = " (ce format convient aux stories et reels, pas au fil d'actualité)" if other == "story" else ""
        raise InputError(f"l'image fait {width} × {height} px, un rapport {width}:{height} que Meta recadrerait"
                         f"{hint}.", file=label,
                         fix=f"Recadrez-la au format {shown} (par ex. {_example(placement)}).")
    return kind, width, height


def _example(placement: str) -> str:
    return "1080 × 1080 ou 1080 × 1350 px" if placement == "feed" else "1080 × 1920 px"


def given_file_name(path: Path, data: bytes, kind: str) -> str:
    """A stable, unique name for the image library: the file's own name plus a short digest of its bytes
    (two files named visuel.jpg in different folders stay two images)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "visuel"
    digest = hashlib.sha1(data).hexdigest()[:8]
    return f"{stem[: MAX_NAME - 14]}-{digest}{FORMATS[kind]}"


def read_given(path: Path, label: str, placement: str = "feed") -> tuple[bytes, str]:
    """The bytes of an image named in the campaign file and its file name for Meta."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("image introuvable.", file=label,
                         fix="Vérifiez le chemin (relatif au dossier du fichier de campagne).") from exc
    except OSError as exc:
        raise InputError(f"image illisible ({exc.strerror or type(exc).__name__}).", file=label,
                         fix="Vérifiez le fichier et ses droits de lecture.") from exc
    kind, _, _ = check_image(data, label=label, placement=placement)
    return data, given_file_name(path, data, kind)


# ------------------------------------------------------------------------------------------ drawing

@lru_cache(maxsize=1)
def _font_file() -> str | None:
    return next((f for f in FONT_FILES if Path(f).is_file()), None)


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = _font_file()
    if path is None:  # Pillow's own scalable font: still legible, without the bold weight
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word longer than the line stays whole (the caller shrinks)."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=font) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines or [""]


def _fit(draw, text: str, width: int, sizes: range, max_lines: int):
    """The largest font size at which `text` fits in `max_lines` lines of `width` px."""
    for size in sizes:
        font = _font(size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, lines
    font = _font(sizes[-1])
    lines = _wrap(draw, text, font, width)[:max_lines]
    return font, lines


def _block(draw, lines: list[str], font, x: int, y: int, colour, spacing: float = 1.18) -> int:
    height = round(font.size * spacing)
    for line in lines:
        draw.text((x, y), line, font=font, fill=colour)
        y += height
    return y


def draw_visual(visual: Visual, primary: str, accent: str, *, story: bool = False, folder: str | None = None
                ) -> bytes:
    """The PNG of a drawn visual, 4:5 or (`story`) 9:16 (cached: the app renders the export on every rerun).
    `folder`: the visuals' cache folder, when the caller asks for many (`visuals_cache_folder()`)."""
    return _drawn(visual.theme_label, visual.branch_line, visual.town, visual.signature, primary, accent,
                  DRAWN_STORY_SIZE if story else DRAWN_SIZE, folder or visuals_cache_folder())


# A national plan has 1,320 ad sets, so 2,640 images (4:5 and 9:16), about 50 s of CPU to draw: once drawn,
# an image is kept in the cache folder, under a key made of everything that decides its bytes (the texts,
# colours and size, this module's code, Pillow's and zlib's versions and the font file), so that another
# plan or another process that needs the same image reads the very bytes drawing it would give. In memory,
# the most recent ones (about 30 KiB each: a national plan's stay, for the app's reruns). The files are kept
# read-only and the export links them rather than copying them (`atomic.keep_linkable`, `read_linkable`): a
# file that was made writable or written since the cache wrote it is drawn again, and replaced.
VISUALS_CACHE_DIR = "visuels"
PNG_SIGNATURE, PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"


def visuals_cache_folder() -> str:
    """The folder of the drawn visuals in the cache folder, as a plain path: found once for a plan's 2,640
    images rather than once each (platformdirs and pathlib took a national plan's reading about 0.1 s)."""
    from outreach.paths import cache_dir

    return os.path.join(cache_dir(), VISUALS_CACHE_DIR)


@lru_cache(maxsize=4096)
def _drawn(theme: str, branch: str, town: str, signature: str, primary: str, accent: str,
           size: tuple[int, int], folder: str) -> bytes:
    key = hashlib.sha256("\x1f".join((_drawing_code_key(), theme, branch, town, signature, primary, accent,
                                       f"{size[0]}x{size[1]}")).encode("utf-8")).hexdigest()
    path = f"{folder}/{key[:2]}/{key[2:]}.png"
    from outreach import atomic

    data = atomic.read_linkable(path)
    if data is not None and data.startswith(PNG_SIGNATURE) and data.endswith(PNG_END):  # a file cut short is drawn again
        return data
    return atomic.keep_linkable(path, _draw(theme, branch, town, signature, primary, accent, size))


@lru_cache(maxsize=1)
def _drawing_code_key() -> str:
    """What the drawing depends on besides its texts: this code, Pillow, zlib and the font."""
    import zlib

    import PIL

    font = _font_file()
    parts = [Path(__file__).read_bytes(), PIL.__version__.encode(), zlib.ZLIB_RUNTIME_VERSION.encode(),
             (font or "").encode(), Path(font).read_bytes() if font else b""]
    return hashlib.sha256(b"\x1f".join(parts)).hexdigest()[:16]


LEVELS = 16  # shades of the text's anti-aliasing kept per ground: smooth edges in a 32-colour palette


def _palette(ground: tuple[int, int, int], ink: tuple[int, int, int]) -> list[int]:
    """LEVELS colours from the ground (0) to the ink (LEVELS - 1): the anti-aliased edges of the text."""
    steps = LEVELS - 1
    return [round(g + (i - g) * k / steps) for k in range(LEVELS) for g, i in zip(ground, ink, strict=True)]


def _draw(theme: str, branch: str, town: str, signature: str, primary: str, accent: str,
          size: tuple[int, int] = DRAWN_SIZE) -> bytes:
    """Text is drawn as coverage masks, which become indices into a palette of ground-to-ink shades: a
    palette PNG encodes about ten times faster than an RGB one, and the edges stay anti-aliased. A 9:16
    visual keeps its text between the bands that stories cover."""
    width, height = size
    story = height / width > 1.5
    top = STORY_SAFE_TOP_PX if story else 0
    bottom_reserve = STORY_SAFE_BOTTOM_PX if story else 0
    background, band = parse_hex(primary), parse_hex(accent)
    ink, band_ink = text_colour_on(background), text_colour_on(band)
    on_ground = Image.new("L", size, 0)  # how much each pixel is covered by text on the background
    draw = ImageDraw.Draw(on_ground)
    margin = 96
    text_width = width - 2 * margin
    # the accent band at the top carries the network's name; the theme is the largest text of the visual
    band_height = 150
    on_band = Image.new("L", (width, band_height), 0)
    band_draw = ImageDraw.Draw(on_band)
    sig_font, sig_lines = _fit(band_draw, signature, text_width, range(54, 31, -2), 1)
    _block(band_draw, sig_lines, sig_font, margin, (band_height - sig_font.size) // 2 - 4, 255)
    theme_font, theme_lines = _fit(draw, theme, text_width, range(132, 71, -4), 3)
    y = _block(draw, theme_lines, theme_font, margin, top + (420 if story else 300), 255, spacing=1.1)
    rule = (margin, y + 40, margin + 181, y + 57)  # a short rule in the accent colour under the theme
    # the place at the bottom: branch then town, never smaller than 48 px (16 px on a 360 px-wide phone)
    branch_font, branch_lines = _fit(draw, branch, text_width, range(72, 47, -2), 3)
    town_font, town_lines = _fit(draw, town, text_width, range(60, 47, -2), 1) if town else (_font(48), [])
    line_h = round(branch_font.size * 1.18)
    bottom = height - margin - bottom_reserve - (round(town_font.size * 1.18) * len(town_lines))
    y = bottom - line_h * len(branch_lines) - (24 if town_lines else 0)
    y = _block(draw, branch_lines, branch_font, margin, y, 255)
    if town_lines:
        _block(draw, town_lines, town_font, margin, y + 24, 255)
    steps = LEVELS - 1
    indices = on_ground.point([(v * steps + 127) // 255 for v in range(256)])
    indices.paste(on_band.point([LEVELS + (v * steps + 127) // 255 for v in range(256)]), (0, top))
    indices.paste(LEVELS, rule)
    image = indices.convert("P")  # from L, Pillow keeps each value as the palette index
    image.putpalette(_palette(background, ink) + _palette(band, band_ink))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)  # 20 KiB in a third of the default level's time
    return out.getvalue()


def alt_text(theme: str, branch: str, town: str, *, drawn: bool = True) -> str:
    """What a drawn visual shows; for an officer's image without its own alt text, only what it is for
    (outreach cannot see what a photo shows, and says so rather than invent it)."""
    where = f"{branch}, {town}" if town and town.casefold() not in branch.casefold() else branch
    if drawn:
        return f"Affiche : « {theme} », {where}."
    return f"Visuel de la publicité « {theme} », {where}."


# ------------------------------------------------------------------------------------------ the plan's visuals

def assign_visuals(campaign, ad_sets: list, branches: dict, settings=None) -> None:
    """Give every ad set its `visual`: the officer's image (checked now, so that nothing half-made leaves)
    or one drawn for its theme and branch. Keys of `images:` that match nothing in the plan are refused,
    as a misspelt id would otherwise silently fall back to a drawn visual."""
    if settings is None:
        from outreach.settings import load_settings

        settings = load_settings()
    images = campaign.images
    _refuse_stale(images, campaign, ad_sets)
    read: dict[str, tuple[bytes, str]] = {}
    for ad_set in ad_sets:
        lead = branches.get(ad_set.branch_id)
        town = lead.city if lead is not None else ""
        theme = ad_set.theme_label or ad_set.theme_id
        others = len(ad_set.branch_ids) - 1
        branch_line = ad_set.branch_name if not others else \
            f"{ad_set.branch_name} et {others} autre{'s' if others > 1 else ''} bibliothèque{'s' if others > 1 else ''}"
        given = _given_for(images, ad_set)
        if given is not None:
            where, choice = given
            path = Path(choice.file)
            path = path if path.is_absolute() else campaign.images_dir / path
            if str(path) not in read:
                read[str(path)] = read_given(path, f"{path} ({where})")
            _, file_name = read[str(path)]
            story_name = story_path = ""
            if choice.story:
                story = Path(choice.story)
                story = story if story.is_absolute() else campaign.images_dir / story
                if str(story) not in read:
                    read[str(story)] = read_given(story, f"{story} ({where}.story)", placement="story")
                story_name, story_path = read[str(story)][1], str(story)
            ad_set.visual = Visual(file_name=file_name, source="given", path=str(path),
                                   story_file_name=story_name, story_path=story_path,
                                   alt_text=choice.alt or alt_text(theme, branch_line, town, drawn=False))
        else:
            drawn = (theme, branch_line, town, settings.network_name, settings.colour_primary, settings.colour_accent)
            # the name changes with what is drawn: new colours make a new image, which the push uploads again
            digest = hashlib.sha1("\x1f".join(drawn).encode("utf-8")).hexdigest()[:8]
            ad_set.visual = Visual(
                file_name=f"{ad_set.ref[: MAX_NAME - 13]}-{digest}.png", source="drawn",
                story_file_name=f"{ad_set.ref[: MAX_NAME - 18]}-{digest}-9x16.png",
                alt_text=alt_text(theme, branch_line, town), theme_label=theme, branch_line=branch_line, town=town,
                signature=settings.network_name, primary=settings.colour_primary, accent=settings.colour_accent)


def _given_for(images, ad_set):
    if not images:
        return None
    for branch_id in ad_set.branch_ids:  # the lead branch first, then the others of a merged ad set
        found = images.for_ad_set(ad_set.ref, branch_id, ad_set.theme_id)
        if found is not None and not found[0].startswith("images.themes"):
            return found
    return images.for_ad_set(ad_set.ref, "", ad_set.theme_id)


def _refuse_stale(images, campaign, ad_sets: list) -> None:
    if not images:
        return
    refs = {a.ref for a in ad_sets}
    branch_ids = {b for a in ad_sets for b in a.branch_ids}
    stale = [f"images.ad_sets.{k}" for k in images.ad_sets if k not in refs] + \
        [f"images.branches.{k}" for k in images.branches if k not in branch_ids] + \
        [f"images.themes.{k}" for k in images.themes if k not in campaign.themes]
    if stale:
        raise InputError(f"image(s) données pour ce qui n'est pas dans le plan : {', '.join(stale)}.",
                         where="images", field="images",
                         fix="Utilisez la référence d'un ensemble de publicités (colonne Réf. du plan), "
                             "l'identifiant d'une bibliothèque du territoire ou un thème de la campagne.")


def visual_files(ad_sets: list) -> dict[str, bytes]:
    """`images/<file name>` → bytes, once per file, for the export and the pushed folder."""
    files: dict[str, bytes] = {}
    folder = visuals_cache_folder()
    for ad_set in ad_sets:
        visual = ad_set.visual
        if visual is None:
            continue
        name = f"{IMAGES_DIR}/{visual.file_name}"
        if name in files:
            continue
        if visual.source == "given":
            files[name] = Path(visual.path).read_bytes()
            if visual.story_file_name:
                files[f"{IMAGES_DIR}/{visual.story_file_name}"] = Path(visual.story_path).read_bytes()
        else:
            files[name] = draw_visual(visual, visual.primary, visual.accent, folder=folder)
            if visual.story_file_name:
                files[f"{IMAGES_DIR}/{visual.story_file_name}"] = draw_visual(visual, visual.primary, visual.accent,
                                                                               story=True, folder=folder)
    return files


# ------------------------------------------------------------------------------------------ the officer's choice

REPLACED_DIR = "visuels"  # where the app keeps the images an officer gives, beside the campaign files


def replace_visual(campaign, ref: str, data: bytes, name: str, *, alt: str = ""):
    """The campaign with its ad set `ref` shown with the image `data` (an upload named `name`): the image is
    checked as Meta would, kept in visuels/ beside the campaign files (its name carries a digest of its bytes,
    so a replaced image never overwrites one a saved campaign still uses), and named in images.ad_sets."""
    from outreach import atomic

    kind, _, _ = check_image(data, label=name)
    file_name = given_file_name(Path(ref.replace("--", "-")), data, kind)
    target = campaign.images_dir / REPLACED_DIR / file_name
    if not target.exists():
        atomic.write_bytes(target, data)
    images = campaign.images.model_dump()
    images["ad_sets"][ref] = {"file": f"{REPLACED_DIR}/{file_name}", "alt": alt.strip()}
    return campaign.model_validate(campaign.model_dump() | {"images": images}).with_source_dir(campaign._source_dir)


def drawn_again(campaign, ref: str):
    """The campaign with the ad set `ref`'s own image removed: it falls back to its branch's or theme's image,
    or to the drawn visual."""
    images = campaign.images.model_dump()
    images["ad_sets"].pop(ref, None)
    return campaign.model_validate(campaign.model_dump() | {"images": images}).with_source_dir(campaign._source_dir)


# ------------------------------------------------------------------------------------------ the posts' visuals

def theme_visual_files(campaign, themes: list, settings, folder: Path) -> dict[str, Path]:
    """One visual per theme for the organic posts (blog, Facebook, Mastodon, Instagram), written in `folder`:
    the officer's image for the theme (`images.themes` of the campaign file), else one drawn for the theme
    and the whole network, in its colours. Theme id → file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for theme in themes:
        choice = campaign.images.themes.get(theme.id)
        if choice is not None:
            path = Path(choice.file)
            path = path if path.is_absolute() else campaign.images_dir / path
            data, name = read_given(path, f"{path} (images.themes.{theme.id})")
        else:
            data = _drawn(theme.label, "Dans nos bibliothèques", "", settings.network_name, settings.colour_primary,
                          settings.colour_accent, DRAWN_SIZE, visuals_cache_folder())
            name = f"{theme.id}-reseaux.png"
        target = folder / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        files[theme.id] = target
    return files
