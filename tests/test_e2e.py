"""Whole visits through the real booth loop: pygame on SDL's dummy driver, real files, real QR."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pygame
from helpers import (
    ALL_SCREENS,
    advance,
    assert_not_blank,
    decode_qr,
    full_visit,
    press,
    screenshots,
)
from PIL import ExifTags, Image

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.machine import Phase
from kiosk.camera.frames import rgb_from_xrgb
from kiosk.config import WifiConfig
from kiosk.photos.index import PhotoIndex


def test_a_whole_visit_makes_a_photo_that_the_share_qr_finds(make_app, config) -> None:
    app = make_app()
    now = full_visit(app)
    photo = app.machine.photo
    assert photo is not None
    now = press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.ATTRACT

    shots = screenshots(app)
    assert list(shots) == [*ALL_SCREENS, "attract"] or set(shots) == set(ALL_SCREENS)
    for name in ALL_SCREENS:
        assert_not_blank(shots[name])

    # The photo: a real JPEG of exactly the crop's size, with its authorship in EXIF.
    saved = Path(photo.path)
    assert saved.parent.parent.parent == config.storage.dir
    with Image.open(saved) as image:
        assert image.format == "JPEG"
        assert image.size == (app.guidance.crop.width, app.guidance.crop.height) == (2074, 2592)
        exif = image.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
    assert exif[ExifTags.Base.ImageDescription] == "Sommerfest 2026"
    assert exif[ExifTags.Base.Artist] == "Fotoclub Mueller"
    assert exif[ExifTags.Base.Copyright] == "(c) 2026 Fotoclub Mueller"
    assert details[ExifTags.Base.DateTimeOriginal] == "2026:07:04 15:30:12"
    assert details[ExifTags.Base.OffsetTimeOriginal] == "+02:00"

    # The share screen's QR leads to the token stored for exactly this file.
    [url] = decode_qr(shots["share"])
    assert url == photo.url
    assert url.startswith("http://booth.test:8080/p/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 22
    record = PhotoIndex(config.storage.layout.index_path).get(token)
    assert record is not None
    assert config.storage.dir / record.file == saved
    assert record.expires - record.created == config.share.link_ttl

    # One visit line, describing what happened.
    [line] = config.storage.layout.visits_path.read_text(encoding="utf-8").splitlines()
    visit = json.loads(line)
    assert visit["outcome"] == "shared"
    assert visit["photo"] == str(saved)
    assert visit["token"] == token
    assert [phase["phase"] for phase in visit["phases"]] == ALL_SCREENS[1:]
    assert visit["retakes"] == 0
    assert visit["ended"] == "2026-07-04T15:30:12+02:00"
    took = dt.datetime.fromisoformat(visit["ended"]) - dt.datetime.fromisoformat(visit["started"])
    assert abs(took.total_seconds() - visit["duration_s"]) < 1


def test_the_framing_screen_shows_the_photo_crop_mirrored(make_app) -> None:
    app = make_app()
    app.camera.person.move(-0.08, 0.0)  # the person stands off-centre: asymmetry to look for
    app.start(0.0)
    press(app, MainButton(), 0.1)
    screen = pygame.surfarray.array3d(app.surface).transpose(1, 0, 2).astype(float)
    area = app.screens.preview.rect_for((app.guidance.crop.width, app.guidance.crop.height))
    shown = screen[area.top : area.bottom, area.left : area.right]

    frame = app.camera.preview_frame()
    assert frame.crop == app.guidance.crop
    seen = rgb_from_xrgb(frame.pixels).astype(float)
    height = seen.shape[0]
    assert seen.shape == shown.shape, "the preview maps one to one onto the screen"
    # Compare above the cue banner, where only the thin guide oval is drawn over the image.
    rows = slice(0, round(height * 0.75))
    mirrored_error = np.abs(shown[rows] - seen[rows, ::-1]).mean()
    straight_error = np.abs(shown[rows] - seen[rows]).mean()
    assert mirrored_error < 6
    assert straight_error > 4 * mirrored_error


def test_retake_deletes_the_rejected_photo_and_its_link(make_app, config) -> None:
    app = make_app()
    app.start(0.0)
    now = press(app, MainButton(), 0.1)
    now = press(app, MainButton(), now + 0.1)
    now = advance(app, now, config.timing.countdown + 0.3)
    first = app.machine.photo
    assert first is not None and Path(first.path).is_file()
    now = press(app, SecondButton(), now + 0.1)
    assert app.machine.phase is Phase.FRAMING
    assert not Path(first.path).exists()
    assert PhotoIndex(config.storage.layout.index_path).get(first.token) is None

    now = press(app, MainButton(), now + 0.1)
    now = advance(app, now, config.timing.countdown + 0.3)
    second = app.machine.photo
    assert second is not None and second.token != first.token
    now = advance(app, now, config.timing.review_timeout + 0.2)
    assert app.machine.phase is Phase.SHARE
    advance(app, now, config.timing.share_timeout + 0.2)
    assert app.machine.phase is Phase.ATTRACT
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    assert json.loads(line)["retakes"] == 1
    assert [p.name for p in config.storage.layout.photos_dir.rglob("*.jpg")] == [
        Path(second.path).name
    ]


def test_camera_fault_mid_visit_shows_out_of_order_and_recovers(make_app, config) -> None:
    app = make_app()
    app.start(0.0)
    now = press(app, MainButton(), 0.1)
    now = press(app, MainButton(), now + 0.1)
    image = config.camera.image
    hidden = image.rename(image.with_suffix(".away"))  # the camera is unplugged mid-countdown
    now = advance(app, now, config.timing.countdown + 0.3)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert "gone" in (app.machine.fault or "")
    assert_not_blank(screenshots(app)["out_of_order"])
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    assert json.loads(line)["outcome"] == "fault"

    now = advance(app, now, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.OUT_OF_ORDER, "still unplugged: stays out of order"
    hidden.rename(image)
    now = advance(app, now, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.ATTRACT
    assert not list(config.storage.layout.photos_dir.rglob("*.jpg"))


def test_booth_starts_out_of_order_without_a_camera(make_app, config) -> None:
    image = config.camera.image
    app = make_app()
    image.unlink()
    app.start(0.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    app.step(1.0)
    app.post(MainButton())
    app.step(2.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER


def test_english_screens_render_too(make_app, config) -> None:
    app = make_app(
        config.model_copy(update={"event": config.event.model_copy(update={"language": "en"})})
    )
    full_visit(app)
    assert app.screens.kit.texts.language == "en"
    for name in ALL_SCREENS:
        assert_not_blank(screenshots(app)[name])


def test_a_portrait_screen_with_a_logo_shows_every_screen(make_app, config, tmp_path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (400, 120), (20, 200, 120, 255)).save(logo)
    branding = config.branding.model_copy(update={"logo": logo})
    display = config.display.model_copy(update={"size": (720, 1280)})
    portrait = config.model_copy(update={"branding": branding, "display": display})
    pygame.display.set_mode(display.size)
    app = make_app(portrait, surface=pygame.display.get_surface())
    full_visit(app)
    shots = screenshots(app)
    for name in ALL_SCREENS:
        assert_not_blank(shots[name])
        assert Image.open(shots[name]).size == (720, 1280)
    [url] = decode_qr(shots["share"])
    assert url == app.machine.photo.url
    attract = np.asarray(Image.open(shots["attract"]).convert("RGB"))
    assert (np.abs(attract.astype(int) - (20, 200, 120)).sum(axis=2) < 30).sum() > 30000


def with_wifi(config, size: tuple[int, int]):
    share = config.share.model_copy(
        update={"wifi": WifiConfig(ssid="Foto;box", password="sommer:fest,2026")}
    )
    display = config.display.model_copy(update={"size": size})
    return config.model_copy(update={"share": share, "display": display})


WIFI_CODE = r"WIFI:T:WPA;S:Foto\;box;P:sommer\:fest\,2026;;"


def test_wide_screen_shows_wifi_and_link_codes_side_by_side(make_app, config) -> None:
    wide = with_wifi(config, (1280, 720))
    app = make_app(wide, surface=pygame.display.set_mode(wide.display.size))
    full_visit(app)
    assert app.machine.screen == "share"
    codes = decode_qr(screenshots(app)["share"])
    assert sorted(codes) == sorted([WIFI_CODE, app.machine.photo.url])


def test_narrow_screen_shows_the_wifi_code_first_then_the_link(make_app, config) -> None:
    narrow = with_wifi(config, (1024, 768))
    app = make_app(narrow, surface=pygame.display.set_mode(narrow.display.size))
    now = full_visit(app)
    assert app.machine.screen == "share_wifi"
    assert decode_qr(screenshots(app)["share_wifi"]) == [WIFI_CODE]
    now = press(app, MainButton(), now + 0.1)
    assert app.machine.screen == "share"
    assert decode_qr(screenshots(app)["share"]) == [app.machine.photo.url]
    press(app, MainButton(), now + 0.1)
    assert app.machine.screen == "share", "the link step ignores a press right after the Wi-Fi"
    now = advance(app, now, config.timing.share_guard + 0.2)
    press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.ATTRACT


def test_a_full_disk_stops_the_booth_before_a_capture_and_it_recovers(make_app, config) -> None:
    greedy = config.model_copy(
        update={"storage": config.storage.model_copy(update={"min_free_mb": 1_000_000})}
    )
    app = make_app(greedy)
    app.start(0.0)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert "disk almost full" in (app.machine.fault or "")
    assert "storage.min_free_mb" in (app.machine.fault or "")
    assert_not_blank(screenshots(app)["out_of_order"])
    # Staff make room (here: lower the floor) and the booth notices at its next check.
    app.health.config = config
    advance(app, 0.0, config.timing.camera_retry + 0.5)
    assert app.machine.phase is Phase.ATTRACT


def test_disk_filling_up_during_a_visit_fails_the_capture_not_the_photo_file(
    make_app, config
) -> None:
    app = make_app()
    app.start(0.0)
    now = press(app, MainButton(), 0.1)
    now = press(app, MainButton(), now + 0.1)
    app.health.config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"min_free_mb": 1_000_000})}
    )
    advance(app, now, config.timing.countdown + 0.3)
    assert app.machine.phase is Phase.OUT_OF_ORDER
    assert app.machine.faults.keys() == {"disk"}
    assert not list(config.storage.layout.photos_dir.rglob("*.jpg"))
    assert not list(config.storage.layout.photos_dir.rglob("*.tmp"))


def test_cues_show_a_pictogram_beside_the_preview_and_turn_the_oval_amber(make_app) -> None:
    from kiosk.booth.events import FramingAdvice
    from kiosk.booth.screens.kit import AMBER

    app = make_app()
    app.start(0.0)
    press(app, MainButton(), 0.1)
    area = app.screens.preview.rect_for((app.guidance.crop.width, app.guidance.crop.height))

    def amber_pixels(cue: str | None) -> tuple[int, int]:
        app.post(FramingAdvice(person_present=True, cue=cue))
        app.step(5.0)
        pixels = pygame.surfarray.array3d(app.surface).transpose(1, 0, 2).astype(int)
        amber = np.abs(pixels - np.array(AMBER)).sum(axis=2) < 12
        inside = int(amber[area.top : area.bottom, area.left : area.right].sum())
        return inside, int(amber.sum()) - inside

    inside_plain, beside_plain = amber_pixels(None)
    inside_cue, beside_cue = amber_pixels("cue_move_left")
    assert inside_cue > inside_plain + 500, "the oval turns amber"
    assert beside_cue > beside_plain + 2000, "the cue and its arrow stand beside the preview"
