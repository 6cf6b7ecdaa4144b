"""`kiosk status`: what an operator checks first, one line per part.

Each line is fine, a warning (the booth runs, but less well: unsigned photos, no cues, keyboard
only) or a failure (the booth cannot take photos as configured). Only failures make the command
exit non-zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.camera.frames import CameraError
from kiosk.camera.image_camera import load_image
from kiosk.config import Config
from kiosk.exits import counted
from kiosk.files import free_megabytes
from kiosk.hotspot.system import HotspotStatus
from kiosk.hotspot.system import status as hotspot_status
from kiosk.journal import Journal
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import check_index
from kiosk.share.state import downloads_since


@dataclass(frozen=True)
class Check:
    name: str
    text: str
    ok: bool
    warning: bool = False

    @property
    def mark(self) -> str:
        if not self.ok:
            return "FAIL"
        return "warn" if self.warning else "ok"


def collect(config: Config, today: dt.date | None = None) -> list[Check]:
    today = today or dt.date.today()
    return [
        _camera(config),
        _gpio(config),
        _display(),
        _disk(config),
        _models(config),
        credentials_check(config),
        _index(config),
        _performance(config),
        *_cloud(config),
        *_printing(config),
        *hotspot_checks(config),
        *_visits(config, today),
    ]


def hotspot_checks(config: Config, state: HotspotStatus | None = None) -> list[Check]:
    """The booth's own Wi-Fi, when it makes one: up, country, phones, names, sign-in sheet."""
    if not config.hotspot.enabled:
        return []
    state = state or hotspot_status(config.hotspot)
    return [Check("hotspot", state.summary(config.hotspot), state.ok, state.country is None)]


def _camera(config: Config) -> Check:
    camera = config.camera
    if camera.backend == "image":
        if camera.image is None:
            text = "no camera: the demo portrait plays it (camera.backend = 'image')"
            return Check("camera", text, True, warning=True)
        try:
            load_image(camera.image)
        except CameraError as error:
            return Check("camera", str(error), False)
        return Check("camera", f"image camera: {camera.image}", True)
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

    from kiosk.hardware.gpio import pin_factory_problem

    problem = pin_factory_problem(report=False)
    if problem is None:
        return Check("gpio", f"pin factory {type(Device.pin_factory).__name__}", True)
    if config.camera.backend == "image":
        # A desk without GPIO: the booth runs from the keyboard.
        return Check("gpio", f"none here, keyboard only: {problem}", True, warning=True)
    return Check("gpio", f"no pin factory: {problem}", False)


def _display() -> Check:
    """The video driver SDL really uses here (asked, not guessed from the environment)."""
    from kiosk.hardware.display import OFFSCREEN_DRIVERS, video_driver

    driver, problem = video_driver()
    if problem:
        return Check("display", problem, False)
    if driver in OFFSCREEN_DRIVERS:
        text = f"video driver {driver}: drawing offscreen, as SDL_VIDEODRIVER asks"
        return Check("display", text, True, warning=True)
    return Check("display", f"video driver {driver}", True)


def _disk(config: Config) -> Check:
    storage = config.storage
    free = free_megabytes(storage.layout.root)
    ok = free >= storage.min_free_mb
    text = f"{free:.0f} MB free in {storage.dir} (floor {storage.min_free_mb} MB)"
    return Check("disk", text, ok)


def _models(config: Config) -> Check:
    from kiosk.vision.model_files import model_problems

    problems = model_problems(config.models_dir)
    if problems:
        text = f"{'; '.join(problems)} in {config.models_dir}: run 'kiosk models install'"
        return Check("models", f"framing without cues: {text}", True, warning=True)
    return Check("models", f"face models in {config.models_dir}", True)


def credentials_check(config: Config) -> Check:
    from kiosk.photos.credentials import CredentialsError, PhotoSigner, signing_key_paths

    if not config.credentials.sign:
        return Check("credentials", "signing switched off: photos are saved unsigned", True)
    chain, key = signing_key_paths(config)
    if not (chain.is_file() and key.is_file()):
        text = f"no signing key ({key}): photos are saved unsigned; run 'kiosk keys init'"
        return Check("credentials", text, True, warning=True)
    try:
        PhotoSigner(chain, key)
    except CredentialsError as error:
        return Check("credentials", f"{error}: photos are saved unsigned", True, warning=True)
    return Check("credentials", f"photos are signed ({chain})", True)


def _performance(config: Config) -> Check:
    from kiosk.booth.performance import read_performance

    record = read_performance(config.storage.layout.performance_path)
    if record is None:
        return Check("performance", "no figures yet: the booth writes them after a minute", True)
    fps, target = record.get("screen_fps"), record.get("target_fps")
    parts = [f"screen {fps} fps of {target}" if fps is not None else "screen: not measured"]
    if record.get("analysis_ms") is not None:
        limit = record.get("answer_limit_s")
        parts.append(f"analysis {record['analysis_ms']} ms per frame (limit {limit} s)")
    else:
        parts.append("no face analysis")
    text = f"{'; '.join(parts)}; measured {record.get('measured')}"
    slow = fps is not None and target and fps < 0.9 * target
    return Check(
        "performance",
        text + (" (slower than the display's rate)" if slow else ""),
        True,
        warning=bool(slow),
    )


def _cloud(config: Config) -> list[Check]:
    if not config.cloud.enabled:
        return []
    from kiosk.share.uploads import UploadJournal, counts_of

    counts = counts_of(UploadJournal(config.storage.layout.uploads_path).replay())
    text = (
        f"{counts.queued} waiting, {counts.uploaded} uploaded to {config.cloud.bucket}, "
        f"{counts.failed_tries} failed tries"
    )
    if counts.deletions_queued:
        text += f", {counts.deletions_queued} deletions waiting"
    if counts.oldest_waiting is not None:
        taken = dt.datetime.fromtimestamp(counts.oldest_waiting)
        text += f"; oldest waiting taken {taken:%Y-%m-%d %H:%M}"
    if counts.last_error:
        text += f"; last error: {counts.last_error}"
    stuck = bool(counts.queued and counts.last_error)
    return [Check("cloud", text, True, warning=stuck)]


def _printing(config: Config) -> list[Check]:
    if config.print.when == "never":
        return []
    from kiosk.printing.staff import printer_line

    text, fine = printer_line(config)
    return [Check("printer", text, True, warning=not fine)]


def _index(config: Config) -> Check:
    """The photo index against its journal (what the booth checks, and rebuilds, at start)."""
    storage = config.storage
    verdict = check_index(storage.layout.index_path, PhotoJournal(storage.layout.journal_path))
    text = verdict.describe()
    if not verdict.ok:
        text += "; the booth rebuilds it at start, or run 'kiosk index rebuild'"
    elif not verdict.journal_ok:
        text += "; the booth writes them back at start"
    return Check("index", text, verdict.agree)


def _visits(config: Config, today: dt.date) -> list[Check]:
    visits = shared = 0
    lighting: dict[str, int] = {}  # lighting problem -> visits today that had it
    for record in Journal(config.storage.layout.visits_path).replay().records:
        try:
            ended = dt.datetime.fromisoformat(record["ended"]).date()
        except (ValueError, KeyError, TypeError):
            continue
        if ended == today:
            visits += 1
            shared += record.get("outcome") == "shared"
            for problem in record.get("lighting") or ():
                lighting[problem] = lighting.get(problem, 0) + 1
    midnight = dt.datetime.combine(today, dt.time()).astimezone().timestamp()
    storage = config.storage
    journal = PhotoJournal(storage.layout.journal_path).replay()
    photos = sum(1 for record in journal.live.values() if record.created >= midnight)
    downloads = downloads_since(storage.layout.share_state_dir, midnight)
    return [
        Check("visits today", f"{visits} ({shared} with a photo shared)", True),
        Check("downloads today", f"{downloads} of {counted(photos, 'photo')} taken today", True),
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
    # The booth works in bad light, only its photos suffer: a warning, not a failure.
    return Check("lighting", found, True, warning=True)
