"""sd_notify against a real Unix datagram socket, as systemd listens on one."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.hardware.sdnotify import Notifier


@pytest.fixture
def systemd_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    listener.bind(path)
    listener.settimeout(5)
    yield listener, path
    listener.close()


def test_messages_arrive_as_systemd_reads_them(systemd_socket) -> None:
    listener, path = systemd_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"})
    assert notifier.enabled and notifier.watchdog_interval == 10.0
    notifier.notify("READY=1", "STATUS=attract")
    notifier.notify("WATCHDOG=1")
    assert listener.recv(4096) == b"READY=1\nSTATUS=attract"
    assert listener.recv(4096) == b"WATCHDOG=1"
    notifier.close()


def test_abstract_namespace_address(systemd_socket) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"echtbild-test-{os.getpid()}"
    listener.bind("\0" + name)
    listener.settimeout(5)
    Notifier({"NOTIFY_SOCKET": "@" + name}).notify("STOPPING=1")
    assert listener.recv(4096) == b"STOPPING=1"
    listener.close()


def test_without_systemd_nothing_is_sent_and_nothing_fails() -> None:
    notifier = Notifier({})
    assert not notifier.enabled and notifier.watchdog_interval is None
    notifier.notify("READY=1")


def test_watchdog_meant_for_another_process_is_ignored(systemd_socket) -> None:
    _, path = systemd_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"})
    assert notifier.watchdog_interval is None


def test_a_vanished_socket_does_not_stop_the_booth(tmp_path: Path) -> None:
    Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")}).notify("WATCHDOG=1")
