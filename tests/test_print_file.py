"""The print file: the photo's JPEG inside a PDF page byte for byte, the page's layout, the
strip in the event's colours; read back with poppler (pdfimages, pdftoppm) as a printer would."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.booth.screens.typeface import PACKAGE_FONTS
from kiosk.printing import ipp
from kiosk.printing.layout import (
    PAPER_SIZES,
    Branding,
    page_layout,
    print_file,
    render_strip,
)
from kiosk.printing.pdf import POINTS_PER_MM, NotAJpeg, jpeg_shape

INTER = PACKAGE_FONTS / "Inter-SemiBold.otf"
BRANDING = Branding(
    "Sommerfest 2026 · Fotoclub Müller",
    "#14202e",
    "#f5f1e8",
    None,
    INTER,
)
poppler = pytest.mark.skipif(not shutil.which("pdfimages"), reason="needs poppler-utils")


def jpeg_of(astronaut: np.ndarray, size: tuple[int, int], mode: str = "RGB") -> bytes:
    picture = Image.fromarray(astronaut).convert(mode).resize(size)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_the_shape_comes_from_the_frame_header(astronaut: np.ndarray, mode: str) -> None:
    shape = jpeg_shape(jpeg_of(astronaut, (400, 500), mode))
    assert (shape.width, shape.height, shape.components) == (400, 500, len(mode))


def test_what_is_not_a_jpeg_is_named() -> None:
    with pytest.raises(NotAJpeg, match="SOI"):
        jpeg_shape(b"\x89PNG\r\n")
    with pytest.raises(NotAJpeg, match="frame header"):
        jpeg_shape(b"\xff\xd8\xff\xd9")


def test_a_4_to_5_photo_on_2_to_3_paper_leaves_a_strip_below() -> None:
    from kiosk.printing.pdf import JpegShape

    layout = page_layout("4x6", 3.0, JpegShape(3200, 4000, 3))
    width, height = layout.page
    assert (round(width / POINTS_PER_MM, 1), round(height / POINTS_PER_MM, 1)) == (101.6, 152.4)
    photo = layout.photo
    assert photo.width / photo.height == pytest.approx(4 / 5)
    assert photo.x == pytest.approx(3 * POINTS_PER_MM)  # full width inside the margin
    assert photo.y + photo.height == pytest.approx(height - 3 * POINTS_PER_MM)  # at the top
    assert layout.strip is not None
    assert layout.strip.y == pytest.approx(3 * POINTS_PER_MM)
    assert layout.strip.height == pytest.approx(photo.y - layout.strip.y)
    assert layout.record() == {"paper": "4x6", "photo_mm": [95.6, 119.5], "strip_mm": [95.6, 26.9]}


def test_a_photo_of_the_papers_shape_fills_it_and_a_landscape_photo_turns_the_page() -> None:
    from kiosk.printing.pdf import JpegShape

    same = page_layout("4x6", 0.0, JpegShape(2000, 3000, 3))
    assert same.strip is None
    assert same.photo.width == pytest.approx(same.page[0])
    # 3:2 on A6 (about 1.41:1) leaves 4 mm: too little for a strip.
    assert page_layout("A6", 3.0, JpegShape(3000, 2000, 3)).strip is None
    turned = page_layout("4x6", 3.0, JpegShape(4000, 3000, 3))
    assert turned.page[0] > turned.page[1]
    assert turned.strip is not None and turned.strip.x > turned.photo.x


@poppler
@pytest.mark.parametrize("paper", sorted(PAPER_SIZES))
def test_the_pdf_holds_the_original_jpeg_byte_for_byte(
    tmp_path: Path, astronaut: np.ndarray, paper: str
) -> None:
    jpeg = jpeg_of(astronaut, (1600, 2000))
    layout = page_layout(paper, 3.0, jpeg_shape(jpeg))
    strip = render_strip(layout.strip, BRANDING) if layout.strip else None
    pdf = tmp_path / "print.pdf"
    pdf.write_bytes(print_file(jpeg, layout, BRANDING, strip))
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing[0].split()[3:5] == ["1600", "2000"] and listing[0].split()[8] == "jpeg"
    subprocess.run(["pdfimages", "-all", str(pdf), str(tmp_path / "image")], check=True)
    assert (tmp_path / "image-000.jpg").read_bytes() == jpeg
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    size = next(line for line in info.stdout.splitlines() if line.startswith("Page size:"))
    shown = [float(number) for number in size.split(":")[1].split("pts")[0].split("x")]
    assert shown == pytest.approx(list(layout.page), abs=0.01)


@poppler
def test_the_strip_shows_the_event_line_in_the_events_colours(
    tmp_path: Path, astronaut: np.ndarray
) -> None:
    jpeg = jpeg_of(astronaut, (800, 1000))
    layout = page_layout("4x6", 3.0, jpeg_shape(jpeg))
    assert layout.strip is not None
    pdf = tmp_path / "print.pdf"
    pdf.write_bytes(print_file(jpeg, layout, BRANDING, render_strip(layout.strip, BRANDING)))
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page-1.png").convert("RGB")).astype(int)
    height = page.shape[0]
    strip_rows = page[int(height * 0.85) : int(height * 0.95)]
    background = np.array([0x14, 0x20, 0x2E])
    foreground = np.array([0xF5, 0xF1, 0xE8])
    near = lambda colour: (np.abs(strip_rows - colour).sum(axis=2) < 40).mean()  # noqa: E731
    assert near(background) > 0.6, "the strip is in the event's background colour"
    assert near(foreground) > 0.01, "the event line is drawn in the foreground colour"
    # The photo's area is the photo, not the background.
    photo_rows = page[int(height * 0.2) : int(height * 0.6)]
    assert (np.abs(photo_rows - background).sum(axis=2) < 40).mean() < 0.2


def test_ipp_messages_round_trip() -> None:
    request = ipp.encode_request(
        ipp.GET_JOBS,
        7,
        [(ipp.KEYWORD, "requested-attributes", ["job-id", "job-name"]), (ipp.INTEGER, "limit", 3)],
    )
    # A request is also a message: the same decoder reads it back.
    decoded = ipp.decode_response(request)
    operation = decoded.first(ipp.OPERATION_GROUP)
    assert operation["requested-attributes"] == ["job-id", "job-name"]
    assert operation["limit"] == [3]
    assert operation["attributes-charset"] == ["utf-8"]


def test_an_ipp_address_becomes_an_http_request() -> None:
    assert ipp.http_url("ipp://printer.local/ipp/print") == (
        "http",
        "printer.local",
        631,
        "/ipp/print",
    )
    assert ipp.http_url("ipps://10.0.0.5:8631/ipp/print")[0:3] == ("https", "10.0.0.5", 8631)
    with pytest.raises(ipp.IppError, match="not an IPP address"):
        ipp.http_url("usb://Canon/SELPHY")


def test_the_strip_carries_the_logo_beside_the_event_line(tmp_path: Path) -> None:
    from kiosk.printing.pdf import JpegShape

    logo = tmp_path / "logo.png"
    Image.new("RGBA", (400, 200), (230, 40, 40, 255)).save(logo)
    branding = Branding("Sommerfest 2026", "#14202e", "#f5f1e8", logo, BRANDING.font)
    layout = page_layout("4x6", 3.0, JpegShape(3200, 4000, 3))
    assert layout.strip is not None
    strip = render_strip(layout.strip, branding)
    pixels = np.frombuffer(strip.pixels, np.uint8).reshape(strip.height, strip.width, 3)
    red = (np.abs(pixels.astype(int) - [230, 40, 40]).sum(axis=2) < 30).mean()
    light = (np.abs(pixels.astype(int) - [0xF5, 0xF1, 0xE8]).sum(axis=2) < 40).mean()
    assert red > 0.05 and light > 0.005
    # Logo on the left, the line on its right: the red is in the left half.
    columns = np.nonzero((np.abs(pixels.astype(int) - [230, 40, 40]).sum(axis=2) < 30).any(axis=0))
    assert columns[0].max() < strip.width / 2
    # The strip is 300 dpi of the room below the photo.
    assert strip.width == round(layout.strip.width / 72 * 300)
