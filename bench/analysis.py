"""Face analysis speed, and what running it costs the booth's UI.

1. Analyses per second on one thread at the booth's 512x288 analysis frame, as the analyser
   process runs them on a stream (FaceTracker: the whole frame letterboxed, one tile of the grid
   in turn, a tile around the face it follows; face mesh and both irises), with the real test
   face near and far; and one full search of a frame (every tile) for comparison.
2. The framing screen paced at 30 frames a second, as the booth runs it, while the analyser
   process works on every frame the UI can hand it (newest frame only): the share of frames
   drawn within their 1/30 s slot, and the same share without the analyser, in the same run.

Run: python bench/analysis.py  (needs `kiosk models install`)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np
from _framing import frames_on_time, framing_screen
from PIL import Image
from skimage import data

from kiosk.config import Config
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.face_models import FaceAnalyser, FaceTracker
from kiosk.vision.model_files import model_problems

ANALYSIS_SIZE = (512, 288)
ANALYSES = 60
UI_SECONDS = 4.0
UI_FPS = 30
ROUNDS = 3
# As on a Pi 4/5, where the booth and its analyser have three cores between them: here the UI
# gets one core and the analyser the other, so the figure is not about this machine's count.
UI_CPUS = {0}
ANALYSER_CPUS = {(os.cpu_count() or 2) - 1}
RATE_TARGET = 30.0
ON_TIME_TARGET = 0.99


def frame_of(size: tuple[int, int], share: float = 0.9) -> np.ndarray:
    """The portrait filling ``share`` of the frame's height on a grey backdrop."""
    width, height = size
    side = round(height * share)
    face = Image.fromarray(data.astronaut()).resize((side, side))
    canvas = Image.new("RGB", size, (118, 118, 118))
    canvas.paste(face, ((width - side) // 2, (height - side) // 2))
    return np.asarray(canvas)


def seconds_per_analysis(analyse, frame: np.ndarray) -> float:
    assert analyse(frame), "no face found"
    times = []
    for _ in range(ANALYSES):
        start = time.perf_counter()
        analyse(frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def analysis_rates(analyser: FaceAnalyser) -> dict[str, float]:
    """Median seconds per analysis of a 512x288 frame: streamed near and far, and searched."""
    near, far = frame_of(ANALYSIS_SIZE), frame_of(ANALYSIS_SIZE, 0.25)
    tracker = FaceTracker(analyser)
    return {
        "stream, face near": seconds_per_analysis(tracker.analyse, near),
        "stream, face far": seconds_per_analysis(tracker.analyse, far),
        "one frame, every tile": seconds_per_analysis(analyser.analyse, near),
    }


def paced_ui(draw, analyser: AnalyserProcess | None, frame: np.ndarray) -> tuple[float, int]:
    """The framing screen at UI_FPS: the share of frames done within their slot; analyses
    done meanwhile."""
    analysed = 0

    def ui_frame(now: float) -> None:
        nonlocal analysed
        draw(now)
        if analyser is not None:
            if analyser.poll() is not None:
                analysed += 1
            analyser.submit(frame, time.perf_counter())

    return frames_on_time(ui_frame, UI_SECONDS, UI_FPS), analysed


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
        print(f"512x288 {name}: {seconds * 1000:.1f} ms per analysis, {1 / seconds:.0f}/s")

    os.sched_setaffinity(0, UI_CPUS)
    screen = framing_screen((1280, 720))
    analysis_frame = frame_of(ANALYSIS_SIZE)[..., 1].copy()
    process = AnalyserProcess(models, target=_pinned_analyser)
    deadline = time.monotonic() + 60
    while not process.working:
        process.poll()
        assert time.monotonic() < deadline, "the analyser process did not start"
        time.sleep(0.01)
    paced_ui(screen.draw, None, analysis_frame)  # warm up
    quiet, busy, analysed = [], [], 0
    for _ in range(ROUNDS):
        quiet.append(paced_ui(screen.draw, None, analysis_frame)[0])
        share, count = paced_ui(screen.draw, process, analysis_frame)
        busy.append(share)
        analysed += count
    process.close()
    alone, with_analyser = min(quiet), min(busy)
    print(
        f"framing screen at {UI_FPS} fps: {alone:.3f} of frames on time alone, "
        f"{with_analyser:.3f} with the analyser "
        f"({analysed / (UI_SECONDS * ROUNDS):.0f} analyses/s of 512x288 frames meanwhile)"
    )
    worst = max(rates["stream, face near"], rates["stream, face far"])
    rate = 1 / worst
    print(
        f"figure analyses_per_s_512x288 {rate:.1f} target >={RATE_TARGET} "
        f"{'ok' if rate >= RATE_TARGET else 'MISS'}"
    )
    print(
        f"figure ui_frames_on_time_30fps {with_analyser:.3f} target >={ON_TIME_TARGET} "
        f"{'ok' if with_analyser >= ON_TIME_TARGET else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
