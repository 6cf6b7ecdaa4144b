"""Running the face models: MediaPipe's full-range detector, face mesh and iris models on
LiteRT. ``FaceAnalyser.analyse(rgb)`` returns every face on a frame, measured by
``kiosk.vision.faces``.

The detector sees a frame twice over: the whole frame letterboxed into its square input (faces
from about a sixth of the frame height up to one filling it), and square tiles at about the
detector's own scale that overlap by a third of a tile (faces down to about 7 pixels between the
eyes on a 512-pixel-wide frame). ``FaceTracker`` spreads the tiles over successive frames of a
stream and adds a tile around each face it found last, so a live stream costs three detector
runs per frame instead of seven. A face the detector finds but the face mesh cannot measure
(too small, or cut by the frame's edge) is still reported, from the detector's keypoints.

The decoding follows MediaPipe's published graphs: SSD anchors on a 48 x 48 grid with sigmoid
scores and weighted non-maximum suppression for the detector; a square crop 1.5 times the face
box, turned so the eyes are level, for the face mesh; a square crop 2.3 times the eye's width
for the iris model, the second eye mirrored so both look like the one the model knows.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.vision.faces import (
    EDGE_MARGIN,
    EYE_CONTOUR_POINTS,
    LEFT_EYE_CORNERS,
    MIN_MEASURED_EYE_DISTANCE,
    RIGHT_EYE_CORNERS,
    EyeMeasure,
    Face,
    cut_by_edge,
    eye_shape,
    face_from_keypoints,
    measured_face,
)

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


def edge_squares(size: tuple[int, int]) -> list[Square]:
    """Squares of the frame's shorter side centred on its left and right edges, the half past
    the edge black: a face half out of view there is seen whole-sized with its missing half
    dark, as at the top and bottom in the letterboxed whole frame (which the detector finds,
    where in a tile cut by the edge it misses most of them)."""
    width, height = size
    side = min(width, height)
    top = (height - side) // 2
    return [(-(side // 2), top, side), (width - side // 2, top, side)]


def everywhere(size: tuple[int, int]) -> list[Square]:
    """Every square the detector looks at on a frame searched all over."""
    return [whole_frame(size), *tile_grid(size), *edge_squares(size)]


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
        frame, every tile and both side edges)."""
        image = Image.fromarray(rgb)
        if squares is None:
            squares = everywhere(image.size)
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
        margin = EDGE_MARGIN * (boxes[:, 2] - boxes[:, 0])
        cut = (
            (boxes[:, 0] < -margin)
            | (boxes[:, 1] < -margin)
            | (boxes[:, 2] > width + margin)
            | (boxes[:, 3] > height + margin)
        )
        sure = (scores >= MIN_SCORE) | cut
        found = list(_weighted_nms(boxes[sure], scores[sure], points[sure]))
        # Faint detections only add faces where no sure one is (the mesh then checks them); they
        # do not move the faces found surely. One centred inside a sure face's box is part of
        # that face, not another person (on Hopper's glasses, a lens scored 0.51).
        faint = (scores >= MESH_CHECKED_MIN_SCORE) & ~sure
        for box, score, keypoints in _weighted_nms(boxes[faint], scores[faint], points[faint]):
            others = np.array([f[0] for f in found])
            if not found or (_iou(box, others).max() <= NMS_IOU and not _within(box, others)):
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
        cut = cut_by_edge(box, image.size)
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
            return face_from_keypoints(box, score, keypoints, grey)
        points = to_image(mesh.reshape(468, 3)[:, :2])
        right_eye = self._eye(image, points, RIGHT_EYE_CORNERS, False)
        left_eye = self._eye(image, points, LEFT_EYE_CORNERS, True)
        return measured_face(box, score, keypoints, points, right_eye, left_eye, grey)

    def _eye(
        self, image: Image.Image, mesh: np.ndarray, corners: tuple[int, int], mirrored: bool
    ) -> EyeMeasure:
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
        openness, (gaze_x, gaze_y) = eye_shape(outline, iris_centre)
        if mirrored:
            iris_centre = np.array([IRIS_SIZE - iris_centre[0], iris_centre[1]])
            gaze_x = -gaze_x
        centre_in_image = to_image(iris_centre[None])[0]
        return EyeMeasure(
            (float(centre_in_image[0]), float(centre_in_image[1])), openness, (gaze_x, gaze_y)
        )

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


def _within(box: np.ndarray, others: np.ndarray) -> bool:
    """Whether the box's centre lies inside any of the others."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    inside = (others[:, 0] <= x) & (x <= others[:, 2]) & (others[:, 1] <= y) & (y <= others[:, 3])
    return bool(inside.any())


class FaceTracker:
    """The analyser on a live stream: each frame, the whole-frame pass, a square around each
    face found on the frame before that the whole-frame pass sees badly (a small one, or one cut
    by the frame's edge), and the next of the tiles and edge squares in turn. A far face, or one
    half out at a side, is found within one round (eight frames on a 512 x 288 stream) and
    followed from then on. ``reset`` forgets the faces (a new visit)."""

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
        searched = [*tiles, *edge_squares(size)] if len(tiles) > 1 else edge_squares(size)
        squares = [whole_frame(size), searched[self._next_tile % len(searched)]]
        self._next_tile += 1
        side = tiles[0][2]
        for face in sorted(self._last, key=lambda f: -f.score)[: self.MAX_FOLLOWED]:
            left, top, width, height = face.box
            x, y = left + width / 2, top + height / 2
            if max(width, height) < side / 2:  # the whole-frame pass sees larger faces well
                squares.append((round(x - side / 2), round(y - side / 2), side))
            elif cut_by_edge(np.array([left, top, left + width, top + height]), size):
                # Half out of view: centred on the face, its missing half black (edge_squares).
                edge_side = min(size)
                squares.append((round(x - edge_side / 2), round(y - edge_side / 2), edge_side))
        self._last = self.analyser.analyse(rgb, squares=squares)
        return self._last
