"""Every attendee screen in every state, drawn off-screen: for screenshots (``kiosk demo
--screenshots``) and for the test that checks each one on its pixels.

The states are made by driving a real ``BoothMachine`` with events at chosen times; the camera
is an image camera, so the live screens show a real picture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pygame

from kiosk.booth.events import CaptureFinished, Fault, FramingAdvice, MainButton, Tick
from kiosk.booth.machine import BoothMachine, Phase
from kiosk.booth.screens import screens_for
from kiosk.booth.screens.framing import LiveScreen
from kiosk.booth.screens.kit import Frame, Media
from kiosk.booth.screens.preview import PreviewRenderer
from kiosk.camera.crop import Crop, centred_crop
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import Config, HotspotConfig, WifiConfig
from kiosk.photos.store import SavedPhoto
from kiosk.progress import Progress
from kiosk.share.links import qr_modules
from kiosk.texts import TEXT_KEYS
from kiosk.vision.cropping import choose_crop
from kiosk.vision.thresholds import thresholds_for

SIZES = ((1920, 1080), (1080, 1920), (1280, 720))
# A face's eyes-to-chin distance in eye distances (about two).
EYES_TO_CHIN = 1.9
# Every cue the framing rules can give (kiosk.vision.framing), each drawn on its own.
CUES = sorted(key for key in TEXT_KEYS if key.startswith("cue_"))
# A link as long as the booth makes them (a LAN address, a port, a 22-character token).
EXAMPLE_URL = "http://192.168.178.42:8080/p/Il1O0oQ8kW2xZ7mN4rT9vA"


def frames(
    config: Config, size: tuple[int, int], camera: ImageCamera, share_only: bool = False
) -> Iterator[Frame]:
    """Each screen of the booth on a ``size`` display, drawn with ``config`` (``share_only``:
    only the share screens, which alone differ with the booth's own Wi-Fi)."""
    return (frame for frame in _states(config, size, camera, share_only) if frame is not None)


def _states(
    config: Config, size: tuple[int, int], camera: ImageCamera, share_only: bool
) -> Iterator[Frame | None]:
    surface = pygame.Surface(size, depth=32)
    screens = screens_for(surface, config, thresholds_for(config.guidance))
    crop = framed_crop(camera, config)
    camera.start(screens.preview.rect_for((crop.width, crop.height)).size, (320, 240))
    live = Media(preview=camera.preview_frame(), crop=crop)

    bare = pygame.Surface(size, depth=32)
    place = screens.preview.rect_for  # the stage's place for the picture
    PreviewRenderer(bare, screens.kit.background, place=lambda size: place(size)).draw(
        live.preview, crop
    )

    def shot(name: str, machine: BoothMachine, now: float, media: Media) -> Frame | None:
        if share_only and not name.startswith("share"):
            return None
        screens.preview.forget()
        screens.kit.drawn_by = None  # as when the booth enters a screen
        screen = screens[machine.phase]
        screen.draw(machine, now, media)
        kit = screens.kit
        frame = Frame(name, surface.copy(), list(kit.labels), list(kit.codes))
        frame.hero = getattr(screen, "hero", None)
        # The frame under a veil (idle, capture) is not the live picture the face check means.
        frozen = machine.phase in (Phase.CAPTURE, Phase.ATTRACT)
        if isinstance(screen, LiveScreen) and media.preview is not None and not frozen:
            frame.live, frame.preview = screen.layout, bare
        return frame

    def booth(auto_capture: bool = True) -> BoothMachine:
        wifi_first = config.share.wifi is not None and not screens.share.two_codes
        return BoothMachine(
            config.timing,
            config.photo.burst_count,
            auto_capture,
            wifi_first,
            join_code=config.join_wifi is not None,
        )

    machine = booth()
    yield shot("attract", machine, 0.5, live)
    yield shot("attract-still", machine, 0.5, Media())
    machine.handle(MainButton(), 0.0)
    yield shot("framing-press", machine, 0.5, live)
    yield shot("framing-press-no-frame", machine, 0.5, Media(crop=crop))
    for cue in CUES:
        advice = FramingAdvice(person_present=cue != "cue_step_in", cue=cue)
        machine.handle(advice, 1.0)
        yield shot(f"framing-{cue.removeprefix('cue_')}", machine, 1.0, live)
    machine.handle(FramingAdvice(person_present=True, cue=None, progress=0.6), 1.0)
    yield shot("framing-perfect-hold", machine, 1.0, live)
    manual = booth(auto_capture=False)
    manual.handle(MainButton(), 0.0)
    manual.handle(FramingAdvice(person_present=True, cue=None, progress=1.0), 1.0)
    yield shot("framing-perfect-press", manual, 1.0, live)
    timeout = config.timing.framing_timeout + 1
    yield shot("framing-timeout", manual, timeout, live)

    machine.handle(MainButton(), 2.0)
    assert machine.phase is Phase.COUNTDOWN
    for second in range(config.timing.countdown):
        name = f"countdown-{config.timing.countdown - second}"
        yield shot(name, machine, 2.0 + second + 0.3, live)
    end = 2.0 + config.timing.countdown
    machine.handle(Tick(), end)
    assert machine.phase is Phase.CAPTURE
    yield shot("capture-flash", machine, end + 0.05, live)
    yield shot("capture-choosing", machine, end + 1.0, live)

    photo = SavedPhoto("photo.jpg", "Il1O0oQ8kW2xZ7mN4rT9vA", EXAMPLE_URL, 1600, 2000)
    picture = screens.review.picture(_photo_pixels(camera, crop))
    shown = Media(photo=picture, link_code=qr_modules(photo.url))
    machine.handle(CaptureFinished(photo), end + 2.0)
    yield shot("review", machine, end + 3.0, shown)
    suggested = SavedPhoto(**{**photo.__dict__, "retake_suggested": True})
    assert machine.visit is not None
    machine.visit.photo = suggested
    yield shot("review-suggest-retake", machine, end + 3.0, shown)
    machine.visit.photo = photo
    machine.visit.retakes = config.timing.retakes
    yield shot("review-no-retakes", machine, end + 12.0, shown)

    machine.handle(MainButton(), end + 13.0)
    assert machine.phase is Phase.SHARE
    if machine.showing_wifi:
        yield shot("share-wifi", machine, end + 14.0, shown)
        machine.handle(MainButton(), end + 14.0 + config.timing.share_guard)
    yield shot("share", machine, end + 30.0, shown)
    # With [print]: the second button prints ("ask"), a print on its way, prints paused (the
    # same with or without the booth's Wi-Fi: drawn once, without).
    for note in ("offer", "on its way", "paused") if config.join_wifi is None else ():
        printing = dataclasses.replace(shown, printing=note)
        yield shot(f"share-print-{note.replace(' ', '-')}", machine, end + 30.0, printing)

    broken = booth()
    broken.handle(MainButton(), 0.0)
    broken.handle(Fault("disk", "disk almost full: 12 MB free (storage.min_free_mb)"), 1.0)
    yield shot("out-of-order", broken, 2.0, Media())


def framed_crop(camera: ImageCamera, config: Config) -> Crop:
    """The crop guidance would choose for the pictured person, moved (if need be) to where
    such a crop fits on the sensor: each screen then shows the face where it expects it (in
    the oval). The centred crop where the picture's eyes are not known."""
    found = camera.eyes_on_sensor()
    if found is None:
        return centred_crop(camera.sensor_size, config.photo.aspect_ratio)
    (x, y), eye_distance = found
    rules = thresholds_for(config.guidance)
    eyes_to_chin = eye_distance * EYES_TO_CHIN
    height = eyes_to_chin / rules.face_fill
    # A picture whose eyes are too near its top edge (scikit-image's astronaut) is moved
    # down until the crop's eye line leaves room above the head.
    lower = max(0.0, rules.eye_line * height * 1.04 - y)
    if lower:
        camera.person.move(0.0, lower / camera.sensor_size[1])
        (x, y), eye_distance = camera.eyes_on_sensor() or found
    aspect = config.photo.aspect_ratio
    return choose_crop((x, y), eyes_to_chin, camera.sensor_size, aspect, rules).crop


def _photo_pixels(camera: ImageCamera, crop: Crop) -> np.ndarray:
    """The photo as the booth would save it: the crop of the scene at full resolution,
    unmirrored (the scene itself: a burst's frames may catch a blink)."""
    pixels = camera.scene(camera.sensor_size)
    return np.ascontiguousarray(
        pixels[crop.top : crop.top + crop.height, crop.left : crop.left + crop.width, :3]
    )


def variants(config: Config) -> Iterator[tuple[str, Config]]:
    """The event texts the booth can speak: German with "du" and "Sie", English; each without a
    Wi-Fi code, with a network the booth does not make ([share.wifi]) and with its own
    ([hotspot])."""
    wifi = WifiConfig(ssid="Echtbild-Gast", password="Il1O0-lOl-booth")
    hotspot = HotspotConfig(
        enabled=True, ssid="Echtbild-Gast", password="Il1O0-lOl-booth", country="DE"
    )
    off = HotspotConfig()
    for language, address in (("de", "du"), ("de", "Sie"), ("en", "du")):
        event = config.event.model_copy(update={"language": language, "address": address})
        for name, network, own in (
            ("", None, off),
            ("-wifi", wifi, off),
            ("-hotspot", None, hotspot),
        ):
            share = config.share.model_copy(update={"wifi": network})
            tag = f"{language}{'-sie' if address == 'Sie' else ''}{name}"
            update = {"event": event, "share": share, "hotspot": own}
            yield tag, config.model_copy(update=update)


def write_gallery(
    config: Config,
    directory: Path,
    camera: ImageCamera,
    every_language: bool = False,
    show: bool = False,
) -> list[Path]:
    """Every screen in every state and screen size, with and without the booth's own Wi-Fi, as
    PNG files in ``directory``: in the event's language (``every_language``: de "du", de "Sie"
    and en, the set the screen tests check); ``show``: progress on standard error."""
    directory.mkdir(parents=True, exist_ok=True)
    own = (config.event.language, config.event.address if config.event.language == "de" else "du")
    chosen = [
        (tag, variant)
        for tag, variant in variants(config)
        if every_language or (variant.event.language, variant.event.address) == own
    ]
    # Some minutes on a busy machine: a count of the sets (a language and Wi-Fi setting at one
    # screen size) done so far.
    progress = Progress("writing every screen", len(chosen) * len(SIZES), "sets") if show else None
    written = []
    for tag, variant in chosen:
        for size in SIZES:
            share_only = tag.endswith(("-wifi", "-hotspot"))
            for frame in frames(variant, size, camera, share_only=share_only):
                path = directory / f"{tag}-{size[0]}x{size[1]}-{frame.name}.png"
                pygame.image.save(frame.surface, path)
                written.append(path)
            if progress is not None:
                progress.advance()
    if progress is not None:
        progress.done()
    return written
