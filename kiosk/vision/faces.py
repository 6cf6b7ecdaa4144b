"""Faces on a frame: MediaPipe's full-range detector, face mesh and iris models on LiteRT.

``FaceAnalyser.analyse(rgb)`` returns every face with its box, the detector's keypoints, eye
centres, nose tip, mouth centre, chin, each eye's openness (eyelid gap over eye width, from the
iris model's eye contour) and the measures the framing rules (docs/framing.md) use, all in the
frame's pixels.

The decoding follows MediaPipe's published graphs: SSD anchors on a 48 x 48 grid with sigmoid
scores and weighted non-maximum suppression for the detector (run on overlapping square tiles of
a wide frame, so that far faces stay large enough to find); a square crop 1.5 times the face
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


class FaceAnalyser:
    def __init__(self, models_dir: Path, threads: int = 1):
        self._detector = _interpreter(models_dir / "face_detection_full_range.tflite", threads)
        self._mesh = _interpreter(models_dir / "face_landmark.tflite", threads)
        self._iris = _interpreter(models_dir / "iris_landmark.tflite", threads)
        self._anchors = _anchors()

    def analyse(self, rgb: np.ndarray, min_eye_distance: float = 0.0) -> list[Face]:
        image = Image.fromarray(rgb)
        faces = []
        for box, score, keypoints in self.detect(image):
            face = self._describe(image, box, score, keypoints)
            if face is not None and face.eye_distance >= min_eye_distance:
                faces.append(face)
        return faces

    # -- the detector --

    def detect(self, image: Image.Image) -> list[tuple[np.ndarray, float, np.ndarray]]:
        """Faces as (box corners, score, 6 keypoints) in the image's pixels.

        A wide frame is looked at in overlapping square tiles of its full height rather than
        squeezed into one square: the detector then sees faces almost twice as large, so people
        further away are found.
        """
        width, height = image.size
        if width > height * 1.2:
            lefts = np.linspace(0, width - height, max(2, round(width / height))).round()
            tiles = [(int(left), 0, height) for left in lefts]
        elif height > width * 1.2:
            tops = np.linspace(0, height - width, max(2, round(height / width))).round()
            tiles = [(0, int(top), width) for top in tops]
        else:
            tiles = [(0, 0, max(width, height))]
        boxes, scores, points = [], [], []
        for left, top, side in tiles:
            tile = image.crop((left, top, left + side, top + side))
            found = self._detect_square(tile)
            if found is None:
                continue
            tile_boxes, tile_scores, tile_points = found
            scale = side / DETECTOR_SIZE
            boxes.append(tile_boxes * DETECTOR_SIZE * scale + (left, top, left, top))
            points.append(tile_points * DETECTOR_SIZE * scale + (left, top))
            scores.append(tile_scores)
        if not scores:
            return []
        return list(
            _weighted_nms(np.concatenate(boxes), np.concatenate(scores), np.concatenate(points))
        )

    def _detect_square(self, tile: Image.Image):
        """Detections on one square tile, in the detector's 0-1 coordinates, or None."""
        resized = tile.resize((DETECTOR_SIZE, DETECTOR_SIZE), Image.BILINEAR)
        tensor = np.asarray(resized, dtype=np.float32)[None] / 127.5 - 1.0
        regressors, scores = self._run(self._detector, tensor, {16: "boxes", 1: "scores"})
        raw = regressors.reshape(-1, 16)
        probability = 1 / (1 + np.exp(-np.clip(scores.reshape(-1), -100, 100)))
        keep = probability >= MIN_SCORE
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
        self, image: Image.Image, box: np.ndarray, score: float, keypoints: np.ndarray
    ) -> Face | None:
        left, top, right, bottom = box
        centre = ((left + right) / 2, (top + bottom) / 2)
        side = max(right - left, bottom - top) * FACE_CROP_SCALE
        eye_a, eye_b = keypoints[0], keypoints[1]
        angle = math.atan2(eye_b[1] - eye_a[1], eye_b[0] - eye_a[0])
        crop, to_image = _turned_crop(image, centre, side, angle, LANDMARK_SIZE)
        mesh, flag = self._run(
            self._mesh, np.asarray(crop, dtype=np.float32)[None] / 255.0, {1404: "mesh", 1: "flag"}
        )
        if 1 / (1 + math.exp(-float(flag.ravel()[0]))) < 0.5:
            return None
        points = to_image(mesh.reshape(468, 3)[:, :2])
        right_eye, right_open = self._eye(image, points, RIGHT_EYE_CORNERS, mirrored=False)
        left_eye, left_open = self._eye(image, points, LEFT_EYE_CORNERS, mirrored=True)
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
        )

    def _eye(
        self, image: Image.Image, mesh: np.ndarray, corners: tuple[int, int], mirrored: bool
    ) -> tuple[tuple[float, float], float]:
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
        if mirrored:
            iris_centre = np.array([IRIS_SIZE - iris_centre[0], iris_centre[1]])
        centre_in_image = to_image(iris_centre[None])[0]
        return (float(centre_in_image[0]), float(centre_in_image[1])), openness

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
