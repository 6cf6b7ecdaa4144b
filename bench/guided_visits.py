"""Simulated guided visits with every real person: the share that ends in a good automatic
photo, how fast, and whether a blink ever brought a cue.

The real booth loop, analyser process and framing engine with an injected clock (each frame
analysed before the next, 10 frames a simulated second), and the honest simulated person
(kiosk/camera/pictured_person.py) starting at a random place where their face is at least partly
on the sensor: too far, too close, half out of view, head rolled. The person is each real person
of tests/portraits and the astronaut in turn (seed modulo the number of people). Good: an
automatic photo within 20 simulated seconds, eyes open, sharp, eye line 0.33-0.40
(tests/guided_visits.py). A cue "in a blink" started while the booth's answers came from the
blink's frames or the first after it (0.2-0.45 s after the eyes closed: a frame's answer comes
with the next frame); a "flash" is one of those gone again within 0.5 s, the mark of a cue the
blink brought.

Run: python bench/guided_visits.py [--visits N] [--first SEED] [--people NAME,NAME]
(default 220 visits from seed 5000, every person; needs `kiosk models install`). Progress goes
to the screen visit by visit; a full run takes about 4 s a visit on a quiet core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from guided_visits import (
    ASTRONAUT,
    FLASH_SECONDS,
    LIMIT_SECONDS,
    Outcome,
    random_start,
    run_visits,
    summary,
)
from real_faces import people

from kiosk.config import Config
from kiosk.vision.face_models import FaceAnalyser
from kiosk.vision.model_files import model_problems

SHARE_TARGET = 0.97
MEDIAN_TARGET = 20.0


def _why(outcome: Outcome) -> str:
    if not outcome.photographed:
        return "no photo"
    if outcome.seconds and outcome.seconds > LIMIT_SECONDS:
        return "too slow"
    if not (outcome.eyes_open and outcome.sharp):
        return "eyes/sharpness"
    return f"eye line {outcome.eye_line}"


def _line(outcomes: list[Outcome]) -> str:
    share, median = summary(outcomes)
    good = sum(outcome.good for outcome in outcomes)
    shown = f"{median:.1f} s" if median is not None else "none"
    return f"{good}/{len(outcomes)} good ({share:.1%}), median {shown}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=220, help="how many visits (default 220)")
    parser.add_argument("--first", type=int, default=5000, help="the first seed (default 5000)")
    parser.add_argument("--people", help="only these people, comma-separated (default: all)")
    args = parser.parse_args()
    names = list(people())
    if args.people:
        unknown = sorted(set(args.people.split(",")) - set(names))
        if unknown:
            print(f"no such person: {', '.join(unknown)} (known: {', '.join(names)})")
            return 2
        names = [name for name in names if name in args.people.split(",")]
    models = Config().models_dir
    if model_problems(models):
        print(f"no face models in {models}: run 'kiosk models install'", file=sys.stderr)
        return 2
    seeds = range(args.first, args.first + args.visits)
    # One booth per person: their visits one after the other, every person in turn.
    starts = sorted(
        (random_start(seed, names[seed % len(names)]) for seed in seeds),
        key=lambda start: (names.index(start.person), start.seed),
    )
    started = time.perf_counter()
    done = []

    def progress(outcome: Outcome) -> None:
        done.append(outcome)
        seconds = f"{outcome.seconds:.1f} s" if outcome.seconds is not None else "no photo"
        blinks = f", cues in blinks {list(outcome.blink_cues)}" if outcome.blink_cues else ""
        if outcome.blink_flashes:
            blinks += f", of them gone within {FLASH_SECONDS} s {list(outcome.blink_flashes)}"
        print(
            f"[{len(done)}/{len(starts)} {time.perf_counter() - started:.0f} s] visit "
            f"{outcome.start.seed} {outcome.start.person}: "
            f"{'good' if outcome.good else 'BAD'}, {seconds}{blinks}",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as folder:
        outcomes = run_visits(starts, Path(folder), models, FaceAnalyser(models), report=progress)
    failures: Counter[str] = Counter()
    for outcome in outcomes:
        if not outcome.good:
            start = outcome.start
            failures[_why(outcome)] += 1
            print(
                f"visit {start.seed} {start.person}: {_why(outcome)}; start eyes at "
                f"({start.eye_x:.2f}, {start.eye_y:.2f}), zoom {start.zoom:.2f}, roll "
                f"{start.roll:.0f}; cues "
                + " ".join(f"{c.removeprefix('cue_')}:{s:.1f}" for c, s in outcome.cues[:12])
            )
    print(f"\n{len(outcomes)} visits in {time.perf_counter() - started:.0f} s")
    print(f"not good: {dict(failures) or 'none'}")
    for name in names:
        own = [outcome for outcome in outcomes if outcome.start.person == name]
        if own:
            print(f"  {name:10} {_line(own)}")
    in_blinks = Counter(cue for outcome in outcomes for cue in outcome.blink_cues)
    flashes = Counter(cue for outcome in outcomes for cue in outcome.blink_flashes)
    print(f"cues started in a blink: {dict(in_blinks) or 'none'}")
    print(f"of them gone within 0.5 s (brought by the blink): {dict(flashes) or 'none'}")
    seconds = [o.seconds for o in outcomes if o.good and o.seconds is not None]
    if len(seconds) >= 2:
        print(f"seconds to a good photo: quartiles {statistics.quantiles(seconds, n=4)}")

    share, median = summary(outcomes)
    print(
        f"figure good_visit_share {share:.3f} target >={SHARE_TARGET} "
        f"{'ok' if share >= SHARE_TARGET else 'MISS'}"
    )
    astronaut = [outcome for outcome in outcomes if outcome.start.person == ASTRONAUT]
    if astronaut:
        alone, _ = summary(astronaut)
        print(
            f"figure good_visit_share_astronaut {alone:.3f} target >={SHARE_TARGET} "
            f"{'ok' if alone >= SHARE_TARGET else 'MISS'} ({len(astronaut)} visits)"
        )
    shown = f"{median:.1f}" if median is not None else "none"
    ok = median is not None and median <= MEDIAN_TARGET
    print(
        f"figure median_seconds_to_photo {shown} target <={MEDIAN_TARGET} {'ok' if ok else 'MISS'}"
    )
    count = sum(flashes.values())
    print(f"figure cues_brought_by_blinks {count} target 0 {'ok' if count == 0 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
