"""`kiosk status`: what an operator checks first, one line per part."""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from kiosk.camera.frames import CameraError
from kiosk.config import Config
from kiosk.files import free_megabytes
from kiosk.photos.index import PhotoIndex


@dataclass(frozen=True)
class Check:
    name: str
    text: str
    ok: bool


def collect(config: Config, today: dt.date | None = None) -> list[Check]:
    today = today or dt.date.today()
    return [
        _camera(config),
        _gpio(config),
        _display(),
        _disk(config),
        _models(config),
        _credentials(config),
        *_visits(config, today),
    ]


def _camera(config: Config) -> Check:
    camera = config.camera
    if camera.backend == "image":
        if camera.image is None:
            return Check("camera", "backend 'image' but camera.image is not set", False)
        ok = camera.image.is_file()
        return Check("camera", f"image {camera.image}" + ("" if ok else " (missing)"), ok)
    from kiosk.camera.picam import load_picamera2_api

    try:
        api = load_picamera2_api()
        found = api.Picamera2.global_camera_info()
    except CameraError as error:
        if camera.backend == "auto" and camera.image is not None:
            return Check("camera", f"no picamera2; image {camera.image}", camera.image.is_file())
        return Check("camera", str(error), False)
    if not found:
        return Check("camera", "picamera2: no camera found", False)
    models = ", ".join(str(info.get("Model", "?")) for info in found)
    return Check("camera", f"picamera2: {models}", True)


def _gpio(config: Config) -> Check:
    if not (config.buttons.enabled or config.lights.enabled):
        return Check("gpio", "not used (keyboard only)", True)
    from gpiozero import Device

    from kiosk.hardware.gpio import GPIO_ERRORS

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gpiozero warns for each factory it cannot use
            Device.ensure_pin_factory()
    except GPIO_ERRORS as error:
        return Check("gpio", f"no pin factory: {error}", False)
    return Check("gpio", f"pin factory {type(Device.pin_factory).__name__}", True)


def _display() -> Check:
    driver = os.environ.get("SDL_VIDEODRIVER") or "SDL's choice (desktop or kmsdrm)"
    return Check("display", f"video driver {driver}", True)


def _disk(config: Config) -> Check:
    storage = config.storage
    free = free_megabytes(storage.dir.expanduser())
    ok = free >= storage.min_free_mb
    text = f"{free:.0f} MB free in {storage.dir} (floor {storage.min_free_mb} MB)"
    return Check("disk", text, ok)


def _models(config: Config) -> Check:
    from kiosk.vision.model_files import model_problems

    problems = model_problems(config.models_dir)
    if problems:
        text = f"{'; '.join(problems)} in {config.models_dir}: run 'kiosk models install'"
        return Check("models", text, False)
    return Check("models", f"face models in {config.models_dir}", True)


def _credentials(config: Config) -> Check:
    from kiosk.photos.credentials import CredentialsError, PhotoSigner, signing_key_paths

    if not config.credentials.sign:
        return Check("credentials", "signing switched off: photos are saved unsigned", True)
    chain, key = signing_key_paths(config)
    if not (chain.is_file() and key.is_file()):
        return Check("credentials", f"no signing key ({key}): photos are saved unsigned", False)
    try:
        PhotoSigner(chain, key)
    except CredentialsError as error:
        return Check("credentials", f"{error}: photos are saved unsigned", False)
    return Check("credentials", f"photos are signed ({chain})", True)


def _visits(config: Config, today: dt.date) -> list[Check]:
    visits = shared = 0
    lighting: dict[str, int] = {}  # lighting problem -> visits today that had it
    path = config.storage.visits_path
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                ended = dt.datetime.fromisoformat(record["ended"]).date()
            except (ValueError, KeyError, TypeError):
                continue
            if ended == today:
                visits += 1
                shared += record.get("outcome") == "shared"
                for problem in record.get("lighting") or ():
                    lighting[problem] = lighting.get(problem, 0) + 1
    photos = downloads = 0
    if config.storage.index_path.is_file():
        index = PhotoIndex(Path(config.storage.index_path))
        midnight = dt.datetime.combine(today, dt.time()).astimezone().timestamp()
        photos, downloads = index.totals_since(midnight)
        index.close()
    return [
        Check("visits today", f"{visits} ({shared} with a photo shared)", True),
        Check("downloads today", f"{downloads} of {photos} photos taken today", True),
        _lighting(lighting, visits),
    ]


LIGHTING_ADVICE = {
    "backlight": "faces much darker than behind them (backlight: light the face, or turn the "
    "booth from the window)",
    "clipped": "highlights clipped on faces (light too strong or too close)",
    "uneven": "one side of faces much darker (light from the side: add a fill light)",
}


def _lighting(problems: dict[str, int], visits: int) -> Check:
    """Lighting is the operator's to fix (docs/framing.md): what the face analysis saw today."""
    if not problems:
        return Check("lighting", "no lighting problems seen on faces today", True)
    found = "; ".join(
        f"{LIGHTING_ADVICE.get(name, name)} in {count} of {visits} visits"
        for name, count in sorted(problems.items(), key=lambda item: -item[1])
    )
    return Check("lighting", found, False)
