"""Crop first, ask last: the photo's frame inside the sensor image for a face, and what keeps
any frame inside the sensor from framing it well (docs/framing.md, "Crop first")."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.camera.crop import Crop
from kiosk.vision.thresholds import FramingThresholds


@dataclass(frozen=True)
class CropChoice:
    crop: Crop
    problems: dict[str, float]  # rule -> how far outside its limit (0: at the limit)


def choose_crop(
    eye_centre: tuple[float, float],
    eyes_to_chin: float,
    sensor_size: tuple[int, int],
    aspect: float,
    rules: FramingThresholds,
) -> CropChoice:
    """The crop that puts the eyes at the centre and on the eye line with the face filling it,
    in sensor pixels; and what keeps any crop inside the sensor from doing so.

    Each problem is a distance/position rule: ``distance`` positive when too far (crop would be
    under min_output_height), negative when too close (taller than the sensor); ``position_x``
    and ``position_y`` the share of the crop by which it would leave the sensor (sign: which
    side).
    """
    sensor_width, sensor_height = sensor_size
    ex, ey = eye_centre
    low_fill, high_fill = rules.face_fill_band
    tallest = min(sensor_height, sensor_width / aspect)
    problems: dict[str, float] = {}

    smallest = max(eyes_to_chin / high_fill, rules.min_output_height)
    largest = min(eyes_to_chin / low_fill, tallest)
    if smallest <= largest:
        height = min(max(eyes_to_chin / rules.face_fill, smallest), largest)
    elif eyes_to_chin / high_fill > tallest:
        problems["distance"] = -(eyes_to_chin / high_fill / tallest - 1)  # too close
        height = tallest
    else:
        problems["distance"] = rules.min_output_height / (eyes_to_chin / low_fill) - 1  # too far
        height = min(rules.min_output_height, tallest)
    width = height * aspect

    left = ex - width / 2
    if left < 0:
        problems["position_x"] = left / width  # negative: the face is on the image's left
    elif left + width > sensor_width:
        problems["position_x"] = (left + width - sensor_width) / width
    left = min(max(left, 0), sensor_width - width)

    low_line, high_line = rules.eye_line_band
    lowest_top = max(ey - high_line * height, 0.0)
    highest_top = min(ey - low_line * height, sensor_height - height)
    top = ey - rules.eye_line * height
    if lowest_top <= highest_top:
        top = min(max(top, lowest_top), highest_top)
    elif ey - low_line * height < 0:
        problems["position_y"] = (ey - low_line * height) / height  # face too high: negative
    else:
        problems["position_y"] = (ey - high_line * height - (sensor_height - height)) / height
    top = min(max(top, 0), sensor_height - height)
    crop = Crop(round(left), round(top), round(width), round(height))
    return CropChoice(crop, problems)
