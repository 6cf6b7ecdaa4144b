"""Simulated guided visits: the share that ends in a good automatic photo, and how fast.

The real booth loop, analyser process and framing engine with an injected clock (each frame
analysed before the next, 10 frames a simulated second), and the honest simulated person
(kiosk/camera/pictured_person.py) starting at a random place where their face is at least partly
on the sensor: too far, too close, half out of view, head rolled. Good: an automatic photo within
20 simulated seconds, eyes open, sharp, eye line 0.33-0.40 (tests/guided_visits.py).

Run: python bench/guided_visits.py [COUNT [FIRST]]  (default 120 visits from seed 0; needs
`kiosk models install`; a share of a longer run: its seeds FIRST to FIRST+COUNT-1)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from guided_visits import random_start, run_visits, summary

from kiosk.config import Config
from kiosk.vision.face_models import FaceAnalyser
from kiosk.vision.model_files import model_problems

SHARE_TARGET = 0.95
MEDIAN_TARGET = 20.0


def _progress(outcome) -> None:
    seconds = f"{outcome.seconds:.1f} s" if outcome.seconds is not None else "no photo"
    print(f"visit {outcome.start.seed}: {'good' if outcome.good else 'BAD'}, {seconds}", flush=True)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    models = Config().models_dir
    if model_problems(models):
        print(f"no face models in {models}: run 'kiosk models install'", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        outcomes = run_visits(
            [random_start(seed) for seed in range(first, first + count)],
            Path(folder),
            models,
            FaceAnalyser(models),
            report=_progress,
        )
    share, median = summary(outcomes)
    failures = Counter()
    for outcome in outcomes:
        if not outcome.good:
            start = outcome.start
            reason = (
                "no photo"
                if not outcome.photographed
                else "too slow"
                if outcome.seconds and outcome.seconds > 20
                else f"eye line {outcome.eye_line}"
                if outcome.eyes_open and outcome.sharp
                else "eyes/sharpness"
            )
            failures[reason] += 1
            print(
                f"visit {start.seed}: {reason}; start eyes at ({start.eye_x:.2f}, "
                f"{start.eye_y:.2f}), zoom {start.zoom:.2f}, roll {start.roll:.0f}; "
                "cues "
                + " ".join(f"{c.removeprefix('cue_')}:{s:.1f}" for c, s in outcome.cues[:12])
            )
    print(
        f"{count} visits in {time.perf_counter() - started:.0f} s: {dict(failures) or 'all good'}"
    )
    print(
        f"figure good_visit_share {share:.3f} target >={SHARE_TARGET} "
        f"{'ok' if share >= SHARE_TARGET else 'MISS'}"
    )
    shown = f"{median:.1f}" if median is not None else "none"
    ok = median is not None and median <= MEDIAN_TARGET
    print(
        f"figure median_seconds_to_photo {shown} target <={MEDIAN_TARGET} {'ok' if ok else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
