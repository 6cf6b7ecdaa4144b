"""Face analysis speed, and what running it costs the booth's UI.

1. Analyses per second (detector, face mesh, both irises) on one thread, at 320x240 and 640x480,
   on a frame with the real test face.
2. The framing screen's frame rate while the analyser process works on every frame the UI can
   hand it (as the booth loop does: newest frame only), divided by the frame rate without it,
   measured in the same run.

Run: python bench/analysis.py  (needs `kiosk models install`)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
from _framing import framing_screen
from PIL import Image
from skimage import data

from kiosk.config import Config
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.faces import FaceAnalyser
from kiosk.vision.model_files import model_problems

SIZES = {"320x240": (320, 240), "640x480": (640, 480)}
ANALYSES = 60
UI_SECONDS = 2.0
ROUNDS = 4
# As on a Pi 4/5, where the booth and its analyser have three cores between them: here the UI
# gets one core and the analyser the other, so the figure is not about this machine's count.
UI_CPUS = {0}
ANALYSER_CPUS = {(os.cpu_count() or 2) - 1}
RATE_TARGET = 30.0
UI_TARGET = 0.9


def frame_of(size: tuple[int, int]) -> np.ndarray:
    """The portrait filling most of the frame's height on a grey backdrop."""
    width, height = size
    side = round(height * 0.9)
    face = Image.fromarray(data.astronaut()).resize((side, side))
    canvas = Image.new("RGB", size, (118, 118, 118))
    canvas.paste(face, ((width - side) // 2, (height - side) // 2))
    return np.asarray(canvas)


def analysis_rates(analyser: FaceAnalyser) -> dict[str, float]:
    seconds = {}
    for name, size in SIZES.items():
        frame = frame_of(size)
        assert analyser.analyse(frame), f"no face found at {name}"
        times = []
        for _ in range(ANALYSES):
            start = time.perf_counter()
            analyser.analyse(frame)
            times.append(time.perf_counter() - start)
        seconds[name] = statistics.median(times)
    return seconds


def ui_rate(draw, analyser: AnalyserProcess | None, frame: np.ndarray) -> tuple[float, int]:
    """Frames a second the framing screen reaches (unpaced); analyses done meanwhile."""
    frames = analysed = 0
    start = time.perf_counter()
    while time.perf_counter() - start < UI_SECONDS:
        draw(time.perf_counter())
        if analyser is not None:
            if analyser.poll() is not None:
                analysed += 1
            analyser.submit(frame, time.perf_counter())
        frames += 1
    return frames / (time.perf_counter() - start), analysed


def _pinned_analyser(connection, models_dir: str, threads: int) -> None:
    from kiosk.vision.analyser import _serve

    os.sched_setaffinity(0, ANALYSER_CPUS)
    _serve(connection, models_dir, threads)


def main() -> int:
    models = Config().models_dir
    if model_problems(models):
        print(f"no face models in {models}: run 'kiosk models install'", file=sys.stderr)
        return 2
    rates = analysis_rates(FaceAnalyser(models, threads=1))
    for name, seconds in rates.items():
        print(f"{name}: {seconds * 1000:.1f} ms per analysis, {1 / seconds:.0f} analyses/s")

    os.sched_setaffinity(0, UI_CPUS)
    screen = framing_screen((1280, 720))
    analysis_frame = frame_of((512, 288))[..., 1].copy()
    process = AnalyserProcess(models, target=_pinned_analyser)
    deadline = time.monotonic() + 60
    while not process.working:
        process.poll()
        assert time.monotonic() < deadline, "the analyser process did not start"
        time.sleep(0.01)
    ui_rate(screen.draw, None, analysis_frame)  # warm up
    quiet_rates, busy_rates, analysed = [], [], 0
    for _ in range(ROUNDS):
        quiet_rates.append(ui_rate(screen.draw, None, analysis_frame)[0])
        rate, count = ui_rate(screen.draw, process, analysis_frame)
        busy_rates.append(rate)
        analysed += count
    process.close()
    baseline, busy = statistics.median(quiet_rates), statistics.median(busy_rates)
    print(
        f"framing screen: {baseline:.0f} frames/s alone, {busy:.0f} frames/s with the analyser "
        f"({analysed / (UI_SECONDS * ROUNDS):.0f} analyses/s of 512x288 frames meanwhile)"
    )
    rate = 1 / rates["320x240"]
    ratio = busy / baseline
    print(
        f"figure analyses_per_s_320x240 {rate:.1f} target >={RATE_TARGET} "
        f"{'ok' if rate >= RATE_TARGET else 'MISS'}"
    )
    print(
        f"figure ms_per_analysis_640x480 {rates['640x480'] * 1000:.1f} target <=33.3 "
        f"{'ok' if rates['640x480'] <= 1 / 30 else 'MISS'}"
    )
    print(
        f"figure ui_rate_ratio {ratio:.2f} target >={UI_TARGET} "
        f"{'ok' if ratio >= UI_TARGET else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
