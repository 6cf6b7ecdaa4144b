"""What systemd hears from the booth: READY once the first screen is up, the screen shown as
STATUS, and WATCHDOG pings from the UI loop, a third of the watchdog interval apart."""

from __future__ import annotations

from kiosk.hardware.sdnotify import Notifier


class Heartbeat:
    def __init__(self, notifier: Notifier):
        self.notifier = notifier
        self._pinged_at: float | None = None

    def status(self, text: str) -> None:
        self.notifier.notify(f"STATUS={text}")

    def beat(self, now: float, status: str) -> None:
        if self._pinged_at is None:
            self.notifier.notify("READY=1", f"STATUS={status}")
        interval = self.notifier.watchdog_interval
        if self._pinged_at is None or (interval and now - self._pinged_at >= interval / 3):
            self.notifier.notify("WATCHDOG=1")
            self._pinged_at = now

    def stopping(self) -> None:
        self.notifier.notify("STOPPING=1")
