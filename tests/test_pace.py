"""The analyser's limits follow the device's measured pace (pure: no process, no clock)."""

from __future__ import annotations

import pytest

from kiosk.vision.pace import AnalysisPace, PaceRules


def test_the_first_answers_after_a_start_may_take_long_and_are_not_counted() -> None:
    pace = AnalysisPace(PaceRules(warm_up=3, first_answer=30.0))
    pace.started()
    assert pace.answer_limit == 30.0 and pace.median is None
    for seconds in (9.0, 0.5, 0.4):  # loading the models, then settling
        pace.record(seconds)
    assert pace.median is None, "warm-up answers are not this device's pace"
    pace.record(0.2)
    assert pace.median == 0.2


def test_the_limit_is_a_multiple_of_the_median_with_a_floor() -> None:
    pace = AnalysisPace(PaceRules(floor=2.0, factor=5.0, warm_up=0))
    for seconds in (0.014, 0.015, 0.016):  # a desktop
        pace.record(seconds)
    assert pace.answer_limit == 2.0
    slow = AnalysisPace(PaceRules(floor=2.0, factor=5.0, warm_up=0))
    for seconds in (0.6, 0.7, 0.8, 3.0):  # an emulated Pi 4: one slow outlier
        slow.record(seconds)
    assert slow.answer_limit == pytest.approx(5 * 0.75)


def test_a_slow_warm_up_gives_the_first_answers_more_time() -> None:
    """How long the analyser took to start and run each model once: on a device far slower
    than a Pi (an emulated one on a busy machine) the first answers get a multiple of it; on a
    Pi, the usual 30 s stand."""
    pace = AnalysisPace(PaceRules(warm_up=1, first_answer=30.0, first_answer_factor=10.0))
    pace.started()
    pace.warmed_up(2.5)  # a Pi 4
    assert pace.answer_limit == 30.0
    pace.warmed_up(12.0)  # emulated, on a loaded machine
    assert pace.answer_limit == 120.0
    pace.record(20.0)
    pace.record(9.0)
    assert pace.median == 9.0 and pace.answer_limit == pytest.approx(45.0), "measured from now"
    pace.started()
    assert pace.answer_limit == 30.0, "a restart forgets the last warm-up until the next one"


def test_a_start_may_take_long_but_not_forever() -> None:
    """Loading the models: 180 s at least, or ten times the slowest start that got ready (a
    device this slow to start is slow to start again)."""
    pace = AnalysisPace(PaceRules(start=180.0, start_factor=10.0))
    pace.started()
    assert pace.start_limit == 180.0
    pace.warmed_up(3.0)  # a Pi
    assert pace.start_limit == 180.0
    pace.warmed_up(40.0)  # emulated, on a loaded machine
    pace.started()
    pace.warmed_up(5.0)
    assert pace.start_limit == 400.0


def test_a_restart_gives_the_first_answer_its_time_again() -> None:
    pace = AnalysisPace(PaceRules(warm_up=0, first_answer=30.0))
    pace.started()
    pace.record(0.1)
    assert pace.answer_limit == 2.0
    pace.started()
    assert pace.answer_limit == 30.0
    pace.record(0.1)
    assert pace.answer_limit == 2.0, "what was measured before the restart still counts"


def test_a_burst_is_scored_only_within_the_budget() -> None:
    pace = AnalysisPace(PaceRules(warm_up=0, still_cost=3.0, scoring_budget=8.0))
    assert pace.can_score(5), "not measured yet: try"
    pace.record(0.5)
    assert pace.can_score(5)  # 5 x 0.5 x 3 = 7.5 s
    pace.record(0.7)
    pace.record(0.7)
    assert not pace.can_score(5)  # 10.5 s
