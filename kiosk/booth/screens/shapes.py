"""Anti-aliased shapes: rings and ovals computed per pixel, pictograms drawn four times larger and
averaged down. pygame draws none of these smoothly itself; everything here is made once per size
and cached by the screens, so a frame only blits.
"""

from __future__ import annotations

import math

import numpy as np
import pygame

Colour = tuple[int, int, int]
Point = tuple[float, float]

SUPERSAMPLE = 4
WHITE = (255, 255, 255, 255)


def alpha_surface(rgb: np.ndarray | Colour, alpha: np.ndarray) -> pygame.Surface:
    """A per-pixel-alpha surface from an (h, w) coverage in 0..1 and a colour (or (h, w, 3))."""
    height, width = alpha.shape
    surface = pygame.Surface((width, height), pygame.SRCALPHA)
    colours = pygame.surfarray.pixels3d(surface)
    colours[...] = np.asarray(rgb, dtype=np.uint8).swapaxes(0, 1) if np.ndim(rgb) == 3 else rgb
    del colours
    alphas = pygame.surfarray.pixels_alpha(surface)
    alphas[...] = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8).T
    del alphas
    return surface


def ellipse_band(size: tuple[int, int], radii: Point, thickness: float) -> np.ndarray:
    """Coverage (0..1) of an elliptic line ``thickness`` wide, centred in a box of ``size``."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dx = xs + 0.5 - width / 2
    dy = ys + 0.5 - height / 2
    a, b = radii
    r = np.sqrt((dx / a) ** 2 + (dy / b) ** 2) + 1e-6
    gradient = np.sqrt((dx / a**2) ** 2 + (dy / b**2) ** 2) / r + 1e-6
    # Distance from the ellipse in pixels, to first order: good within a few pixels of the line.
    distance = np.abs(r - 1) / gradient
    return np.clip(thickness / 2 - distance + 0.5, 0.0, 1.0)


def clock_angle(size: tuple[int, int]) -> np.ndarray:
    """Each pixel's angle around the box's centre as a share of a turn: 0 at twelve o'clock,
    growing clockwise."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = np.arctan2(xs + 0.5 - width / 2, -(ys + 0.5 - height / 2))
    return (angle / math.tau) % 1.0


class Ring:
    """An elliptic line cut into sectors, so that a part of it (a progress) blits only what it
    shows, and a whole one blits no large transparent area."""

    def __init__(
        self,
        centre: Point,
        radii: Point,
        thickness: float,
        colour: Colour,
        sectors: int = 96,
    ):
        margin = math.ceil(thickness / 2 + 2)
        size = (round(2 * radii[0]) + 2 * margin, round(2 * radii[1]) + 2 * margin)
        left = round(centre[0] - size[0] / 2)
        top = round(centre[1] - size[1] / 2)
        coverage = ellipse_band(size, radii, thickness)
        turn = clock_angle(size)
        self.pieces: list[tuple[pygame.Surface, tuple[int, int]]] = []
        for sector in range(sectors):
            inside = (turn >= sector / sectors) & (turn < (sector + 1) / sectors)
            part = np.where(inside, coverage, 0.0)
            rows = np.flatnonzero(part.max(axis=1) > 0)
            cols = np.flatnonzero(part.max(axis=0) > 0)
            if rows.size == 0:
                self.pieces.append((pygame.Surface((0, 0), pygame.SRCALPHA), (left, top)))
                continue
            cut = part[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
            self.pieces.append((alpha_surface(colour, cut), (left + cols[0], top + rows[0])))

    def draw(self, surface: pygame.Surface, share: float = 1.0) -> None:
        count = round(len(self.pieces) * min(1.0, max(0.0, share)))
        surface.blits(self.pieces[:count], doreturn=False)


def dial(diameter: int, share: float, colour: Colour, track: Colour) -> pygame.Surface:
    """A round counter's ring: a thin track with ``share`` of it drawn thick in ``colour``,
    from twelve o'clock clockwise."""
    size = (diameter, diameter)
    radius = diameter / 2 - diameter * 0.06
    track_cover = ellipse_band(size, (radius, radius), diameter * 0.025)
    arc_cover = ellipse_band(size, (radius, radius), diameter * 0.07)
    arc_cover = np.where(clock_angle(size) < share, arc_cover, 0.0)
    alpha = np.maximum(track_cover, arc_cover)
    shares = np.divide(arc_cover, alpha, out=np.zeros_like(alpha), where=alpha > 0)[..., None]
    rgb = np.asarray(track, np.float32) * (1 - shares) + np.asarray(colour, np.float32) * shares
    return alpha_surface(rgb.astype(np.uint8), alpha)


class Sketch:
    """A small picture drawn with pygame's (jagged) primitives at four times the size, in layers
    of one colour each, then averaged down: smooth edges. Coordinates are shares of the side.

    ``outlined`` layers get a dark rim first, so a pictogram reads on any background."""

    def __init__(self, side: int, outline: Colour, rim: float = 0.035):
        self.side = side
        self.big = side * SUPERSAMPLE
        self.outline = outline
        # The rim is grown at half the drawing's size: growing a mask costs its area times the
        # disk's, and the rim's outer edge, dark on dark, needs less smoothing.
        self._half = self.big // 2
        rim_pixels = max(1, round(rim * self._half))
        self._rim = rim_pixels
        disk = pygame.Surface((2 * rim_pixels + 1,) * 2, pygame.SRCALPHA)
        pygame.draw.circle(disk, WHITE, (rim_pixels, rim_pixels), rim_pixels)
        self._disk = pygame.mask.from_surface(disk)
        # Transparent pixels carry the rim's colour, so averaging down blends edges toward it
        # and not toward black.
        self._canvas = pygame.Surface((self.big, self.big), pygame.SRCALPHA)
        self._canvas.fill((*outline, 0))

    def _scaled(self, points: list[Point]) -> list[tuple[float, float]]:
        return [(x * self.big, y * self.big) for x, y in points]

    def _mask(self, draw) -> pygame.mask.Mask:
        layer = pygame.Surface((self.big, self.big), pygame.SRCALPHA)
        draw(layer)
        return pygame.mask.from_surface(layer)

    def _paint(self, mask: pygame.mask.Mask, colour: Colour, outlined: bool) -> None:
        if outlined:
            half = mask.scale((self._half, self._half))
            grown = half.convolve(self._disk).scale((self.big + 4 * self._rim,) * 2)
            grown.to_surface(
                self._canvas,
                setcolor=(*self.outline, 255),
                unsetcolor=None,
                dest=(-2 * self._rim,) * 2,
            )
        mask.to_surface(self._canvas, setcolor=(*colour, 255), unsetcolor=None)

    def polygon(self, points: list[Point], colour: Colour, outlined: bool = True) -> None:
        scaled = self._scaled(points)
        self._paint(self._mask(lambda s: pygame.draw.polygon(s, WHITE, scaled)), colour, outlined)

    def circle(
        self, centre: Point, radius: float, colour: Colour, outlined: bool = True, width: float = 0
    ) -> None:
        c = self._scaled([centre])[0]
        r, w = radius * self.big, round(width * self.big)
        self._paint(self._mask(lambda s: pygame.draw.circle(s, WHITE, c, r, w)), colour, outlined)

    def ellipse(
        self, box: tuple[float, float, float, float], colour: Colour, outlined: bool = True
    ) -> None:
        rect = pygame.Rect(*(round(v * self.big) for v in box))
        self._paint(self._mask(lambda s: pygame.draw.ellipse(s, WHITE, rect)), colour, outlined)

    def bust(self, centre_x: float, head_y: float, head: float, colour: Colour, **kw) -> None:
        """A person from the chest up: a round head over rounded shoulders, cut at the bottom."""
        shoulders = (centre_x - head * 1.9, head_y + head * 1.25, head * 3.8, head * 3.2)
        rect = pygame.Rect(*(round(v * self.big) for v in shoulders))
        bottom = round(min(1.0, head_y + head * 3.0) * self.big)

        def draw(surface: pygame.Surface) -> None:
            pygame.draw.ellipse(surface, WHITE, rect)
            surface.fill((0, 0, 0, 0), (0, bottom, self.big, self.big))
            c = (centre_x * self.big, head_y * self.big)
            pygame.draw.circle(surface, WHITE, c, head * self.big)

        self._paint(self._mask(draw), colour, kw.get("outlined", True))

    def arrow(self, tail: Point, tip: Point, width: float, colour: Colour) -> None:
        """A straight arrow: a shaft and a head, one shape."""
        direction = pygame.Vector2(tip) - pygame.Vector2(tail)
        length = direction.length()
        unit = direction / length
        side = unit.rotate(90)
        head = min(length * 0.55, width * 2.6)
        neck = pygame.Vector2(tip) - unit * head
        t = pygame.Vector2(tail)
        points = [
            t + side * width / 2,
            neck + side * width / 2,
            neck + side * width * 1.5,
            pygame.Vector2(tip),
            neck - side * width * 1.5,
            neck - side * width / 2,
            t - side * width / 2,
        ]
        self.polygon([(p.x, p.y) for p in points], colour)

    def curved_arrow(
        self,
        centre: Point,
        radius: float,
        start: float,
        end: float,
        width: float,
        colour: Colour,
        squash: float = 1.0,
    ) -> None:
        """An arrow along a circle's arc from angle ``start`` to ``end`` (degrees, 0 = right,
        90 = down); the head at ``end``. ``squash`` flattens the circle vertically."""
        steps = 32
        head = width * 2.4
        turn = math.radians(end - start)
        # Stop the shaft where the head begins.
        shaft_end = end - math.degrees(math.copysign(head / radius, turn)) * 0.9

        def at(degrees: float, offset: float) -> pygame.Vector2:
            angle = math.radians(degrees)
            r = radius + offset
            return pygame.Vector2(
                centre[0] + r * math.cos(angle), centre[1] + r * squash * math.sin(angle)
            )

        angles = [start + (shaft_end - start) * i / steps for i in range(steps + 1)]
        outer = [at(a, width / 2) for a in angles]
        inner = [at(a, -width / 2) for a in reversed(angles)]
        tip = at(end, 0)
        base_out, base_in = at(shaft_end, width * 1.5), at(shaft_end, -width * 1.5)
        points = [*outer, base_out, tip, base_in, *inner]
        self.polygon([(p.x, p.y) for p in points], colour)

    def surface(self) -> pygame.Surface:
        # Shrinking, smoothscale averages each block of pixels: the anti-aliasing.
        return pygame.transform.smoothscale(self._canvas, (self.side, self.side))
