"""Is the booth able to take photos: the camera starts, the disk has room. Each check returns
the event the state machine needs (``Fault`` or ``Recovered``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.booth.events import CAMERA, DISK, INDEX, Event, Fault, Recovered
from kiosk.camera.crop import Crop
from kiosk.camera.frames import Camera, CameraError, Size
from kiosk.config import Config
from kiosk.files import free_megabytes

log = logging.getLogger(__name__)

# How often the idle booth looks at the free disk space.
DISK_CHECK_INTERVAL = 30.0


class HealthMonitor:
    def __init__(
        self,
        config: Config,
        camera: Camera,
        crop: Callable[[], Crop],
        preview_size_for: Callable[[Size], Size],
        index_problem: Callable[[], str | None] = lambda: None,
    ):
        self.config = config
        self.camera = camera
        self.crop = crop
        self.preview_size_for = preview_size_for
        self.index_problem = index_problem
        self._disk_checked_at = 0.0

    def start(self, now: float) -> list[Event]:
        """The first checks, as the booth starts."""
        self._disk_checked_at = now
        return [self.start_camera(), self.check_disk(), self.check_index()]

    def check_index(self) -> Event:
        """Can every new photo get its row in the photo index (the journal has it anyway)."""
        problem = self.index_problem()
        return Recovered(INDEX) if problem is None else Fault(INDEX, problem)

    def start_camera(self) -> Event:
        """(Re)start the camera with a preview stream of the crop's size on screen (every crop
        has the photo's aspect, so one size serves them all)."""
        crop = self.crop()
        try:
            self.camera.close()
            preview = self.preview_size_for((crop.width, crop.height))
            self.camera.start(preview, self.config.camera.analysis_frame_size)
        except CameraError as error:
            return Fault(CAMERA, str(error))
        return Recovered(CAMERA)

    def check_disk(self) -> Event:
        storage = self.config.storage
        free = free_megabytes(storage.layout.root)
        if free < storage.min_free_mb:
            return Fault(
                DISK,
                f"disk almost full: {free:.0f} MB free in {storage.dir}, "
                f"{storage.min_free_mb} MB needed (storage.min_free_mb)",
            )
        return Recovered(DISK)

    def check_disk_now_and_then(self, now: float) -> list[Event]:
        if now - self._disk_checked_at < DISK_CHECK_INTERVAL:
            return []
        self._disk_checked_at = now
        return [self.check_disk()]

    def recheck(self, sources: tuple[str, ...]) -> list[Event]:
        """Try faulty parts again; only a recovery is news (the fault was reported when it
        began)."""
        checks = {CAMERA: self.start_camera, DISK: self.check_disk, INDEX: self.check_index}
        recovered = []
        for source in sources:
            event = checks[source]()
            if isinstance(event, Recovered):
                log.info("%s is fine again", source)
                recovered.append(event)
        return recovered
