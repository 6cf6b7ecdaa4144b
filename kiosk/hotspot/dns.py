"""A DNS question as a phone asks it, for ``kiosk status``, preflight and the tests: does the
booth's name server answer, and with which address? (Only the standard library: the tests run it
inside network namespaces, where each start counts.)"""

from __future__ import annotations

import secrets
import socket
import struct


def query_a(server: str, name: str, timeout: float = 2.0, port: int = 53) -> list[str]:
    """The IPv4 addresses ``server`` answers for ``name`` (an empty list for none). Raises
    OSError when the server does not answer within ``timeout``."""
    ident = secrets.randbits(16)
    question = b"".join(bytes([len(part)]) + part.encode() for part in name.split(".")) + b"\0"
    packet = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + question + struct.pack("!HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (server, port))
        while True:
            answer, _ = sock.recvfrom(4096)
            if len(answer) >= 12 and struct.unpack("!H", answer[:2])[0] == ident:
                break
    _, flags, questions, answers = struct.unpack("!HHHH", answer[:8])
    if flags & 0x000F:
        return []  # NXDOMAIN and friends
    offset = 12
    for _ in range(questions):
        offset = _skip_name(answer, offset) + 4
    found = []
    for _ in range(answers):
        offset = _skip_name(answer, offset)
        kind, _, _, length = struct.unpack("!HHIH", answer[offset : offset + 10])
        offset += 10
        if kind == 1 and length == 4:
            found.append(socket.inet_ntoa(answer[offset : offset + 4]))
        offset += length
    return found


def _skip_name(packet: bytes, offset: int) -> int:
    while True:
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            return offset + 2
        if length == 0:
            return offset + 1
        offset += length + 1
