"""Who signed a photo's Content Credentials, as the phone page shows it: checked on a thread of
its own, never on the server's event loop (a 6 MB photo takes 30-150 ms to check, and every
other phone would wait that long), and remembered for the most recently shown photos."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kiosk.photos.credentials import Verification, verify

# Photos whose signer is remembered; one entry is a few dozen bytes.
REMEMBERED = 4096

Key = tuple[str, int, int]


class SignerCache:
    def __init__(
        self, size: int = REMEMBERED, check: Callable[[bytes], Verification] = verify
    ) -> None:
        self.size = size
        self._check = check
        self._known: OrderedDict[Key, str | None] = OrderedDict()
        self._pending: dict[Key, asyncio.Future[str | None]] = {}
        self._checks: set[asyncio.Task] = set()
        # One check at a time: the photos' downloads keep the other core.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="credentials")

    def __len__(self) -> int:
        return len(self._known)

    def remembered(self, path: Path) -> str | None:
        """The signer if known already, without waiting; otherwise a check starts (on the
        running event loop, if any) so that the next view has it."""
        key = _key(path)
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        try:
            task = asyncio.get_running_loop().create_task(self.signer_of(path))
        except RuntimeError:
            return None
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)
        return None

    async def signer_of(self, path: Path) -> str | None:
        """The signer's name if the credentials check out and say a camera took the photo."""
        key = _key(path)
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        pending = self._pending.get(key)
        if pending is None:  # the first view: one check, however many phones wait for it
            loop = asyncio.get_running_loop()
            pending = loop.run_in_executor(self._thread, self._signer, path)
            self._pending[key] = pending
        try:
            signer = await asyncio.shield(pending)
        finally:
            if pending.done():
                self._pending.pop(key, None)
        self._known[key] = signer
        self._known.move_to_end(key)
        while len(self._known) > self.size:
            self._known.popitem(last=False)
        return signer

    def _signer(self, path: Path) -> str | None:
        verdict = self._check(path.read_bytes())
        ok = verdict.state in ("Valid", "Trusted") and verdict.captured_by_camera
        return (verdict.signer or "?") if ok else None

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)


def _key(path: Path) -> Key:
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)
