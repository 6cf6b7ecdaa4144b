"""This person's open-eye value, and whether their eyes are open against it.

Openness (eyelid gap over eye width, from the iris model's eye contour) depends on how many
pixels the eye has on the analysis frame: the same open eyes read about 0.25 with 13 pixels
between the eyes and 0.30-0.34 with 28-36 (Giunchedi and Hopper in the simulated visits). A
value learnt while the person stood far away made a blink closer up look open (0.20 against
0.25 x 0.75): its frame was judged, and its jumping iris points brought "look into the lens"
for a tenth of a second. So the value is learnt again, over ``learn_seconds``, whenever the face
has grown or shrunk by more than ``RELEARN_SIZE`` since it was learnt. While it is learnt, the
upper half of the samples so far stands in for it, so a blink is a blink from the third frame on;
the upper half, so that a blink among the samples does not lower it.
"""

from __future__ import annotations

import statistics

# The face's size (eye distance on the analysis frame) may change by this factor either way
# before the open-eye value is learnt again.
RELEARN_SIZE = 1.3
# Fewer samples than this say nothing: the eyes count as open (or as the value learnt before).
MIN_SAMPLES = 3


def _upper_median(samples: list[float]) -> float:
    ordered = sorted(samples)
    return statistics.median(ordered[len(ordered) // 2 :])


class OpenEyes:
    def __init__(self, learn_seconds: float, open_share: float):
        self.learn_seconds = learn_seconds
        self.open_share = open_share
        self.baseline: float | None = None  # the value learnt last
        self._samples: list[float] = []
        self._since: float | None = None  # when the learning under way began; None: none is
        self._size: float | None = None  # the eye distance it is (or was) learnt at

    def reset(self) -> None:
        """A new person."""
        self.baseline = None
        self._samples = []
        self._since = self._size = None

    def observe(self, now: float, openness: float, eye_distance: float) -> None:
        """One measured face: its eyes' openness and eye distance (analysis-frame pixels)."""
        size = self._size
        if size is None or not 1 / RELEARN_SIZE <= eye_distance / size <= RELEARN_SIZE:
            self._samples = []
            self._since = now
            self._size = eye_distance
        if self._since is None:
            return
        self._samples.append(openness)
        if now - self._since >= self.learn_seconds:
            self.baseline = _upper_median(self._samples)
            self._since = None

    def open(self, openness: float) -> bool:
        """Open against the value for the face's present size: the one being learnt, from the
        samples so far, else the one learnt last."""
        reference = self.baseline
        if self._since is not None and len(self._samples) >= MIN_SAMPLES:
            reference = _upper_median(self._samples)
        if reference is None:
            return True
        return openness >= self.open_share * reference
