"""A real object store for the tests: OpenStack Swift (Debian's packages) with its S3 API
(s3api, tempauth), one node on loopback, its storage in a temporary folder.

Swift's S3 layer checks SigV4 signatures and presigned-URL expiry as AWS does. Every server
config names its own ``swift_dir``, so the package's /etc/swift is never read. Needs
``swift-proxy``, ``swift-object``, ``swift-container``, ``swift-account`` and ``memcached``
(.ci/run installs them).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kiosk.processes import stop_process

REGION = "us-east-1"  # s3api's location; the client's region must be the same
ACCESS_KEY = "booth:uploader"
SECRET_KEY = "a-test-secret-of-the-booth"
SERVERS = ("account", "container", "object")


def swift_installed() -> bool:
    return all(
        shutil.which(tool)
        for tool in ("swift-proxy-server", "swift-object-server", "swift-ring-builder", "memcached")
    )


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


@dataclass
class SwiftStore:
    folder: Path
    endpoint: str = ""
    processes: list[subprocess.Popen] | None = None

    def start(self) -> SwiftStore:
        etc, devices, logs = self.folder / "etc", self.folder / "srv", self.folder / "log"
        for folder in (etc, devices / "d1", logs):
            folder.mkdir(parents=True, exist_ok=True)
        proxy, account, container, obj, cache = free_ports(5)
        ports = {"account": account, "container": container, "object": obj}
        user = getpass.getuser()
        (etc / "swift.conf").write_text(
            "[swift-hash]\nswift_hash_path_suffix = echtbild-tests\n"
            "[storage-policy:0]\nname = gold\ndefault = yes\n"
        )
        for server, port in ports.items():
            builder = str(etc / f"{server}.builder")
            for arguments in (
                ["create", "8", "1", "1"],
                ["add", f"r1z1-127.0.0.1:{port}/d1", "1"],
                ["rebalance"],
            ):
                subprocess.run(
                    ["swift-ring-builder", builder, *arguments],
                    check=arguments[0] != "rebalance",
                    capture_output=True,
                )
            (etc / f"{server}-server.conf").write_text(
                f"[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = {port}\nworkers = 0\n"
                f"devices = {devices}\nmount_check = false\nswift_dir = {etc}\nuser = {user}\n"
                "log_level = WARNING\n"
                f"[pipeline:main]\npipeline = {server}-server\n"
                f"[app:{server}-server]\nuse = egg:swift#{server}\n"
            )
        (etc / "proxy-server.conf").write_text(
            f"[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = {proxy}\nworkers = 0\n"
            f"swift_dir = {etc}\nuser = {user}\nlog_level = WARNING\n"
            "[pipeline:main]\npipeline = catch_errors gatekeeper healthcheck proxy-logging "
            "cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server\n"
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
            "[filter:s3api]\nuse = egg:swift#s3api\n"
            f"location = {REGION}\n"
            "[filter:tempauth]\nuse = egg:swift#tempauth\n"
            f"user_{ACCESS_KEY.replace(':', '_')} = {SECRET_KEY} .admin\n"
            "[filter:cache]\nuse = egg:swift#memcache\n"
            f"memcache_servers = 127.0.0.1:{cache}\n"
            "[filter:catch_errors]\nuse = egg:swift#catch_errors\n"
            "[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n"
            "[filter:healthcheck]\nuse = egg:swift#healthcheck\n"
            "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n"
            "[filter:listing_formats]\nuse = egg:swift#listing_formats\n"
            "[filter:copy]\nuse = egg:swift#copy\n"
            "[filter:slo]\nuse = egg:swift#slo\n"
            "[filter:dlo]\nuse = egg:swift#dlo\n"
        )
        commands = [["memcached", "-l", "127.0.0.1", "-p", str(cache), "-U", "0", "-u", user]]
        commands += [
            [f"swift-{server}-server", str(etc / f"{server}-server.conf")] for server in SERVERS
        ]
        commands += [["swift-proxy-server", str(etc / "proxy-server.conf")]]
        self.processes = [
            subprocess.Popen(
                command,
                stdout=(logs / f"{Path(command[0]).name}.log").open("wb"),
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            for command in commands
        ]
        self.endpoint = f"http://127.0.0.1:{proxy}"
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for process in self.processes or []:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited: see {self.folder / 'log'}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/healthcheck", timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)  # the servers are starting: real time
        raise RuntimeError(f"Swift did not become healthy in {seconds:.0f} s")

    def stop(self) -> None:
        for process in self.processes or []:
            process.terminate()  # all at once: each then has the same 10 s
        for process in self.processes or []:
            stop_process(process, 10)
        self.processes = None

    def stop_proxy(self) -> None:
        """The store goes away (the booth's network is down): only the front door closes."""
        proxy = (self.processes or [])[-1]
        stop_process(proxy, 10)

    def start_proxy(self) -> None:
        assert self.processes is not None
        etc = self.folder / "etc"
        log = (self.folder / "log" / "swift-proxy-server.log").open("ab")
        self.processes[-1] = subprocess.Popen(
            ["swift-proxy-server", str(etc / "proxy-server.conf")], stdout=log, stderr=log
        )
        self._wait_until_healthy()
