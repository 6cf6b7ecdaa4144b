"""The analyser process: real models in a real child process, and what happens when it fails.

These tests wait (bounded) for another process to start or answer; the booth's time is still
the injected clock."""

from __future__ import annotations

import time

import pytest
from analyser_targets import exits_at_once, hangs_after_ready, hangs_while_loading
from helpers import patient

from kiosk.vision.analyser import BACKOFF, AnalyserProcess


def wait_until(condition, seconds: float = 300.0) -> None:
    """Poll ``condition`` until it holds; the bound is generous, for emulated arm64 runs."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the child process did not answer in time"
        time.sleep(0.02)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_frame_goes_in_and_its_faces_come_out(models_dir, astronaut) -> None:
    analyser = AnalyserProcess(models_dir)
    try:
        analyser.submit(astronaut, 0.0)
        wait_until(lambda: analyser.poll() is None and analyser.working)
        assert analyser.submit(astronaut[..., 1], 1.5)  # luminance works too
        assert not analyser.submit(astronaut, 1.6), "busy: the newer frame is dropped"
        results = []
        wait_until(lambda: results.append(analyser.poll()) or results[-1] is not None)
        moment, faces = results[-1]
        assert moment == 1.5 and len(faces) == 1
        assert analyser.submit(astronaut, 2.0), "idle again"
    finally:
        analyser.close()


def test_a_slow_start_gives_the_first_answers_more_time(models_dir) -> None:
    """A device far slower than a Pi (an emulated one) is known by how long the analyser takes
    to get ready: its first answers get ten times that, not a limit that kills it on each."""
    clock = Clock()
    analyser = AnalyserProcess(models_dir, clock=clock, target=hangs_after_ready)
    try:
        analyser.poll()  # started at booth time 0
        clock.now = 12.0  # ready only 12 s later
        wait_until(lambda: analyser.poll() is None and analyser.working)
        assert analyser.pace.answer_limit == pytest.approx(120.0)
    finally:
        analyser.close()


def test_a_crashing_analyser_is_restarted_with_a_growing_pause(models_dir) -> None:
    clock = Clock()
    analyser = AnalyserProcess(models_dir, clock=clock, target=exits_at_once)
    try:
        analyser.poll()
        wait_until(lambda: analyser.poll() is None and analyser.problem is not None)
        assert "exited" in analyser.problem
        assert not analyser.running
        clock.now += BACKOFF[0] - 0.1
        analyser.poll()
        assert not analyser.running, "not before the pause is over"
        clock.now += 0.2
        analyser.poll()
        assert analyser.running, "started again"
        wait_until(lambda: analyser.poll() is None and not analyser.running)
        assert analyser.next_start == pytest.approx(clock.now + BACKOFF[1])
    finally:
        analyser.close()


def test_an_analyser_that_hangs_while_loading_is_killed_and_started_again(models_dir) -> None:
    clock = Clock()
    analyser = AnalyserProcess(models_dir, clock=clock, target=hangs_while_loading)
    try:
        analyser.poll()  # started at booth time 0
        assert analyser.running and not analyser.working
        clock.now = analyser.pace.start_limit - 0.1
        analyser.poll()
        assert analyser.running and analyser.problem is None, "not before its start limit"
        clock.now += 0.2
        analyser.poll()
        assert not analyser.running and "did not get ready within 180 s" in analyser.problem
        clock.now += BACKOFF[0]
        analyser.poll()
        assert analyser.running, "started again after the pause"
    finally:
        analyser.close()


def test_a_hanging_analyser_is_killed(models_dir, astronaut) -> None:
    clock = Clock()
    analyser = AnalyserProcess(models_dir, clock=clock, target=hangs_after_ready)
    try:
        wait_until(lambda: analyser.poll() is None and analyser.working)
        assert analyser.submit(astronaut, 0.0)
        clock.now += analyser.pace.answer_limit - 0.1
        assert analyser.poll() is None and analyser.working, "not before its limit"
        clock.now += 0.2
        assert analyser.poll() is None
        assert "longer than" in analyser.problem and not analyser.working
    finally:
        analyser.close()


def test_an_answer_left_waiting_is_no_hang(models_dir, astronaut) -> None:
    clock = Clock()
    analyser = AnalyserProcess(models_dir, clock=clock)
    try:
        wait_until(lambda: analyser.poll() is None and analyser.working)
        assert analyser.submit(astronaut, 0.0)
        assert analyser.wait(patient(60))
        clock.now += 60  # the booth went back to its idle screen before picking it up
        result = analyser.poll()
        assert result is not None and result[0] == 0.0
        assert analyser.problem is None and analyser.running
    finally:
        analyser.close()
