"""Shared test parts: a headless pygame display, real face images, a booth on a temp disk."""

from __future__ import annotations

import datetime as dt
import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pygame
import pytest
from PIL import Image
from skimage import data

from kiosk.booth.loop import BoothLoop, InlineExecutor
from kiosk.booth.visit_log import VisitLog
from kiosk.camera.image_camera import ImageCamera
from kiosk.config import Config, parse_config
from kiosk.photos.credentials import PhotoSigner
from kiosk.photos.index import PhotoIndex
from kiosk.photos.store import Authorship, PhotoMirror, PhotoStore

FIXED_TIME = dt.datetime(2026, 7, 4, 15, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """The public-domain NASA portrait that ships with scikit-image (512 x 512 RGB)."""
    return data.astronaut()


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """The face models where the booth keeps them by default (`kiosk models install`; CI runs
    it first). Installed here when missing, so a fresh checkout's tests find them."""
    from kiosk.vision.model_files import install_models, model_problems

    directory = Config().models_dir
    if model_problems(directory):
        install_models(directory)
    return directory


@pytest.fixture(scope="session")
def face_analyser(models_dir: Path):
    from kiosk.vision.face_models import FaceAnalyser

    return FaceAnalyser(models_dir)


@pytest.fixture
def portrait_file(tmp_path: Path, astronaut: np.ndarray) -> Path:
    path = tmp_path / "portrait.png"
    Image.fromarray(astronaut).save(path)
    return path


@pytest.fixture
def storage_dir(tmp_path: Path) -> Path:
    return tmp_path / "booth"


@pytest.fixture
def config(storage_dir: Path, portrait_file: Path) -> Config:
    return parse_config(
        {
            "event": {"name": "Sommerfest 2026", "operator": "Fotoclub Müller", "language": "de"},
            "display": {"fullscreen": False, "size": [1280, 720], "kiosk_mode": False},
            "camera": {"image": str(portrait_file)},
            "buttons": {"enabled": False},
            "storage": {"dir": str(storage_dir)},
            "share": {"base_url": "http://booth.test:8080"},
        }
    )


@pytest.fixture
def surface(config: Config) -> Iterator[pygame.Surface]:
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode(config.display.size)
    pygame.display.quit()


def make_store(
    config: Config,
    signer: PhotoSigner | None = None,
    index: PhotoIndex | None = None,
    mirror: PhotoMirror | None = None,
) -> PhotoStore:
    return PhotoStore(
        config.storage.layout,
        index=index or PhotoIndex(config.storage.layout.index_path),
        base_url=lambda: config.share.base_url,
        link_ttl=config.share.link_ttl,
        authorship=Authorship(
            event=config.event.name,
            artist=config.event.operator,
            copyright=config.event.copyright,
        ),
        jpeg_quality=config.photo.jpeg_quality,
        signer=signer,
        booth_id="booth-7",
        mirror=mirror,
    )


@pytest.fixture
def make_app(config: Config, surface: pygame.Surface, tmp_path: Path):
    apps: list[BoothLoop] = []

    def build(
        config: Config = config,
        camera: ImageCamera | None = None,
        surface: pygame.Surface = surface,
        signer: PhotoSigner | None = None,
        index: PhotoIndex | None = None,
        **kwargs,
    ) -> BoothLoop:
        camera = camera or ImageCamera(
            config.camera.image, config.camera.sensor_size, wallclock=lambda: FIXED_TIME
        )
        app = BoothLoop(
            config,
            camera,
            surface,
            kwargs.pop("store", None) or make_store(config, signer, index),
            VisitLog(config.storage.layout.visits_path),
            screenshots=kwargs.pop("screenshots", tmp_path / "screens"),
            wallclock=lambda: FIXED_TIME,
            # The tests' clock runs ahead of real time: the capture is done by the next step.
            # The real capture thread: tests/test_capture_worker.py.
            capture_worker=kwargs.pop("capture_worker", None) or InlineExecutor(),
            **kwargs,
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()
