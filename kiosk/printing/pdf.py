"""The print file: a one-page PDF written by hand, the photo's JPEG placed in it unchanged.

PDF carries a JPEG as an image with ``/Filter /DCTDecode``: the file's bytes go into the PDF as
they are (no decoding, no resampling, no re-encoding); the printer scales it to the page as it
rasterises. The optional strip (event line and logo, drawn once per event) is an RGB image
compressed with Flate. Nothing here touches the photo's pixels.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

POINTS_PER_MM = 72 / 25.4


class NotAJpeg(ValueError):
    """The photo file is not a JPEG this writer can place (it names why)."""


@dataclass(frozen=True)
class JpegShape:
    width: int
    height: int
    components: int


# Start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
START_OF_FRAME = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_shape(jpeg: bytes) -> JpegShape:
    """Width, height and colour components from the JPEG's frame header, without decoding it."""
    if jpeg[:2] != b"\xff\xd8":
        raise NotAJpeg("the photo does not start like a JPEG (no SOI marker)")
    position = 2
    while position + 4 <= len(jpeg):
        if jpeg[position] != 0xFF:
            raise NotAJpeg(f"broken JPEG marker at byte {position}")
        marker = jpeg[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        (length,) = struct.unpack_from(">H", jpeg, position + 2)
        if marker in START_OF_FRAME:
            height, width, components = struct.unpack_from(">HHB", jpeg, position + 5)
            if components not in (1, 3, 4) or not width or not height:
                raise NotAJpeg(f"a JPEG with {components} components of {width}x{height}")
            return JpegShape(width, height, components)
        position += 2 + length
    raise NotAJpeg("the JPEG has no frame header (SOF marker)")


@dataclass(frozen=True)
class Placement:
    """An image on the page, in points from the page's lower left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class RgbImage:
    """Raw 8-bit RGB pixels, row by row (the strip)."""

    width: int
    height: int
    pixels: bytes


def photo_page(
    page_size: tuple[float, float],
    jpeg: bytes,
    photo: Placement,
    background: tuple[int, int, int] | None = None,
    strip: tuple[RgbImage, Placement] | None = None,
) -> bytes:
    """A one-page PDF of ``page_size`` points: an optional background colour, the JPEG at
    ``photo`` (its bytes unchanged), and an optional strip image."""
    shape = jpeg_shape(jpeg)
    colour_space = {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}[shape.components]
    # Adobe's CMYK JPEGs store inverted values; the decode array turns them the right way.
    decode = " /Decode [1 0 1 0 1 0 1 0]" if shape.components == 4 else ""
    images = {"Photo": 5}
    drawing = []
    if background is not None:
        red, green, blue = (channel / 255 for channel in background)
        drawing.append(
            f"{red:.4f} {green:.4f} {blue:.4f} rg 0 0 {page_size[0]:.2f} {page_size[1]:.2f} re f"
        )
    drawing.append(_draw("Photo", photo))
    objects: list[bytes] = []
    photo_object = _stream(
        f"<< /Type /XObject /Subtype /Image /Width {shape.width} /Height {shape.height} "
        f"/ColorSpace {colour_space} /BitsPerComponent 8{decode} /Filter /DCTDecode",
        jpeg,
    )
    if strip is not None:
        image, place = strip
        images["Strip"] = 6
        drawing.append(_draw("Strip", place))
    resources = " ".join(f"/{name} {number} 0 R" for name, number in images.items())
    content = "\n".join(drawing).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_size[0]:.2f} {page_size[1]:.2f}] "
            f"/Resources << /XObject << {resources} >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        _stream("<<", content),
        photo_object,
    ]
    if strip is not None:
        image = strip[0]
        objects.append(
            _stream(
                f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
                zlib.compress(image.pixels, 6),
            )
        )
    return _document(objects)


def _draw(name: str, place: Placement) -> str:
    return f"q {place.width:.3f} 0 0 {place.height:.3f} {place.x:.3f} {place.y:.3f} cm /{name} Do Q"


def _stream(dictionary_start: str, data: bytes) -> bytes:
    return (
        f"{dictionary_start} /Length {len(data)} >>\nstream\n".encode("ascii")
        + data
        + b"\nendstream"
    )


def _document(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    table = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
