"""Crop first, ask last: the photo's frame inside the sensor image for a face, and what keeps
any frame inside the sensor from framing it well (docs/framing.md, "Crop first").

Every crop this module calls good keeps the eyes inside the bands the rules name (eye line,
face fill, horizontal centre). Hysteresis works inwards: a rule that is broken is whole again
only when a crop inside the band narrowed by ``rules.hysteresis`` exists, so the photo never
takes the band's widened margin.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.camera.crop import Crop
from kiosk.vision.thresholds import FramingThresholds

# How far E may sit from the photo's vertical centre line, as a share of the photo's width.
CENTRE_TOLERANCE = 0.02
# The crop's height limits (min_output_height, the sensor's height) narrowed by this share of
# the hysteresis for a distance rule that is broken.
HEIGHT_HYSTERESIS = 0.1


@dataclass(frozen=True)
class CropChoice:
    crop: Crop
    problems: dict[str, float]  # rule -> how far outside its (maybe narrowed) band; signed


def _narrow(band: tuple[float, float], target: float, keep: float) -> tuple[float, float]:
    low, high = band
    return target - (target - low) * keep, target + (high - target) * keep


def choose_crop(
    eye_centre: tuple[float, float],
    eyes_to_chin: float,
    sensor_size: tuple[int, int],
    aspect: float,
    rules: FramingThresholds,
    narrowed: frozenset[str] = frozenset(),
) -> CropChoice:
    """The crop for these eyes (see ``_choose``): inside the narrowed bands where it can be, so
    that a breath between the last analysis and the burst does not take the photo out of the
    bands; else inside the bands themselves, judged against them."""
    everything = frozenset({"distance", "position"})
    inside = _choose(eye_centre, eyes_to_chin, sensor_size, aspect, rules, everything)
    if not inside.problems or narrowed == everything:
        return inside
    return _choose(eye_centre, eyes_to_chin, sensor_size, aspect, rules, narrowed)


def _choose(
    eye_centre: tuple[float, float],
    eyes_to_chin: float,
    sensor_size: tuple[int, int],
    aspect: float,
    rules: FramingThresholds,
    narrowed: frozenset[str],
) -> CropChoice:
    """The crop that puts the eyes at the centre and on the eye line with the face filling it,
    in sensor pixels; and what keeps any crop inside the sensor from doing so.

    Each problem is a distance/position rule: ``distance`` positive when too far (crop would be
    under min_output_height), negative when too close (taller than the sensor); ``position_x``
    and ``position_y`` the share of the crop by which the eyes would leave their band (sign:
    which side; negative: the face is on the image's left / too high). ``narrowed``: the rules
    ("distance", "position") currently broken, judged against their narrowed bands.
    """
    sensor_width, sensor_height = sensor_size
    ex, ey = eye_centre
    shrink = 1 - rules.hysteresis
    problems: dict[str, float] = {}

    keep = shrink if "distance" in narrowed else 1.0
    low_fill, high_fill = _narrow(rules.face_fill_band, rules.face_fill, keep)
    height_margin = rules.hysteresis * HEIGHT_HYSTERESIS if "distance" in narrowed else 0.0
    tallest = min(sensor_height, sensor_width / aspect)
    usable_tallest = tallest * (1 - height_margin)
    min_height = min(rules.min_output_height * (1 + height_margin), usable_tallest)
    smallest = max(eyes_to_chin / high_fill, min_height)
    largest = min(eyes_to_chin / low_fill, usable_tallest)
    keep = shrink if "position" in narrowed else 1.0
    low_line, high_line = _narrow(rules.eye_line_band, rules.eye_line, keep)
    tolerance = CENTRE_TOLERANCE * keep
    # A smaller crop (a larger face, still inside the fill band) may keep eyes near an edge of
    # the sensor inside their bands where the target size cannot: the tallest such crop.
    fits_position = min(
        ey / low_line,
        (sensor_height - ey) / (1 - high_line),
        min(ex, sensor_width - ex) / ((0.5 - tolerance) * aspect),
    )
    if smallest <= largest:
        highest = max(min(largest, fits_position), smallest)
        target = eyes_to_chin / rules.face_fill
        # The target size if it fits; else the middle of the sizes that do, which keeps a
        # margin to both the face-size band and the eyes' band (a breath must not leave them).
        height = target if smallest <= target <= highest else (smallest + highest) / 2
    elif eyes_to_chin / high_fill > usable_tallest:
        problems["distance"] = -(eyes_to_chin / high_fill / usable_tallest - 1)  # too close
        height = tallest
    else:
        problems["distance"] = min_height / (eyes_to_chin / low_fill) - 1  # too far
        height = min(rules.min_output_height, tallest)
    width = height * aspect

    slack = tolerance * width
    ideal_left = ex - width / 2
    lowest_left = max(ideal_left - slack, 0.0)
    highest_left = min(ideal_left + slack, sensor_width - width)
    if lowest_left <= highest_left:
        left = min(max(ideal_left, lowest_left), highest_left)
    elif ideal_left + slack < 0:
        problems["position_x"] = (ideal_left + slack) / width  # face on the image's left
        left = 0.0
    else:
        problems["position_x"] = (ideal_left - slack - (sensor_width - width)) / width
        left = sensor_width - width

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


def frames_well(
    crop: Crop,
    eye_centre: tuple[float, float],
    eyes_to_chin: float,
    rules: FramingThresholds,
    narrowed: bool = False,
) -> bool:
    """Whether ``crop`` keeps these eyes inside every band the rules name (``narrowed``: inside
    the bands narrowed by the hysteresis, the margin ``choose_crop`` keeps where it can)."""
    ex, ey = eye_centre
    keep = 1 - rules.hysteresis if narrowed else 1.0
    low_line, high_line = _narrow(rules.eye_line_band, rules.eye_line, keep)
    low_fill, high_fill = _narrow(rules.face_fill_band, rules.face_fill, keep)
    return (
        abs(ex - (crop.left + crop.width / 2)) <= CENTRE_TOLERANCE * keep * crop.width
        and low_line <= (ey - crop.top) / crop.height <= high_line
        and low_fill <= eyes_to_chin / crop.height <= high_fill
        and crop.height >= rules.min_output_height
    )


def sideways_when_closer(
    problems: dict[str, float],
    eye_centre: tuple[float, float],
    eyes_to_chin: float,
    sensor_size: tuple[int, int],
    aspect: float,
    rules: FramingThresholds,
    narrowed: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """A crop's problems for a face too far away, its sideways position judged where the eyes
    will be once the person has come close enough (the face at ``face_fill`` of a crop of
    ``min_output_height``). Stepping towards the camera moves the face away from the image's
    centre, about the lens's axis: judged where it is, a far face off to the side was brought in,
    led out again by "come closer", and brought in a second time (in the simulated visits, a
    person starting far away in a corner took 22 s). Up and down likewise, but only where the
    eyes are out of their band already: nobody far away whose eyes fit is asked to crouch."""
    factor = rules.min_output_height * rules.face_fill / eyes_to_chin
    if problems.get("distance", 0.0) <= 0 or factor <= 1:
        return problems
    centre_x = sensor_size[0] / 2
    eye_x, eye_y = eye_centre
    centre_y = sensor_size[1] / 2
    there = choose_crop(
        (centre_x + (eye_x - centre_x) * factor, centre_y + (eye_y - centre_y) * factor),
        eyes_to_chin * factor,
        sensor_size,
        aspect,
        rules,
        narrowed,
    )
    axes = ("position_x", "position_y") if "position_y" in problems else ("position_x",)
    judged = {rule: value for rule, value in problems.items() if rule not in axes}
    judged.update({axis: there.problems[axis] for axis in axes if axis in there.problems})
    return judged
