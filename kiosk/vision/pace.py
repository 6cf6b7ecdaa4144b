"""How fast this device analyses a frame, and the time limits that follow from it.

A fixed limit is wrong somewhere: 2 s is an eternity on a desktop and too short for an
emulated or busy Raspberry Pi 4. So the analyser's answer limit (after which it counts as hung),
the time a burst frame may take to be scored, and whether a burst can be scored at all follow the
median analysis time this device actually achieves, measured by the analyser itself. The first
answers after each start include loading the models and are not counted.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class PaceRules:
    floor: float = 2.0  # never call an answer hung sooner than this
    factor: float = 5.0  # an answer this many times the usual time is a hang
    # The first answers after a start, before any is measured: this long, or this many times
    # the analyser's start (process, imports, models, one run of each) on a device slower than
    # any Pi (a Pi starts it in a few seconds; an emulated one on a busy machine, in a minute).
    first_answer: float = 30.0
    first_answer_factor: float = 10.0
    # A start (process, imports, models, one run of each) that takes longer than this, or this
    # many times the slowest start that got ready, is a hang while loading: a cold Pi reads its
    # models from the SD card in seconds, an emulated one in about a minute.
    start: float = 180.0
    start_factor: float = 10.0
    warm_up: int = 3  # answers after a start that are not counted
    window: int = 30  # the median is over this many recent answers
    # A burst frame is a larger picture than an analysis frame: its analysis takes about this
    # many analysis-frame times, and scoring the whole burst may take this long at most (the
    # attendee watches "got it" meanwhile).
    still_cost: float = 3.0
    scoring_budget: float = 8.0


class AnalysisPace:
    def __init__(self, rules: PaceRules | None = None):
        self.rules = rules or PaceRules()
        self._recent: deque[float] = deque(maxlen=self.rules.window)
        self._since_start = 0
        self._warm_up = 0.0
        self._slowest_start = 0.0

    def started(self) -> None:
        """The analyser (re)started: its next answers are slow with loading."""
        self._since_start = 0
        self._warm_up = 0.0

    def warmed_up(self, seconds: float) -> None:
        """The analyser took ``seconds`` to start and run each of its models once: a first
        sign of this device's speed, before any answer is measured."""
        self._warm_up = seconds
        self._slowest_start = max(self._slowest_start, seconds)

    def record(self, seconds: float) -> None:
        """One answer took ``seconds`` of analysis."""
        self._since_start += 1
        if self._since_start > self.rules.warm_up:
            self._recent.append(seconds)

    @property
    def median(self) -> float | None:
        """The usual analysis time of one frame on this device, once measured."""
        return statistics.median(self._recent) if self._recent else None

    @property
    def answer_limit(self) -> float:
        """How long an answer may take before the analyser counts as hung."""
        median = self.median
        if self._since_start == 0 or median is None:
            rules = self.rules
            return max(rules.first_answer, rules.floor, rules.first_answer_factor * self._warm_up)
        return max(self.rules.floor, self.rules.factor * median)

    @property
    def start_limit(self) -> float:
        """How long the analyser may take to start and say it is ready before it counts as
        hung while loading."""
        return max(self.rules.start, self.rules.start_factor * self._slowest_start)

    def still_limit(self) -> float:
        """How long one burst frame's analysis may take."""
        return self.answer_limit * self.rules.still_cost

    def can_score(self, frames: int) -> bool:
        """Whether ``frames`` burst frames can be scored within the budget at this pace."""
        median = self.median
        if median is None:
            return True  # not measured yet: try, each frame within its limit
        return frames * median * self.rules.still_cost <= self.rules.scoring_budget
