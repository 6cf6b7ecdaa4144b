"""The demo's download server ends with the demo, however the demo ends (issue 23, fault 11):
the demo's process is SIGKILLed (no cleanup of its own runs) and its server must go too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from helpers import eventually

DEMO = """
import sys, time
from pathlib import Path
from kiosk.assembly import start_server_process, wait_for_server
server = start_server_process(Path(sys.argv[1]), "127.0.0.1", int(sys.argv[2]))
print(server.pid, wait_for_server(server, "127.0.0.1", int(sys.argv[2])), flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by init) counts as ended.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_the_demos_server_ends_when_the_demo_is_killed(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path / "booth"}"\n')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    demo = subprocess.Popen(
        [sys.executable, "-c", DEMO, str(config), str(port)], stdout=subprocess.PIPE, text=True
    )
    server_pid = None
    try:
        assert demo.stdout is not None
        pid, answering = demo.stdout.readline().split()
        server_pid = int(pid)
        assert answering == "True"
        demo.send_signal(signal.SIGKILL)
        demo.wait()
        assert eventually(lambda: not alive(server_pid), within=15.0)
    finally:
        demo.kill()
        demo.wait()
        if server_pid is not None and alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)
