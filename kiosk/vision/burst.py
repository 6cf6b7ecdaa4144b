"""Choosing the photo from a burst: the sharpest real frame with open eyes, never a blend.

Each frame is scored on the full-resolution still: eyes open (against this person's open-eye
value), sharpness (variance of the Laplacian on the face, scaled so the eyes are always the same
distance apart, so a closer face does not count as sharper) and whether the face is inside the
crop. Frames with closed eyes or the face outside the crop drop out; of the rest, those under 0.7
of their best sharpness drop out too (the bar comes from the frames that could be chosen, so a
sharper blink frame fails no open-eye frame), and the sharpest is the photo. If every frame drops
out, the sharpest is kept and the review screen suggests a retake. When the faces cannot be
analysed in time (a slow device, a failed analyser), the frame whose middle, where the face
should be, is sharpest is kept: a cheap measure that needs no model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from kiosk.camera.crop import Crop
from kiosk.camera.frames import Still
from kiosk.vision.faces import Face

SHARPNESS_EYE_DISTANCE = 64.0  # pixels between the eyes when sharpness is measured
MIN_SHARPNESS_SHARE = 0.7
ANALYSIS_WIDTH = 1152  # the still is analysed at this width; sharpness uses full resolution


@dataclass(frozen=True)
class FrameScore:
    index: int
    face_found: bool
    openness: float
    sharpness: float
    inside_crop: bool

    def as_record(self) -> dict[str, float | int | bool]:
        return {
            "frame": self.index,
            "face": self.face_found,
            "openness": round(self.openness, 3),
            "sharpness": round(self.sharpness, 1),
            "inside_crop": self.inside_crop,
        }


@dataclass(frozen=True)
class Choice:
    index: int
    retake_suggested: bool
    scores: list[FrameScore]
    method: str = "faces"  # or "sharpness": chosen without face analysis


def laplacian_variance(grey: np.ndarray) -> float:
    grey = grey.astype(np.float32)
    laplacian = (
        grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    )
    return float(laplacian.var())


def score_frame(
    index: int,
    still: Still,
    analyse: Callable[[np.ndarray], list[Face]],
    crop: Crop,
) -> FrameScore:
    pixels = still.pixels
    height, width = pixels.shape[:2]
    step = max(1, width // ANALYSIS_WIDTH)
    faces = analyse(np.ascontiguousarray(pixels[::step, ::step]))
    if not faces:
        return FrameScore(index, False, 0.0, 0.0, False)
    centre = (crop.left + crop.width / 2, crop.top + crop.height / 2)
    face = min(
        faces,
        key=lambda f: (
            (f.eye_centre[0] * step - centre[0]) ** 2 + (f.eye_centre[1] * step - centre[1]) ** 2
        ),
    )
    left, top, box_width, box_height = (value * step for value in face.box)
    inside = (
        left >= crop.left
        and top >= crop.top
        and left + box_width <= crop.right
        and top + box_height <= crop.bottom
    )
    region = pixels[
        max(0, round(top)) : min(height, round(top + box_height)),
        max(0, round(left)) : min(width, round(left + box_width)),
    ]
    sharpness = 0.0
    if region.size:
        factor = SHARPNESS_EYE_DISTANCE / (face.eye_distance * step)
        grey = Image.fromarray(np.ascontiguousarray(region)).convert("L")
        size = (max(8, round(grey.width * factor)), max(8, round(grey.height * factor)))
        sharpness = laplacian_variance(np.asarray(grey.resize(size, Image.BILINEAR)))
    openness = min(face.right_eye_openness, face.left_eye_openness)
    return FrameScore(index, True, openness, sharpness, inside)


def choose(scores: list[FrameScore], open_baseline: float | None, open_share: float) -> Choice:
    """The frame to keep (see the module's description)."""
    if not scores:
        raise ValueError("an empty burst")
    found = [score for score in scores if score.face_found]
    baseline = open_baseline or max((score.openness for score in found), default=0.0)
    # The sharpness bar comes from the frames that could be chosen: a blink frame or one with
    # the face outside the crop that happens to measure sharper must not fail every other.
    choosable = [
        score for score in found if score.openness >= open_share * baseline and score.inside_crop
    ]
    best_sharpness = max((score.sharpness for score in choosable), default=0.0)
    good = [score for score in choosable if score.sharpness >= MIN_SHARPNESS_SHARE * best_sharpness]
    if good:
        chosen = max(good, key=lambda score: score.sharpness)
        return Choice(chosen.index, False, scores)
    sharpest = max(scores, key=lambda score: score.sharpness)
    return Choice(sharpest.index, True, scores)


def centre_sharpness(still: Still, crop: Crop) -> float:
    """Sharpness of the middle of the photo's crop, where the face should be, measured on every
    few pixels of one colour channel: cheap enough for any device."""
    pixels = still.pixels
    top = crop.top + crop.height // 5
    bottom = crop.top + crop.height * 7 // 10
    left = crop.left + crop.width // 3
    right = crop.left + crop.width * 2 // 3
    step = max(1, (right - left) // 160)
    region = pixels[top:bottom:step, left:right:step, 1]
    return laplacian_variance(region) if min(region.shape) > 2 else 0.0


def choose_sharpest(stills: list[Still], crop: Crop) -> Choice:
    """The frame with the sharpest middle, when faces cannot be judged."""
    scores = [
        FrameScore(index, False, 0.0, centre_sharpness(still, crop), True)
        for index, still in enumerate(stills)
    ]
    best = max(scores, key=lambda score: score.sharpness)
    return Choice(best.index, False, scores, method="sharpness")
