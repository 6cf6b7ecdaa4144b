"""Steps of a visit through the real booth loop, shared by the end-to-end tests."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from kiosk.booth.events import MainButton, SecondButton
from kiosk.booth.loop import BoothLoop
from kiosk.booth.machine import Phase
from kiosk.vision.pace import AnalysisPace, PaceRules

ALL_SCREENS = ["attract", "framing", "countdown", "capture", "review", "share"]
# Bounds on waiting for another process are bounds, not durations: the emulated arm64 check
# (tests/integration/chroot-install.sh) runs everything ten or more times slower and stretches
# them with ECHTBILD_TEST_PATIENCE.
PATIENCE = float(os.environ.get("ECHTBILD_TEST_PATIENCE", "1"))


def patient(seconds: float) -> float:
    """A bound on waiting for another process, stretched for slow (emulated) machines."""
    return seconds * PATIENCE


def pace_without_scoring_budget(**rules: float) -> AnalysisPace:
    """The analyser's pace rules for tests of the guided flow: a burst is scored on faces however
    long that takes. Whether it fits the attendee's 8 s is the pace's own rule, tested on its own
    (test_pace, and a guided visit on a device too slow for it); the emulated arm64 check's CPU,
    some seventy times slower than a Pi 4 at the face models, never fits it."""
    return AnalysisPace(PaceRules(scoring_budget=math.inf, **rules))


def advance(app: BoothLoop, start: float, seconds: float, fps: float = 10) -> float:
    """Run the loop for ``seconds`` of booth time at ``fps`` frames a second; returns the end."""
    now = start
    for _ in range(round(seconds * fps)):
        now += 1 / fps
        app.step(now)
    return now


def press(app: BoothLoop, button: MainButton | SecondButton, now: float) -> float:
    app.post(button)
    app.step(now)
    return now


def screenshots(app: BoothLoop) -> dict[str, Path]:
    assert app.screenshots is not None
    return {path.stem.split("-", 1)[1]: path for path in sorted(app.screenshots.glob("*.png"))}


def assert_not_blank(path: Path) -> None:
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(np.uint32)
    assert pixels.std() > 10, f"{path.name} looks blank"
    colours = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    assert len(np.unique(colours)) > 20, f"{path.name} has hardly any detail"


def decode_qr(path: Path) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(path).convert("L"))]


def full_visit(app: BoothLoop) -> float:
    app.start(0.0)
    now = advance(app, 0.0, 1.0)
    now = press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.FRAMING
    now = advance(app, now, 2.0)
    now = press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.COUNTDOWN
    now = advance(app, now, app.config.timing.countdown + 0.2)
    now = advance(app, now, 0.2)
    assert app.machine.phase is Phase.REVIEW
    now = press(app, MainButton(), now + 0.1)
    assert app.machine.phase is Phase.SHARE
    # Presses count again once the share screen's guard time is over.
    now = advance(app, now, app.config.timing.share_guard + 0.2)
    return now


def eventually(condition: Callable[[], bool], within: float = 5.0) -> bool:
    """Whether ``condition`` holds within ``within`` seconds: for what another process or the
    server's thread finishes just after the test's client is done (not a timing assertion, so
    the bound stretches with ``patient``)."""
    deadline = time.monotonic() + patient(within)
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
