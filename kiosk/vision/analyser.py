"""The face analysis in a process of its own: the UI keeps its frame rate, and a crash or hang of
the models cannot take the booth down.

The booth hands over the newest analysis frame only when the analyser is idle: frames are
dropped, never queued, so results are never late by more than one analysis. A process that dies,
takes longer than its answer limit, or hangs while loading its models is killed and started again
after a growing pause (``BACKOFF``); meanwhile the booth frames without cues, and the log says
why. The limits follow how fast this device analyses and starts (``kiosk.vision.pace``): the
child reports each analysis time, the booth times each start.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from kiosk.vision.faces import Face
from kiosk.vision.pace import AnalysisPace

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


def _serve(connection: Connection, models_dir: str, threads: int) -> None:
    serve_frames(connection, *frame_analysis(Path(models_dir), threads))


def frame_analysis(
    models_dir: Path, threads: int
) -> tuple[Callable[[np.ndarray, bool], list[Face]], Callable[[], None], Callable[[], None]]:
    """How the child analyses a frame (a burst still when ``single``), how it forgets the face
    it followed (a new visit), and how it runs each model once before the first frame."""
    from kiosk.vision.face_models import FaceAnalyser, FaceTracker, whole_frame

    analyser = FaceAnalyser(models_dir, threads)
    tracker = FaceTracker(analyser)

    def analyse(rgb: np.ndarray, single: bool) -> list[Face]:
        if not single:
            return tracker.analyse(rgb)
        # A burst still, the face large on it: the whole-frame pass, and every tile only when
        # that finds nobody.
        size = (rgb.shape[1], rgb.shape[0])
        return analyser.analyse(rgb, squares=[whole_frame(size)]) or analyser.analyse(rgb)

    return analyse, tracker.reset, analyser.warm_up


def serve_frames(
    connection: Connection,
    analyse: Callable[[np.ndarray, bool], list[Face]],
    reset: Callable[[], None],
    warm_up: Callable[[], None] = lambda: None,
) -> None:
    """The child's side: warm the models up and say it is ready, then answer each frame with
    its faces and how long they took, until the booth closes the pipe."""
    warm_up()
    connection.send(("ready", None))
    while True:
        try:
            moment, frame = connection.recv()
        except (EOFError, OSError):  # the booth closed the pipe or is gone: nothing to answer
            return
        if frame is None:  # a new visit: follow no face of the last one
            reset()
            continue
        started = time.perf_counter()
        rgb = frame if frame.ndim == 3 else np.repeat(frame[..., None], 3, axis=2)
        faces = analyse(np.ascontiguousarray(rgb), moment < 0)
        connection.send((moment, faces, time.perf_counter() - started))


class AnalyserProcess:
    def __init__(
        self,
        models_dir: Path,
        threads: int = 1,
        clock: Callable[[], float] = time.monotonic,
        target: Callable[..., None] = _serve,
        pace: AnalysisPace | None = None,
    ):
        self.models_dir = models_dir
        self.threads = threads
        self.clock = clock
        self._target = target
        self.pace = pace or AnalysisPace()
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False
        self._sent_at: float | None = None
        self._failures = 0
        self._restart_at = 0.0
        self._started_at = 0.0
        self.problem: str | None = None

    @property
    def working(self) -> bool:
        return self._ready and self.problem is None

    @property
    def busy(self) -> bool:
        """A frame is being analysed."""
        return self._sent_at is not None

    @property
    def running(self) -> bool:
        """A child process exists (starting up, idle or busy)."""
        return self._process is not None

    @property
    def next_start(self) -> float:
        """When a failed analyser is started again (clock time)."""
        return self._restart_at

    def submit(self, frame: np.ndarray, moment: float) -> bool:
        """Hand over a frame if the analyser is idle; False if it was dropped."""
        self._keep_alive()
        if not self._ready or self._sent_at is not None or self._connection is None:
            return False
        try:
            self._connection.send((moment, frame))
        except (OSError, BrokenPipeError) as error:
            self._fail(f"the analyser stopped: {error}")
            return False
        self._sent_at = self.clock()
        return True

    def poll(self) -> tuple[float, list[Face]] | None:
        """The latest result, if one has come in."""
        self._keep_alive()
        connection = self._connection
        if connection is None:
            return None
        try:
            if not connection.poll():
                return None
            message = connection.recv()
        except (EOFError, OSError) as error:
            self._fail(self._why_gone(error))
            return None
        kind, payload = message[0], message[1]
        if kind == "ready":
            self.pace.warmed_up(self.clock() - self._started_at)
            self._ready = True
            self.problem = None
            self._failures = 0
            log.info("face analysis is running")
            return None
        self._sent_at = None
        if len(message) > 2:
            self.pace.record(message[2])
        return kind, payload

    def reset(self) -> None:
        """A new visit: the analyser follows no face of the one before (an answer still on
        its way is the caller's to drop, by its moment)."""
        if self._ready and self._connection is not None:
            try:
                self._connection.send((0.0, None))
            except (OSError, BrokenPipeError) as error:
                self._fail(f"the analyser stopped: {error}")

    def analyse_now(self, frame: np.ndarray, timeout: float | None = None) -> list[Face] | None:
        """Analyse one frame and wait for it (the burst, while the UI shows the capture
        screen); None if the analyser cannot answer in time (by default: its answer limit)."""
        timeout = self.pace.answer_limit if timeout is None else timeout
        if self.busy and self.wait(timeout):
            self.poll()  # the answer to an older frame
        moment = -1.0
        if not self.submit(frame, moment):
            return None
        if not self.wait(timeout):
            return None
        result = self.poll()
        return result[1] if result is not None else None

    def wait(self, timeout: float) -> bool:
        """Block until the analyser has something to say (tests, benchmarks); True if it has."""
        connection = self._connection
        return connection is not None and connection.poll(timeout)

    def close(self) -> None:
        self._stop()

    # -- keeping it alive --

    def _keep_alive(self) -> None:
        """Start the analyser when due; kill it when it hangs. (A child that dies closes its end
        of the pipe, which ``poll`` notices: no process check is needed on every frame.)"""
        if self._process is None:
            if self.clock() >= self._restart_at:
                self._start()
            return
        if not self._ready:
            limit = self.pace.start_limit
            if self.clock() - self._started_at > limit and not self._has_message():
                self._fail(f"the analyser did not get ready within {limit:.0f} s")
            return
        limit = self.pace.answer_limit
        if (
            self._sent_at is not None
            and self.clock() - self._sent_at > limit
            # An answer nobody has picked up yet (the booth was not framing) is no hang.
            and not self._has_message()
        ):
            self._fail(f"the analyser took longer than {limit:.1f} s")

    def _has_message(self) -> bool:
        connection = self._connection
        try:
            return connection is not None and connection.poll()
        except (EOFError, OSError):
            return True  # the child is gone: poll() reads why

    def _why_gone(self, error: BaseException) -> str:
        process = self._process
        if process is not None:
            process.join(timeout=0.5)
            if process.exitcode is not None:
                return f"the analyser exited (code {process.exitcode})"
        return f"the analyser stopped: {error}"

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=self._target,
            args=(child, str(self.models_dir), self.threads),
            name="echtbild-analyser",
            daemon=True,
        )
        self._started_at = self.clock()
        self._process.start()
        child.close()
        self._connection = parent
        self._ready = False
        self._sent_at = None
        self.pace.started()

    def _fail(self, reason: str) -> None:
        self._stop()
        pause = BACKOFF[min(self._failures, len(BACKOFF) - 1)]
        self._failures += 1
        self._restart_at = self.clock() + pause
        self.problem = reason
        log.error("%s; framing goes on without cues, retrying in %.0f s", reason, pause)

    def _stop(self) -> None:
        process, self._process = self._process, None
        connection, self._connection = self._connection, None
        self._ready = False
        self._sent_at = None
        if connection is not None:
            connection.close()
        if process is not None:
            process.kill()
            process.join(timeout=2)
