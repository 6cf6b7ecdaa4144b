"""A phone on the booth's Wi-Fi, run inside a network namespace the test made
(``ip netns exec PHONE python tests/hotspot_phone.py STEPS``): it joins by DHCP as a phone does,
asks the booth's name server, fetches pages and tries HTTPS. STEPS is a JSON list of steps; it
prints a JSON list of results, one per step. Standard library only (and kiosk.hotspot.dns), so
that each start is quick.

Steps: ``["join", interface, mac]``, ``["resolve", name]``,
``["get", url, user_agent]`` (follows no redirect; the name is looked up at the joined network's
name server, as a phone does), ``["https", name]`` (how long until the booth refuses).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import random
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.hotspot.dns import query_a

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK = 1, 2, 3, 5


def _dhcp_packet(kind: int, xid: int, mac: bytes, options: dict[int, bytes]) -> bytes:
    # op, htype (Ethernet), hlen, hops, xid, secs, flags (broadcast: no address yet), addresses
    head = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0x8000, *([bytes(4)] * 4))
    body = mac.ljust(16, b"\0") + bytes(64 + 128) + MAGIC
    option_bytes = bytes([53, 1, kind])
    for code, value in options.items():
        option_bytes += bytes([code, len(value)]) + value
    return head + body + option_bytes + b"\xff"


def _options(packet: bytes) -> dict[int, bytes]:
    options, offset = {}, 240
    while offset < len(packet) and packet[offset] != 255:
        code = packet[offset]
        if code == 0:
            offset += 1
            continue
        length = packet[offset + 1]
        options[code] = packet[offset + 2 : offset + 2 + length]
        offset += 2 + length
    return options


def _receive(sock: socket.socket, xid: int, kind: int, deadline: float) -> bytes:
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        packet = sock.recv(4096)
        ours = len(packet) > 240 and struct.unpack("!I", packet[4:8])[0] == xid
        if ours and _options(packet).get(53) == bytes([kind]):
            return packet


def join(interface: str, mac: str, timeout: float = 10.0) -> dict:
    """DHCP as a phone that just joined: DISCOVER, OFFER, REQUEST, ACK; then take the address.
    Its time counts from the link being up (a phone's association with the access point)."""
    subprocess.run(["ip", "link", "set", interface, "down"], check=True)
    subprocess.run(["ip", "link", "set", interface, "address", mac], check=True)
    subprocess.run(["ip", "addr", "flush", "dev", interface], check=True)
    subprocess.run(["ip", "link", "set", interface, "up"], check=True)
    state = Path("/sys/class/net", interface, "operstate")
    up_by = time.monotonic() + timeout
    while state.read_text().strip() != "up" and time.monotonic() < up_by:
        time.sleep(0.01)
    started = time.monotonic()
    hardware = bytes.fromhex(mac.replace(":", ""))
    xid = random.getrandbits(32)
    deadline = time.monotonic() + timeout
    wanted = bytes([1, 3, 6, 51, 54])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        sock.bind(("", 68))
        offer = None
        while offer is None:
            sock.sendto(_dhcp_packet(DISCOVER, xid, hardware, {55: wanted}), ("<broadcast>", 67))
            try:
                offer = _receive(sock, xid, OFFER, min(deadline, time.monotonic() + 1.0))
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        address = socket.inet_ntoa(offer[16:20])
        server = _options(offer)[54]
        request = {50: socket.inet_aton(address), 54: server, 55: wanted}
        sock.sendto(_dhcp_packet(REQUEST, xid, hardware, request), ("<broadcast>", 67))
        ack = _options(_receive(sock, xid, ACK, deadline))
    mask = socket.inet_ntoa(ack[1])
    prefix = ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen
    router = socket.inet_ntoa(ack[3][:4])
    subprocess.run(["ip", "addr", "add", f"{address}/{prefix}", "dev", interface], check=True)
    subprocess.run(["ip", "route", "replace", "default", "via", router], check=True)
    return {
        "address": address,
        "prefix": prefix,
        "router": router,
        "dns": socket.inet_ntoa(ack[6][:4]),
        "lease": struct.unpack("!I", ack[51])[0],
        "seconds": time.monotonic() - started,
    }


def get(dns: str, url: str, user_agent: str) -> dict:
    parts = urlsplit(url)
    started = time.monotonic()
    host = parts.hostname or ""
    [address, *_] = [host] if _is_address(host) else query_a(dns, host)
    connection = http.client.HTTPConnection(address, parts.port or 80, timeout=10)
    try:
        connection.request(
            "GET",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            headers={"Host": parts.netloc, "User-Agent": user_agent},
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return {
        "status": response.status,
        "location": response.getheader("Location"),
        "type": response.getheader("Content-Type"),
        "body": body.decode("utf-8", "replace"),
        "bytes": len(body),
        "seconds": time.monotonic() - started,
    }


def https(dns: str, name: str) -> dict:
    [address, *_] = query_a(dns, name)
    started = time.monotonic()
    try:
        socket.create_connection((address, 443), timeout=10).close()
        outcome = "connected"
    except ConnectionRefusedError:
        outcome = "refused"
    except TimeoutError:
        outcome = "timeout"
    return {"outcome": outcome, "seconds": time.monotonic() - started}


def _is_address(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def _router() -> str:
    """The name server of a phone that joined in an earlier run: the booth, its router."""
    route = subprocess.run(
        ["ip", "-4", "route", "show", "default"], capture_output=True, text=True, check=False
    ).stdout.split()
    return route[route.index("via") + 1] if "via" in route else ""


def main(steps: list[list[str]]) -> list[dict]:
    results: list[dict] = []
    dns = "" if steps and steps[0][0] == "join" else _router()
    for step, *args in steps:
        try:
            if step == "join":
                results.append(join(*args))
                dns = results[-1]["dns"]
            elif step == "resolve":
                results.append({"addresses": query_a(dns, args[0])})
            elif step == "get":
                results.append(get(dns, *args))
            elif step == "https":
                results.append(https(dns, *args))
            else:
                results.append({"error": f"unknown step {step}"})
        except (OSError, ValueError, KeyError) as error:
            results.append({"error": f"{type(error).__name__}: {error}"})
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
