"""The download server as the benches start it: `kiosk serve` in a process of its own.

Not a bench itself: bench/share.py and bench/soak.py import it.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 10.0) -> None:
    """Until ``base``/healthz answers at all (ok or degraded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # 503: degraded, but serving
        except OSError:
            time.sleep(0.1)
