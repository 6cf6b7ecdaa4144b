"""From the shutter to a saved photo: take the burst, choose the best real frame, save it (the
store signs it beside the booth), and prepare what review and share show of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pygame

from kiosk.booth.events import DISK, CaptureFailed, CaptureFinished, Event, Fault
from kiosk.booth.guidance import GuidanceAdapter
from kiosk.camera.crop import Crop
from kiosk.camera.frames import Camera, CameraError, Still
from kiosk.photos.store import PhotoStore, SavedPhoto, crop_pixels, new_token
from kiosk.share.links import ShareLinks, qr_modules
from kiosk.vision.burst import Choice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShownPhoto:
    """What the screens show of a saved photo: its review picture, the link its QR code
    carries and that code's modules."""

    token: str
    picture: pygame.Surface
    link: str
    link_code: np.ndarray
    taken: dt.datetime


class CapturePipeline:
    def __init__(
        self,
        camera: Camera,
        store: PhotoStore,
        guidance: GuidanceAdapter,
        check_disk: Callable[[], Event],
        review_picture: Callable[[np.ndarray], pygame.Surface],
        worker: ThreadPoolExecutor,
        links: ShareLinks | None = None,
    ):
        self.camera = camera
        self.store = store
        self.links = links or ShareLinks(store.share_url)
        self.guidance = guidance
        self.check_disk = check_disk
        self.review_picture = review_picture
        self.worker = worker
        self.shown: ShownPhoto | None = None
        # The burst's first frame as the review shows a photo, for the capture screen to hold
        # while the best frame is chosen and saved (None until the burst is taken).
        self.frozen: pygame.Surface | None = None

    def shown_for(self, photo: SavedPhoto | None) -> ShownPhoto | None:
        """The prepared pictures of ``photo``, if they are this photo's. A link that leads to
        the booth until the photo is in the object store leads to the store from then on."""
        shown = self.shown
        if photo is None or shown is None or shown.token != photo.token:
            return None
        if self.links.may_change:
            link = self.links.for_photo(shown.token, shown.taken)
            if link != shown.link:
                shown = dataclasses.replace(shown, link=link, link_code=qr_modules(link))
                self.shown = shown
        return shown

    def capture(self, count: int) -> Event:
        """Burst, choice and save: runs on the loop's capture worker, off the UI thread."""
        self.frozen = None
        disk = self.check_disk()
        if isinstance(disk, Fault):
            return CaptureFailed(disk.reason, source=DISK)
        try:
            stills = self.camera.capture_burst(count)
        except CameraError as error:
            return CaptureFailed(str(error))
        if stills:
            self.worker.submit(self._freeze, stills[0], self.guidance.crop)
        first = self.guidance.choose(stills)
        if first is None or not first.retake_suggested or first.method != "faces":
            return self.keep_photo(stills, first)
        # No frame had open eyes, was sharp and framed the face: like a photographer, the booth
        # takes another burst at once. Only the first burst's best frame stays in memory.
        best = stills[first.index]
        del stills
        try:
            again = self.camera.capture_burst(count - 1)
        except CameraError as error:
            log.warning("the second burst failed (%s): keeping the first burst's best", error)
            return self.keep_photo([best], None, bursts=2, retake_suggested=True)
        stills = [best, *again]
        return self.keep_photo(stills, self.guidance.choose(stills), bursts=2)

    def _freeze(self, still: Still, crop: Crop) -> None:
        self.frozen = self.review_picture(crop_pixels(still.pixels, crop))

    def keep_photo(
        self,
        stills: list[Still],
        choice: Choice | None,
        bursts: int = 1,
        retake_suggested: bool = False,
    ) -> Event:
        """Save the photo ``choice`` chose from the frames of ``bursts`` bursts (None: the
        first frame), and prepare it for the review screen. ``retake_suggested``: whatever the
        choice, suggest a retake."""
        if not stills:
            return CaptureFailed("the camera returned no frames")
        crop = self.guidance.crop
        chosen = stills[choice.index] if choice else stills[0]
        details: dict = {"burst": len(stills), "chosen": choice.index if choice else 0}
        if bursts > 1:
            details["bursts"] = bursts
        if choice is not None:
            details["chosen_by"] = choice.method
            details["scores"] = [score.as_record() for score in choice.scores]
        token = new_token()
        # The share QR code and the review picture are made on the other cores while the JPEG
        # encoder runs.
        link = self.links.for_photo(token, chosen.captured_at)
        link_code = self.worker.submit(qr_modules, link)
        review_picture = self.worker.submit(self.review_picture, crop_pixels(chosen.pixels, crop))
        try:
            photo = self.store.save(chosen, crop, token, details)
        except OSError as error:
            log.exception("cannot save the photo")
            return CaptureFailed(f"cannot save the photo: {error}", source=DISK)
        except ValueError as error:  # a frame of another size than the sensor's
            return CaptureFailed(str(error))
        shown = ShownPhoto(
            token, review_picture.result(), link, link_code.result(), chosen.captured_at
        )
        self.shown = shown
        if retake_suggested or (choice is not None and choice.retake_suggested):
            photo = dataclasses.replace(photo, retake_suggested=True)
        log.info("photo saved: %s", photo.path)
        return CaptureFinished(photo)

    def discard(self, photo: SavedPhoto) -> None:
        self.store.discard(photo)
        if self.shown is not None and self.shown.token == photo.token:
            self.shown = None
        log.info("photo discarded for a retake: %s", photo.path)
