"""Faces on a frame: MediaPipe's full-range detector, face mesh and iris models on LiteRT.

``FaceAnalyser.analyse(rgb)`` returns every face with its box, the detector's keypoints, eye
centres, nose tip, mouth centre, chin, each eye's openness (eyelid gap over eye width, from the
iris model's eye contour), where each iris sits between its eye corners (gaze) and how the face
is lit, and the measures the framing rules (docs/framing.md) use, all in the frame's pixels.

The detector sees a frame twice over: the whole frame letterboxed into its square input (faces
from about a sixth of the frame height up to one filling it), and square tiles at about the
detector's own scale that overlap by a third of a tile (faces down to about 7 pixels between the
eyes on a 512-pixel-wide frame). ``FaceTracker`` spreads the tiles over successive frames of a
stream and adds a tile around each face it found last, so a live stream costs three detector
runs per frame instead of seven. A face the detector finds but the face mesh cannot measure
(too small, or cut by the frame's edge) is still reported, from the detector's keypoints, with
``measured`` false: it is a person too far away or partly out of view, not nobody.

The decoding follows MediaPipe's published graphs: SSD anchors on a 48 x 48 grid with sigmoid
scores and weighted non-maximum suppression for the detector; a square crop 1.5 times the face
box, turned so the eyes are level, for the face mesh; a square crop 2.3 times the eye's width
for the iris model, the second eye mirrored so both look like the one the model knows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

DETECTOR_SIZE = 192
LANDMARK_SIZE = 192
IRIS_SIZE = 64
MIN_SCORE = 0.6
# A whole face the face mesh can measure is checked twice: by the detector, here from MediaPipe's
# own default confidence (faint faces: an old sepia print, a white beard, a head cut by the
# frame's top), and by the mesh's face flag. Faces the mesh cannot check need MIN_SCORE.
MESH_CHECKED_MIN_SCORE = 0.5
# A face cut by the frame's edge scores lower: there, this much is somebody partly in view.
EDGE_MIN_SCORE = 0.4
NMS_IOU = 0.3
FACE_CROP_SCALE = 1.5
EYE_CROP_SCALE = 2.3

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
CLIPPED_HIGH, CLIPPED_LOW = 247, 25


@dataclass(frozen=True)
class FaceLight:
    """How the face is lit, from the analysis frame's luminance."""

    clipped_share: float  # share of face pixels at >= 247 or <= 25
    backlight: float  # brightness around the face over brightness of the face
    cheek_ratio: float  # brighter cheek over darker cheek


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


def _interpreter(path: Path, threads: int):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=threads)
    interpreter.allocate_tensors()
    return interpreter


def _anchors() -> np.ndarray:
    cells = DETECTOR_SIZE // 4
    grid = (np.arange(cells) + 0.5) / cells
    x, y = np.meshgrid(grid, grid)
    return np.stack([x.ravel(), y.ravel()], axis=1)


Square = tuple[int, int, int]  # left, top, side: a square of the frame, maybe past its edges


def tile_grid(size: tuple[int, int]) -> list[Square]:
    """Square tiles at about the detector's own scale (a 512-pixel-wide frame: 192-pixel
    tiles), overlapping by at least a third of a tile so that every face the whole-frame pass
    is too coarse for lies wholly inside one of them."""
    width, height = size
    side = min(max(DETECTOR_SIZE, round(width * 0.375)), width, height)

    def starts(length: int) -> list[int]:
        if length <= side:
            return [0]
        count = math.ceil((length - side) / (side * 2 / 3)) + 1
        return [round(value) for value in np.linspace(0, length - side, count)]

    return [(left, top, side) for top in starts(height) for left in starts(width)]


def whole_frame(size: tuple[int, int]) -> Square:
    """The whole frame letterboxed into one square: large faces, up to the frame's height."""
    width, height = size
    side = max(width, height)
    return ((width - side) // 2, (height - side) // 2, side)


class FaceAnalyser:
    def __init__(self, models_dir: Path, threads: int = 1):
        self._detector = _interpreter(models_dir / "face_detection_full_range.tflite", threads)
        self._mesh = _interpreter(models_dir / "face_landmark.tflite", threads)
        self._iris = _interpreter(models_dir / "iris_landmark.tflite", threads)
        self._anchors = _anchors()

    def warm_up(self) -> None:
        """Run each model once on an empty input. The first inference prepares the runtime's
        kernels and is many times slower than the rest (tens of seconds on a busy emulated
        Pi): done here, it is not taken for the first frame's analysis time."""
        for interpreter in (self._detector, self._mesh, self._iris):
            detail = interpreter.get_input_details()[0]
            interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
            interpreter.invoke()

    def analyse(
        self,
        rgb: np.ndarray,
        min_eye_distance: float = 0.0,
        squares: list[Square] | None = None,
    ) -> list[Face]:
        """Every face on the frame. ``squares``: where the detector looks (default: the whole
        frame and every tile)."""
        image = Image.fromarray(rgb)
        if squares is None:
            squares = [whole_frame(image.size), *tile_grid(image.size)]
        grey = np.asarray(image.convert("L"))
        faces = []
        for box, score, keypoints in self.detect(image, squares):
            face = self._describe(image, grey, box, score, keypoints)
            if face is not None and face.eye_distance >= min_eye_distance:
                faces.append(face)
        return faces

    # -- the detector --

    def detect(
        self, image: Image.Image, squares: list[Square]
    ) -> list[tuple[np.ndarray, float, np.ndarray]]:
        """Faces as (box corners, score, 6 keypoints) in the image's pixels, from the detector
        run on each square (parts past the image's edge are black, as MediaPipe letterboxes)."""
        boxes, scores, points = [], [], []
        for left, top, side in squares:
            tile = image.crop((left, top, left + side, top + side))
            found = self._detect_square(tile)
            if found is None:
                continue
            tile_boxes, tile_scores, tile_points = found
            boxes.append(tile_boxes * side + (left, top, left, top))
            points.append(tile_points * side + (left, top))
            scores.append(tile_scores)
        if not scores:
            return []
        boxes, scores, points = (
            np.concatenate(boxes),
            np.concatenate(scores),
            np.concatenate(points),
        )
        width, height = image.size
        margin = 0.1 * (boxes[:, 2] - boxes[:, 0])
        cut = (
            (boxes[:, 0] < -margin)
            | (boxes[:, 1] < -margin)
            | (boxes[:, 2] > width + margin)
            | (boxes[:, 3] > height + margin)
        )
        sure = (scores >= MIN_SCORE) | cut
        found = list(_weighted_nms(boxes[sure], scores[sure], points[sure]))
        # Faint detections only add faces where no sure one is (the mesh then checks them); they
        # do not move the faces found surely.
        faint = (scores >= MESH_CHECKED_MIN_SCORE) & ~sure
        for box, score, keypoints in _weighted_nms(boxes[faint], scores[faint], points[faint]):
            if not found or _iou(box, np.array([f[0] for f in found])).max() <= NMS_IOU:
                found.append((box, score, keypoints))
        return found

    def _detect_square(self, tile: Image.Image):
        """Detections on one square tile, in the detector's 0-1 coordinates, or None."""
        resized = tile.resize((DETECTOR_SIZE, DETECTOR_SIZE), Image.BILINEAR)
        tensor = np.asarray(resized, dtype=np.float32)[None] / 127.5 - 1.0
        regressors, scores = self._run(self._detector, tensor, {16: "boxes", 1: "scores"})
        raw = regressors.reshape(-1, 16)
        probability = 1 / (1 + np.exp(-np.clip(scores.reshape(-1), -100, 100)))
        keep = probability >= EDGE_MIN_SCORE
        if not keep.any():
            return None
        raw, probability, anchors = raw[keep], probability[keep], self._anchors[keep]
        centre = raw[:, 0:2] / DETECTOR_SIZE + anchors
        size = raw[:, 2:4] / DETECTOR_SIZE
        boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
        points = raw[:, 4:16].reshape(-1, 6, 2) / DETECTOR_SIZE + anchors[:, None, :]
        return boxes, probability, points

    # -- face mesh and irises --

    def _describe(
        self,
        image: Image.Image,
        grey: np.ndarray,
        box: np.ndarray,
        score: float,
        keypoints: np.ndarray,
    ) -> Face | None:
        left, top, right, bottom = box
        eye_a, eye_b = keypoints[0], keypoints[1]
        width, height = image.size
        margin = 0.1 * (right - left)
        cut = min(left, top) < -margin or right > width + margin or bottom > height + margin
        small = math.dist(eye_a, eye_b) < MIN_MEASURED_EYE_DISTANCE
        if small and not cut and score < MIN_SCORE:
            return None  # too small for the mesh to confirm: the detector alone must be sure
        centre = ((left + right) / 2, (top + bottom) / 2)
        side = max(right - left, bottom - top) * FACE_CROP_SCALE
        angle = math.atan2(eye_b[1] - eye_a[1], eye_b[0] - eye_a[0])
        crop, to_image = _turned_crop(image, centre, side, angle, LANDMARK_SIZE)
        mesh, flag = self._run(
            self._mesh, np.asarray(crop, dtype=np.float32)[None] / 255.0, {1404: "mesh", 1: "flag"}
        )
        if cut or small or 1 / (1 + math.exp(-float(flag.ravel()[0]))) < 0.5:
            # Not measurable, but somebody is there: too far away or partly out of view. A
            # whole, large face the mesh rejects is most likely no face at all.
            if not (cut or small):
                return None
            light = _light(grey, box, (keypoints[0], keypoints[1]), keypoints[3])
            return _from_keypoints(box, score, keypoints, light)
        points = to_image(mesh.reshape(468, 3)[:, :2])
        right_eye, right_open, right_gaze = self._eye(image, points, RIGHT_EYE_CORNERS, False)
        left_eye, left_open, left_gaze = self._eye(image, points, LEFT_EYE_CORNERS, True)
        mouth = (points[UPPER_LIP] + points[LOWER_LIP]) / 2
        return Face(
            box=(float(left), float(top), float(right - left), float(bottom - top)),
            score=float(score),
            keypoints=keypoints,
            right_eye=right_eye,
            left_eye=left_eye,
            nose=tuple(points[NOSE_TIP]),
            mouth=tuple(mouth),
            chin=tuple(points[CHIN]),
            right_eye_openness=right_open,
            left_eye_openness=left_open,
            right_gaze=right_gaze,
            left_gaze=left_gaze,
            light=_light(
                grey,
                box,
                (points[RIGHT_EYE_CORNERS[0]], points[LEFT_EYE_CORNERS[1]]),  # outer corners
                mouth,
                (points[CHEEKS[0]], points[CHEEKS[1]]),
            ),
        )

    def _eye(
        self, image: Image.Image, mesh: np.ndarray, corners: tuple[int, int], mirrored: bool
    ) -> tuple[tuple[float, float], float, tuple[float, float]]:
        start, end = mesh[corners[0]], mesh[corners[1]]
        centre = (start + end) / 2
        width = math.dist(start, end)
        angle = math.atan2(end[1] - start[1], end[0] - start[0])
        crop, to_image = _turned_crop(image, centre, width * EYE_CROP_SCALE, angle, IRIS_SIZE)
        if mirrored:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        tensor = np.asarray(crop, dtype=np.float32)[None] / 255.0
        contour, iris = self._run(self._iris, tensor, {213: "contour", 15: "iris"})
        outline = contour.reshape(71, 3)[:EYE_CONTOUR_POINTS, :2]
        iris_centre = iris.reshape(5, 3)[0, :2]
        # Openness in the crop, where the eye lies level: lid gap over corner-to-corner width.
        gap = outline[:, 1].max() - outline[:, 1].min()
        span = outline[:, 0].max() - outline[:, 0].min()
        openness = float(gap / span) if span > 0 else 0.0
        # Gaze: the iris against the middle of the corners (the outline's ends), in eye widths.
        inner, outer = outline[outline[:, 0].argmin()], outline[outline[:, 0].argmax()]
        middle = (inner + outer) / 2
        gaze_x = float((iris_centre[0] - middle[0]) / span) if span > 0 else 0.0
        gaze_y = float((iris_centre[1] - middle[1]) / span) if span > 0 else 0.0
        if mirrored:
            iris_centre = np.array([IRIS_SIZE - iris_centre[0], iris_centre[1]])
            gaze_x = -gaze_x
        centre_in_image = to_image(iris_centre[None])[0]
        return (float(centre_in_image[0]), float(centre_in_image[1])), openness, (gaze_x, gaze_y)

    @staticmethod
    def _run(interpreter, tensor: np.ndarray, outputs_by_size: dict[int, str]) -> list[np.ndarray]:
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor)
        interpreter.invoke()
        found: dict[str, np.ndarray] = {}
        for detail in interpreter.get_output_details():
            name = outputs_by_size.get(int(detail["shape"][-1]))
            if name is not None:
                found[name] = interpreter.get_tensor(detail["index"])
        return [found[name] for name in outputs_by_size.values()]


def _turned_crop(
    image: Image.Image, centre, side: float, angle: float, size: int
) -> tuple[Image.Image, callable]:
    """A size x size crop of a square of ``side`` pixels around ``centre`` turned by ``angle``
    (so that direction becomes horizontal), and the function taking crop points back."""
    cos, sin = math.cos(angle), math.sin(angle)
    step = side / size
    a, b = step * cos, -step * sin
    d, e = step * sin, step * cos
    c = centre[0] - (a + b) * size / 2
    f = centre[1] - (d + e) * size / 2
    crop = image.transform((size, size), Image.AFFINE, (a, b, c, d, e, f), Image.BILINEAR)

    def to_image(points: np.ndarray) -> np.ndarray:
        u, v = points[:, 0], points[:, 1]
        return np.stack([a * u + b * v + c, d * u + e * v + f], axis=1)

    return crop, to_image


def _weighted_nms(boxes: np.ndarray, scores: np.ndarray, points: np.ndarray):
    """MediaPipe's weighted suppression: overlapping detections are averaged, score-weighted."""
    order = np.argsort(-scores)
    remaining = list(order)
    while remaining:
        best = remaining[0]
        overlaps = _iou(boxes[best], boxes[remaining])
        group = [index for index, iou in zip(remaining, overlaps, strict=True) if iou > NMS_IOU]
        weights = scores[group][:, None]
        box = (boxes[group] * weights).sum(axis=0) / weights.sum()
        keypoints = (points[group] * weights[:, :, None]).sum(axis=0) / weights.sum()
        yield box, float(scores[best]), keypoints
        remaining = [index for index in remaining if index not in group]


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    left = np.maximum(box[0], others[:, 0])
    top = np.maximum(box[1], others[:, 1])
    right = np.minimum(box[2], others[:, 2])
    bottom = np.minimum(box[3], others[:, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _from_keypoints(
    box: np.ndarray, score: float, keypoints: np.ndarray, light: FaceLight | None
) -> Face:
    """A face known from the detector alone: its eyes, nose and mouth keypoints, the chin
    estimated as 1.6 times the eyes-to-mouth distance below the eyes (docs/framing.md)."""
    left, top, right, bottom = box
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


def _light(
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


class FaceTracker:
    """The analyser on a live stream: each frame, the whole-frame pass, a tile around each face
    found on the frame before, and the next tile of the grid in turn. A far face is found within
    one round of the grid (six frames on a 512 x 288 stream) and followed from then on.
    ``reset`` forgets the faces (a new visit)."""

    MAX_FOLLOWED = 3

    def __init__(self, analyser: FaceAnalyser):
        self.analyser = analyser
        self._last: list[Face] = []
        self._next_tile = 0
        self._search_everywhere = True

    def reset(self) -> None:
        """A new visit: the first frame is searched everywhere, so a person standing far away
        is not told to step in."""
        self._last = []
        self._next_tile = 0
        self._search_everywhere = True

    def analyse(self, rgb: np.ndarray) -> list[Face]:
        if self._search_everywhere:
            self._search_everywhere = False
            self._last = self.analyser.analyse(rgb)
            return self._last
        size = (rgb.shape[1], rgb.shape[0])
        tiles = tile_grid(size)
        squares = [whole_frame(size)]
        if len(tiles) > 1:
            squares.append(tiles[self._next_tile % len(tiles)])
            self._next_tile += 1
        side = tiles[0][2]
        for face in sorted(self._last, key=lambda f: -f.score)[: self.MAX_FOLLOWED]:
            left, top, width, height = face.box
            if max(width, height) < side / 2:  # the whole-frame pass sees larger faces well
                x, y = left + width / 2, top + height / 2
                squares.append((round(x - side / 2), round(y - side / 2), side))
        self._last = self.analyser.analyse(rgb, squares=squares)
        return self._last
