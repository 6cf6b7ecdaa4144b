"""Where the photo sits inside the sensor image.

A ``Crop`` is in sensor pixels. The photo is exactly that rectangle of one captured frame: no
scaling, so crops are whole pixels and always inside the sensor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Crop:
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def contains(self, other: Crop) -> bool:
        """Whether ``other`` lies wholly inside this rectangle."""
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def scaled(self, factor_x: float, factor_y: float) -> tuple[int, int, int, int]:
        """The same rectangle in a smaller copy of the sensor image (e.g. the preview stream)."""
        return (
            round(self.left * factor_x),
            round(self.top * factor_y),
            max(1, round(self.width * factor_x)),
            max(1, round(self.height * factor_y)),
        )


def centred_crop(sensor_size: tuple[int, int], aspect_ratio: float) -> Crop:
    """The largest crop of ``aspect_ratio`` (width / height) centred on the sensor."""
    sensor_width, sensor_height = sensor_size
    height = sensor_height
    width = round(height * aspect_ratio)
    if width > sensor_width:
        width = sensor_width
        height = round(width / aspect_ratio)
    return Crop((sensor_width - width) // 2, (sensor_height - height) // 2, width, height)
