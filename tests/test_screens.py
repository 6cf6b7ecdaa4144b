"""Every attendee screen, in every state and language, at three screen sizes, checked on its
pixels: text contrast and size, the safe margin, nothing drawn over the face but the oval and its
ring, and QR codes that decode with clear quiet zones."""

from __future__ import annotations

import math

import numpy as np
import pygame
import pygame.freetype
import pytest
import zxingcpp
from PIL import Image

from kiosk.booth.screens.framing import LiveLayout
from kiosk.booth.screens.gallery import EXAMPLE_URL, SIZES, frames, variants
from kiosk.booth.screens.kit import Frame
from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.booth.screens.shapes import ellipse_band
from kiosk.camera.image_camera import ASTRONAUT_EYES, ImageCamera
from kiosk.camera.pictured_person import PicturedPerson
from kiosk.config import Config
from kiosk.share.links import wifi_join_code
from kiosk.vision.thresholds import thresholds_for

VARIANTS = dict(variants(Config()))


@pytest.fixture(scope="module")
def camera(astronaut: np.ndarray) -> ImageCamera:
    person = PicturedPerson(eyes=ASTRONAUT_EYES)
    return ImageCamera(Image.fromarray(astronaut), Config().camera.sensor_size, person=person)


def safe_area(size: tuple[int, int], config: Config) -> pygame.Rect:
    width, height = size
    margin = config.display.safe_margin
    return pygame.Rect(
        round(width * margin),
        round(height * margin),
        round(width * (1 - 2 * margin)),
        round(height * (1 - 2 * margin)),
    )


def check_fit(frame: Frame, size: tuple[int, int], config: Config) -> None:
    """Every text inside the safe area and the box it was fitted to; no line a lone short word
    or a lone number; every cue in at most two lines; the countdown digit large."""
    safe = safe_area(size, config)
    short = min(size)
    assert frame.labels, f"{frame.name}: no text noted"
    for label in frame.labels:
        where = f"{frame.name}: {label.text!r}"
        assert safe.contains(label.rect), f"{where} at {label.rect} leaves the safe area {safe}"
        if label.box is not None:
            # A line's ink may reach a pixel or two past its advance width.
            assert label.box.inflate(4, 4).contains(label.rect), f"{where} leaves {label.box}"
        words = label.text.split(" ")
        if label.lines > 1 and len(words) == 1:
            lone = words[0].strip("()…\u00a0 .,:")
            assert len(lone) > 3 and not lone.isdigit(), f"{where}: a lone short line"
        if label.role == "cue":
            assert label.lines <= 2, f"{where}: a cue in {label.lines} lines"
        if label.role == "digit":
            assert label.rect.height >= 0.2 * short, f"{where}: digit {label.rect.height} px"
    if frame.name.startswith("countdown"):
        assert any(label.role == "digit" for label in frame.labels), frame.name


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (last axis: r, g, b in 0..255)."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    a, b = luminance(first), luminance(second)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def pixels_of(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(np.int32)


def check_texts(frame: Frame, pixels: np.ndarray, config: Config) -> None:
    height, width = pixels.shape[:2]
    short = min(width, height)
    check_fit(frame, (width, height), config)
    for label in frame.labels:
        where = f"{frame.name}: {label.text!r}"
        rect = label.rect
        least = {"cue": 0.06, "digit": 0.2}.get(label.role, 0.035)
        assert label.pixels >= least * short - 0.5, f"{where} is {label.pixels} px"
        # What is behind the text: the pixels just around its box.
        ring = np.concatenate(
            [
                pixels[rect.top - 2, rect.left - 2 : rect.right + 2],
                pixels[rect.bottom + 1, rect.left - 2 : rect.right + 2],
                pixels[rect.top - 2 : rect.bottom + 2, rect.left - 2],
                pixels[rect.top - 2 : rect.bottom + 2, rect.right + 1],
            ]
        )
        worst = np.percentile(contrast(np.array(label.colour), ring), 5)
        assert worst >= 4.5, f"{where}: contrast {worst:.2f} against what is behind it"
        # The text is really there, in its colour, and about as tall as its size says.
        inside = pixels[rect.top : rect.bottom, rect.left : rect.right]
        ink = np.abs(inside - np.array(label.colour)).sum(axis=2) < 60
        rows = np.flatnonzero(ink.any(axis=1))
        assert rows.size, f"{where}: no pixels in the text's colour"
        assert rows[-1] - rows[0] + 1 >= 0.45 * label.pixels, f"{where}: ink too short"


def check_face(frame: Frame, pixels: np.ndarray) -> None:
    """Over the face (eyes to chin, widened) only the oval and its ring differ from the bare
    preview."""
    layout = frame.live
    assert isinstance(layout, LiveLayout) and frame.preview is not None
    box = layout.face_box
    bare = pixels_of(frame.preview)[box.top : box.bottom, box.left : box.right]
    drawn = pixels[box.top : box.bottom, box.left : box.right]
    changed = np.abs(drawn - bare).sum(axis=2) > 0
    allowed = np.zeros_like(changed)
    for radii, line in (
        (layout.oval_radii, layout.oval_width),
        (layout.ring_radii, layout.ring_width),
    ):
        size = (round(2 * radii[0]) + 40, round(2 * radii[1]) + 40)
        cover = ellipse_band(size, radii, line + 3) > 0
        left = round(layout.oval_centre[0] - size[0] / 2)
        top = round(layout.oval_centre[1] - size[1] / 2)
        allowed |= cover[box.top - top : box.bottom - top, box.left - left : box.right - left]
    stray = changed & ~allowed
    assert not stray.any(), f"{frame.name}: {stray.sum()} pixels drawn over the face"
    for label in frame.labels:
        assert not label.rect.colliderect(layout.area), f"{frame.name}: text over the photo"


def check_codes(frame: Frame, pixels: np.ndarray, expected: set[str], short: int) -> None:
    assert frame.codes, f"{frame.name}: no QR code"
    found = {
        result.text
        for result in zxingcpp.read_barcodes(Image.fromarray(pixels.astype(np.uint8)).convert("L"))
    }
    assert found == expected, frame.name
    for number, code in enumerate(frame.codes):
        rect, module = code.rect, code.module
        assert module >= 0.5 * short / 100, f"{frame.name}: {module} px modules"
        assert code.quiet >= 4
        quiet = code.quiet * module
        box = pixels[rect.top : rect.bottom, rect.left : rect.right]
        border = np.ones(box.shape[:2], dtype=bool)
        border[quiet:-quiet, quiet:-quiet] = False
        assert (box[border] >= 250).all(), f"{frame.name}: something in a quiet zone"
        # Around the quiet zone the screen is not white: two codes' zones never merge.
        outside = pixels[rect.top - 1, rect.left : rect.right]
        assert (outside.sum(axis=1) < 600).all(), f"{frame.name}: quiet zone runs on"
        for other in frame.codes[number + 1 :]:
            assert not rect.inflate(4 * module, 4 * module).colliderect(other.rect)
        for label in frame.labels:
            assert not label.rect.colliderect(rect), f"{frame.name}: text in a code"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_screen_reads_well(variant: str, size: tuple[int, int], camera) -> None:
    config = VARIANTS[variant]
    wifi = config.join_wifi
    shown = list(frames(config, size, camera, share_only=wifi is not None))
    names = {frame.name for frame in shown}
    short = min(size)
    if wifi is None:
        expected = {"attract", "attract-still", "framing-press", "framing-perfect-hold"}
        expected |= {"framing-timeout", "countdown-3", "countdown-2"}
        expected |= {"countdown-1", "capture-flash", "capture-choosing", "review", "share"}
        expected |= {"out-of-order", "framing-move_left", "framing-chin_up", "framing-tilt_left"}
        expected |= {"share-print-offer", "share-print-on-its-way", "share-print-paused"}
        assert expected <= names
    else:
        # The booth's own Wi-Fi: always one screen, the join code the larger.
        two_codes = config.hotspot.enabled or size[0] >= size[1] * 1.6
        assert names == ({"share"} if two_codes else {"share", "share-wifi"})
    # The photo's code on the plain share screen (one code, no print news): the main code of
    # the others (the photo's; with the hotspot the join code) keeps at least 80 % of it.
    plain = VARIANTS[variant.removesuffix("-wifi").removesuffix("-hotspot")]
    [single] = [f for f in frames(plain, size, camera, share_only=True) if f.name == "share"]
    single_side = single.codes[-1].rect.width
    for frame in shown:
        pixels = pixels_of(frame.surface)
        check_texts(frame, pixels, config)
        if frame.name == "share" or frame.name.startswith("share-print"):
            main = frame.codes[0] if config.hotspot.enabled else frame.codes[-1]
            assert main.rect.width >= 0.8 * single_side - main.module, (
                f"{frame.name}: the main code {main.rect.width} px, the plain's {single_side} px"
            )
        if frame.live is not None:
            check_face(frame, pixels)
        if frame.name.startswith("share"):
            check_hero(frame, pixels)
            codes = set()
            if wifi is not None and (frame.name == "share-wifi" or len(frame.codes) == 2):
                codes.add(wifi_join_code(wifi))
            if frame.name == "share" or frame.name.startswith("share-print"):
                codes.add(EXAMPLE_URL)
            check_codes(frame, pixels, codes, short)
            if config.hotspot.enabled:
                join, link = frame.codes
                # Larger where there is room; both at the smallest module that still scans
                # where there is not (a wide screen, whose portrait takes the full height).
                assert join.rect.width >= link.rect.width, f"{frame.name}: join code smaller"
                assert join.module > link.module or join.module == math.ceil(0.5 * short / 100)


def check_hero(frame: Frame, pixels: np.ndarray) -> None:
    """The portrait is the share screen's hero: a third of the screen or more, and drawn."""
    assert frame.hero is not None, frame.name
    height, width = pixels.shape[:2]
    assert frame.hero.width * frame.hero.height >= 0.33 * width * height, frame.name
    hero = pixels[frame.hero.top : frame.hero.bottom, frame.hero.left : frame.hero.right]
    assert hero.std() > 20, f"{frame.name}: no picture where the portrait should be"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_text_fits_with_dejavu_sans_too(variant, size, camera, monkeypatch) -> None:
    """A wider face (DejaVu Sans, what a desktop without the package's fonts would draw with):
    every text still fits its box; checked on the drawing's notes, no pixels compared."""
    from kiosk.booth.screens import typeface

    monkeypatch.setattr(typeface, "WEIGHT_FILES", typeface.DEJAVU_FILES)
    config = VARIANTS[variant]
    shown = list(frames(config, size, camera, share_only=config.join_wifi is not None))
    assert shown
    for frame in shown:
        assert frame.labels and "DejaVu" in typeface.Typeface().name
        check_fit(frame, size, config)


def test_the_wheel_carries_the_typefaces_and_their_licences(tmp_path) -> None:
    """install.sh installs the package (not editable): the fonts must be in the wheel."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(root)],
        check=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    [wheel] = tmp_path.glob("echtbild-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for font in ("Inter-Regular.otf", "Inter-SemiBold.otf", "DejaVuSansMono.ttf"):
        assert f"kiosk/fonts/{font}" in names
    for licence in ("Inter-OFL.txt", "DejaVu-LICENSE.txt"):
        assert f"kiosk/fonts/{licence}" in names
    # And the demo portrait that plays the camera on a computer (not a dev extra).
    assert "kiosk/camera/demo-portrait.jpg" in names
    ofl = zipfile.ZipFile(wheel).read("kiosk/fonts/Inter-OFL.txt").decode()
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl


def test_lines_are_balanced_and_numbers_stay_with_their_unit() -> None:
    from kiosk.booth.screens.typeface import Typeface

    pygame.freetype.init()
    face = Typeface()
    text = "Neu aufnehmen (noch\u00a02)"
    width = face.width("Neu aufnehmen (noch", 48, "semibold") + 4
    lines = face.wrap(text, 48, width, "semibold")
    assert lines == ["Neu aufnehmen", "(noch\u00a02)"]
    cue = "Schauen Sie nach links zur Kamera"
    fitted = face.fit(cue, [80, 70, 60], (600, 1000), "semibold", max_lines=2)
    assert fitted.fits and len(fitted.lines) <= 2
    # Balanced: the lines are about as long as each other.
    widths = [face.width(line, fitted.pixels, "semibold") for line in fitted.lines]
    assert min(widths) > 0.5 * max(widths)


def test_out_of_order_shows_no_technical_reason(camera) -> None:
    config = VARIANTS["de"]
    [frame] = [f for f in frames(config, (1280, 720), camera) if f.name == "out-of-order"]
    text = " ".join(label.text for label in frame.labels)
    assert "Gleich wieder da" in text
    for technical in ("disk", "min_free_mb", "storage", "MB"):
        assert technical not in text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_take_it_now_hint_stays_where_the_band_gives_way(size, camera) -> None:
    """The band (steps, hint) gives way on a small wide screen; the hint stays, as the cue
    column's foot, on every framing screen."""
    config = VARIANTS["en"]
    for frame in frames(config, size, camera):
        if frame.name.startswith("framing"):
            said = " ".join(label.text for label in frame.labels)
            assert "Take it now" in said, f"{frame.name} at {size}: {said}"


def test_press_the_button_only_where_pressing_is_next(camera) -> None:
    config = VARIANTS["en"]
    said = {
        frame.name: " ".join(label.text for label in frame.labels)
        for frame in frames(config, (1920, 1080), camera)
        if frame.name.startswith(("framing", "countdown"))
    }
    for name, text in said.items():
        pressing = name in {"framing-press", "framing-press-no-frame", "framing-timeout"}
        pressing |= name == "framing-perfect-press"  # auto-capture off
        assert ("press" in text.lower()) == pressing, f"{name}: {text}"
    assert "Look into the lens" in said["countdown-1"]
    assert "Look into the lens" not in said["countdown-3"]


def test_the_typeface_is_inter_with_dejavu_as_fallback_or_the_events_own(monkeypatch) -> None:
    from kiosk.booth.screens import typeface

    shipped = typeface.Typeface()
    assert shipped.name == "Inter", "the package ships Inter"
    assert shipped.font("regular").path.startswith(str(typeface.PACKAGE_FONTS))
    assert shipped.font("mono").path.startswith(str(typeface.PACKAGE_FONTS))
    dejavu = typeface.Path("/usr/share/fonts/truetype/dejavu")
    monkeypatch.setattr(typeface, "FONT_DIRS", (dejavu,))
    assert typeface.Typeface().name == "DejaVu Sans"
    own = typeface.Typeface(dejavu / "DejaVuSerif.ttf")
    assert own.name == "DejaVu Serif"
    assert own.font("semibold") is own.font("regular")


def test_the_new_look_and_feel_keys_are_checked_by_name() -> None:
    from kiosk.config import ConfigError, parse_config

    config = parse_config(
        {
            "event": {"address": "Sie"},
            "branding": {"font": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"},
            "display": {"safe_margin": 0.05},
            "timing": {"share_guard": 3},
            "buttons": {"main_colour": "#FF0000", "second_colour": "#0000ff"},
            "sound": {"enabled": True, "voice": True, "volume": 0.3},
        }
    )
    assert config.event.address == "Sie" and config.buttons.main_colour == "#ff0000"
    with pytest.raises(ConfigError) as caught:
        parse_config(
            {
                "event": {"address": "ihr"},
                "buttons": {"main_colour": "green"},
                "display": {"safe_margin": 0.5},
                "sound": {"volume": 2},
            }
        )
    message = str(caught.value)
    for key in ("event.address", "buttons.main_colour", "display.safe_margin", "sound.volume"):
        assert key in message


@pytest.mark.parametrize(
    ("size", "lens", "side"),
    [
        ((1920, 1080), "above", "right"),
        ((1920, 1080), "left", "left"),
        ((1080, 1920), "above", "top"),
        ((1080, 1920), "below", "bottom"),
    ],
)
def test_the_message_sits_beside_the_face_or_toward_the_lens(size, lens, side) -> None:
    from kiosk.booth.screens import screens_for
    from kiosk.vision.thresholds import thresholds_for

    config = Config()
    screens = screens_for(pygame.Surface(size, depth=32), config, thresholds_for(config.guidance))
    screens.kit.lens = lens
    area = screens.preview.rect_for((1600, 2000))
    panel = LiveLayout(screens.kit, area).panel
    assert not panel.colliderect(area)
    where = {
        "right": panel.left >= area.right,
        "left": panel.right <= area.left,
        "top": panel.bottom <= area.top,
        "bottom": panel.top >= area.bottom,
    }
    assert where[side], (panel, area)


def test_the_oval_follows_the_framing_rules_eye_line_and_face_size() -> None:
    from kiosk.booth.screens import screens_for
    from kiosk.config import parse_config
    from kiosk.vision.thresholds import thresholds_for

    def layout(guidance: dict) -> LiveLayout:
        config = parse_config({"guidance": guidance})
        screens = screens_for(pygame.Surface((1280, 720)), config, thresholds_for(config.guidance))
        return LiveLayout(screens.kit, screens.preview.rect_for((1600, 2000)))

    usual, id_photo = layout({}), layout({"eye_line": 0.42, "face_fill": 0.27})
    area = usual.area
    assert usual.eye_y == pytest.approx(area.top + 0.36 * area.height)
    assert id_photo.eye_y == pytest.approx(area.top + 0.42 * area.height)
    assert id_photo.oval_radii[1] / usual.oval_radii[1] == pytest.approx(0.27 / 0.23)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_demo_note_names_every_key_and_fits_the_screen(language: str) -> None:
    from kiosk.booth.screens import screens_for
    from kiosk.booth.screens.desk_keys import DeskKeysNote
    from kiosk.config import parse_config

    config = parse_config({"event": {"language": language}})
    text = config.texts_for().get("desk_keys")
    keys = {"de": ("Leertaste", "Enter", "R", "Rück", "Pfeile", "+", "−", "Esc")}
    keys["en"] = ("Space", "Enter", "R", "Backspace", "arrows", "+", "−", "Esc")
    for key in keys[language]:
        assert key in text, f"the note does not name {key}"
    for size in SIZES:
        screens = screens_for(pygame.Surface(size), config, thresholds_for(config.guidance))
        note = DeskKeysNote(screens.kit)
        assert note._note.get_width() <= size[0] - 2 * screens.kit.unit


def test_the_idle_screen_shows_the_live_mirror_dimmed_unless_turned_off(make_app, config) -> None:
    """The loop hands the idle screen camera frames (``display.idle_live_view``); the screen
    darkens them. Turned off, the idle screen is plain and asks the camera for nothing."""
    app = make_app(config)
    assert app.machine.phase.name == "ATTRACT"
    app.start(0.0)
    media = app._media()
    assert media.preview is not None
    area = app.screens.preview.rect_for((media.crop.width, media.crop.height))
    shown = pixels_of(app.surface)[area.top : area.bottom, area.left : area.right]
    bare = pygame.Surface(app.surface.get_size(), depth=32)
    PreviewRenderer(bare, (0, 0, 0), place=app.screens.preview.rect_for).draw(
        media.preview, media.crop
    )
    live = pixels_of(bare)[area.top : area.bottom, area.left : area.right]
    ratio = shown.mean() / live.mean()
    assert 0.3 < ratio < 0.6, f"the idle mirror is at {ratio:.2f} of the live picture"

    display = config.display.model_copy(update={"idle_live_view": False})
    still = make_app(config.model_copy(update={"display": display}))
    still.start(0.0)
    assert still._media().preview is None


def test_the_idle_card_over_the_live_picture_stays_from_frame_to_frame(camera) -> None:
    """On a tall screen the idle screen's card lies over the picture, which is drawn every
    frame: the card must be too."""
    from kiosk.booth.machine import BoothMachine
    from kiosk.booth.screens import screens_for
    from kiosk.booth.screens.gallery import framed_crop
    from kiosk.booth.screens.kit import Media

    config = Config()
    surface = pygame.Surface((1080, 1920), depth=32)
    screens = screens_for(surface, config, thresholds_for(config.guidance))
    crop = framed_crop(camera, config)
    camera.start(screens.preview.rect_for((crop.width, crop.height)).size, (320, 240))
    media = Media(preview=camera.preview_frame(), crop=crop)
    machine = BoothMachine(config.timing, config.photo.burst_count)
    idle = screens[machine.phase]
    idle.draw(machine, 0.0, media)
    first = [label.text for label in screens.kit.labels]
    before = pixels_of(surface)
    idle.draw(machine, 0.1, media)
    assert [label.text for label in screens.kit.labels] == first
    after = pixels_of(surface)
    for label in screens.kit.labels:
        rect = label.rect
        same = before[rect.top : rect.bottom, rect.left : rect.right]
        assert (same == after[rect.top : rect.bottom, rect.left : rect.right]).all(), label.text
