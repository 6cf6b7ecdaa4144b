"""A face measured from the face models' outputs: the measures the framing rules use.

``Face`` holds a face's box, the detector's keypoints, eye centres, nose tip, mouth centre,
chin, each eye's openness (eyelid gap over eye width, from the iris model's eye contour), where
each iris sits between its eye corners (gaze) and how the face is lit, all in the frame's
pixels. The functions here turn model outputs (already in the frame's pixels, or in an eye's
level crop) into those measures; running the models is ``kiosk.vision.face_models``'s job.

A face the face mesh cannot measure (too small, or cut by the frame's edge) is described from
the detector's keypoints alone (``measured`` false): a person too far away or partly out of
view, not nobody.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Face mesh points (image-left eye is the person's right eye).
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (362, 263)
NOSE_TIP = 1
CHIN = 152
UPPER_LIP, LOWER_LIP = 13, 14
EYE_CONTOUR_POINTS = 16  # the first points of the iris model's 71 are the eye's outline
CHEEKS = (50, 280)  # mesh points on the image-left and image-right cheek
# Below this many pixels between the eyes the face mesh's points are guesses: the face is
# reported from the detector's keypoints (somebody too far away to measure).
MIN_MEASURED_EYE_DISTANCE = 8.0
# A box reaching this share of its width past the frame's edge is a face cut by the edge.
EDGE_MARGIN = 0.1
CLIPPED_HIGH, CLIPPED_LOW = 247, 25


@dataclass(frozen=True)
class FaceLight:
    """How the face is lit, from the analysis frame's luminance."""

    clipped_share: float  # share of face pixels at >= 247 or <= 25
    backlight: float  # brightness around the face over brightness of the face
    cheek_ratio: float  # brighter cheek over darker cheek

    def faults(
        self, max_backlight: float, max_clipped_share: float, max_cheek_ratio: float
    ) -> tuple[str, ...]:
        """What the operator must fix about the light: "backlight", "clipped", "uneven"."""
        measured = {
            "backlight": (self.backlight, max_backlight),
            "clipped": (self.clipped_share, max_clipped_share),
            "uneven": (self.cheek_ratio, max_cheek_ratio),
        }
        return tuple(name for name, (value, limit) in measured.items() if value > limit)


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]  # left, top, width, height
    score: float
    keypoints: np.ndarray  # detector: 6 x (x, y)
    right_eye: tuple[float, float]  # the person's right eye: on the left of the camera image
    left_eye: tuple[float, float]
    nose: tuple[float, float]
    mouth: tuple[float, float]
    chin: tuple[float, float]
    right_eye_openness: float
    left_eye_openness: float
    # False: the face mesh could not measure this face (too small, or cut by the frame's edge);
    # eyes, nose and mouth are the detector's keypoints, the chin estimated from them.
    measured: bool = True
    # Where each iris sits: offset from the midpoint between the eye's corners, in eye widths,
    # along the eye line (x, towards the image's right) and across it (y, downwards).
    right_gaze: tuple[float, float] = (0.0, 0.0)
    left_gaze: tuple[float, float] = (0.0, 0.0)
    light: FaceLight | None = None

    @property
    def eye_centre(self) -> tuple[float, float]:
        return (
            (self.right_eye[0] + self.left_eye[0]) / 2,
            (self.right_eye[1] + self.left_eye[1]) / 2,
        )

    @property
    def eye_distance(self) -> float:
        return math.dist(self.right_eye, self.left_eye)

    @property
    def roll_degrees(self) -> float:
        """Angle of the eye line; positive when the head tilts towards the person's left
        shoulder... in image terms: the camera-right eye lower than the camera-left one."""
        dx = self.left_eye[0] - self.right_eye[0]
        dy = self.left_eye[1] - self.right_eye[1]
        return math.degrees(math.atan2(dy, dx))

    @property
    def eyes_to_chin(self) -> float:
        return math.dist(self.eye_centre, self.chin)

    @property
    def gaze(self) -> tuple[float, float]:
        """Both irises' offset from their eye's middle, averaged (eye widths)."""
        return (
            (self.right_gaze[0] + self.left_gaze[0]) / 2,
            (self.right_gaze[1] + self.left_gaze[1]) / 2,
        )


def cut_by_edge(box: np.ndarray, size: tuple[int, int]) -> bool:
    """Whether a face box (left, top, right, bottom) reaches past the frame's edge."""
    left, top, right, bottom = (float(value) for value in box)
    width, height = size
    margin = EDGE_MARGIN * (right - left)
    return min(left, top) < -margin or right > width + margin or bottom > height + margin


def eye_shape(outline: np.ndarray, iris_centre: np.ndarray) -> tuple[float, tuple[float, float]]:
    """An eye's openness and gaze from the iris model's eye outline and iris centre, in a crop
    where the eye lies level: lid gap over corner-to-corner width, and the iris against the
    middle of the corners (the outline's ends), in eye widths (x along the eye line, y down)."""
    gap = outline[:, 1].max() - outline[:, 1].min()
    span = outline[:, 0].max() - outline[:, 0].min()
    if span <= 0:
        return 0.0, (0.0, 0.0)
    inner, outer = outline[outline[:, 0].argmin()], outline[outline[:, 0].argmax()]
    middle = (inner + outer) / 2
    gaze = (iris_centre - middle) / span
    return float(gap / span), (float(gaze[0]), float(gaze[1]))


@dataclass(frozen=True)
class EyeMeasure:
    """One eye as the iris model measured it: iris centre in the frame, openness, gaze."""

    centre: tuple[float, float]
    openness: float
    gaze: tuple[float, float]


def measured_face(
    box: np.ndarray,
    score: float,
    keypoints: np.ndarray,
    mesh: np.ndarray,
    right: EyeMeasure,
    left: EyeMeasure,
    grey: np.ndarray,
) -> Face:
    """A face the face mesh measured: ``mesh`` its 468 points in the frame's pixels."""
    box_left, box_top, box_right, box_bottom = box
    mouth = (mesh[UPPER_LIP] + mesh[LOWER_LIP]) / 2
    return Face(
        box=(
            float(box_left),
            float(box_top),
            float(box_right - box_left),
            float(box_bottom - box_top),
        ),
        score=float(score),
        keypoints=keypoints,
        right_eye=right.centre,
        left_eye=left.centre,
        nose=tuple(mesh[NOSE_TIP]),
        mouth=tuple(mouth),
        chin=tuple(mesh[CHIN]),
        right_eye_openness=right.openness,
        left_eye_openness=left.openness,
        right_gaze=right.gaze,
        left_gaze=left.gaze,
        light=face_light(
            grey,
            box,
            (mesh[RIGHT_EYE_CORNERS[0]], mesh[LEFT_EYE_CORNERS[1]]),  # outer corners
            mouth,
            (mesh[CHEEKS[0]], mesh[CHEEKS[1]]),
        ),
    )


def face_from_keypoints(
    box: np.ndarray, score: float, keypoints: np.ndarray, grey: np.ndarray
) -> Face:
    """A face known from the detector alone: its eyes, nose and mouth keypoints, the chin
    estimated as 1.6 times the eyes-to-mouth distance below the eyes (docs/framing.md)."""
    left, top, right, bottom = box
    light = face_light(grey, box, (keypoints[0], keypoints[1]), keypoints[3])
    right_eye, left_eye, nose, mouth = (tuple(float(v) for v in keypoints[i]) for i in range(4))
    eyes = ((right_eye[0] + left_eye[0]) / 2, (right_eye[1] + left_eye[1]) / 2)
    chin = (eyes[0] + 1.6 * (mouth[0] - eyes[0]), eyes[1] + 1.6 * (mouth[1] - eyes[1]))
    return Face(
        box=(float(left), float(top), float(right - left), float(bottom - top)),
        score=float(score),
        keypoints=keypoints,
        right_eye=right_eye,
        left_eye=left_eye,
        nose=nose,
        mouth=mouth,
        chin=chin,
        right_eye_openness=0.0,
        left_eye_openness=0.0,
        measured=False,
        light=light,
    )


def face_light(
    grey: np.ndarray,
    box: np.ndarray,
    eyes: tuple[np.ndarray, np.ndarray],
    mouth: np.ndarray,
    cheeks: tuple[np.ndarray, np.ndarray] | None = None,
) -> FaceLight | None:
    """Clipped pixels on the face's skin (between and below the eyes, down to the mouth: no
    hair, no pupils), the brightness around the face against the skin's, and the two cheeks
    against each other (docs/framing.md, "What the operator sees")."""
    height, width = grey.shape

    def region(left: float, top: float, right: float, bottom: float) -> np.ndarray:
        left, right = sorted((round(float(left)), round(float(right))))
        top, bottom = sorted((round(float(top)), round(float(bottom))))
        return grey[
            max(top, 0) : max(min(bottom, height), 0), max(left, 0) : max(min(right, width), 0)
        ]

    eye_a, eye_b = np.asarray(eyes[0], float), np.asarray(eyes[1], float)
    spread = max(abs(eye_b[0] - eye_a[0]), 1.0)
    eye_y = (eye_a[1] + eye_b[1]) / 2
    skin = region(
        min(eye_a[0], eye_b[0]) - 0.2 * spread,
        eye_y + 0.25 * spread,
        max(eye_a[0], eye_b[0]) + 0.2 * spread,
        float(mouth[1]),
    )
    if skin.size < 16:
        return None
    left, top, right, bottom = (float(v) for v in box)
    side = max(right - left, bottom - top)
    inner = region(left, top, right, bottom)
    around = region(left - side, top - side, right + side, bottom + side)
    ring = (float(around.sum(dtype=np.float64)) - float(inner.sum(dtype=np.float64))) / max(
        around.size - inner.size, 1
    )
    skin_mean = float(skin.mean())
    clipped = float(np.count_nonzero((skin >= CLIPPED_HIGH) | (skin <= CLIPPED_LOW))) / skin.size
    cheek_ratio = 1.0
    if cheeks is not None:
        radius = max(1, round(spread / 6))
        means = []
        for x, y in cheeks:
            patch = region(x - radius, y - radius, x + radius + 1, y + radius + 1)
            means.append(float(patch.mean()) if patch.size else 0.0)
        darker, brighter = sorted(means)
        cheek_ratio = brighter / max(darker, 1.0)
    return FaceLight(clipped, ring / max(skin_mean, 1.0), cheek_ratio)
