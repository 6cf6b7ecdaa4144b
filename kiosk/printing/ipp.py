"""A small IPP client (RFC 8010/8011) in pure Python: enough to ask CUPS and a driverless printer
for their state and CUPS for its jobs.

Why not pycups: it ships only as source on PyPI (no aarch64 wheel; the CI wheel check refuses
it), and Debian's ``python3-cups`` is not visible in the booth's venv. IPP is a small binary
protocol over HTTP, so the booth speaks it itself; what changes things (submitting, cancelling,
setting up the queue) goes through CUPS's own commands (``lp``, ``cancel``, ``lpadmin``).
"""

from __future__ import annotations

import getpass
import http.client
import ssl
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

GET_JOB_ATTRIBUTES = 0x0009
GET_JOBS = 0x000A
GET_PRINTER_ATTRIBUTES = 0x000B

OPERATION_GROUP, JOB_GROUP, END_OF_ATTRIBUTES, PRINTER_GROUP = 0x01, 0x02, 0x03, 0x04
INTEGER, BOOLEAN, ENUM = 0x21, 0x22, 0x23
DATE_TIME, RESOLUTION, RANGE = 0x31, 0x32, 0x33
BEGIN_COLLECTION, END_COLLECTION, MEMBER_NAME = 0x34, 0x37, 0x4A
TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE = 0x35, 0x36
NAME, KEYWORD, URI, CHARSET, LANGUAGE = 0x42, 0x44, 0x45, 0x47, 0x48

PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
JOB_STATES = {
    3: "pending",
    4: "pending-held",
    5: "processing",
    6: "processing-stopped",
    7: "canceled",
    8: "aborted",
    9: "completed",
}


class IppError(Exception):
    """The other side did not answer, or not in IPP, or refused the request."""


@dataclass
class IppResponse:
    status: int
    groups: list[tuple[int, dict[str, list[Any]]]] = field(default_factory=list)

    def first(self, group: int) -> dict[str, list[Any]]:
        return next((attributes for tag, attributes in self.groups if tag == group), {})

    def all(self, group: int) -> list[dict[str, list[Any]]]:
        return [attributes for tag, attributes in self.groups if tag == group]


def encode_request(
    operation: int, request_id: int, attributes: Iterable[tuple[int, str, Any]]
) -> bytes:
    """An IPP 2.0 request: the operation group's attributes as (value tag, name, value or list)."""
    out = bytearray(struct.pack(">BBHI", 2, 0, operation, request_id))
    out.append(OPERATION_GROUP)
    for tag, name, values in [
        (CHARSET, "attributes-charset", "utf-8"),
        (LANGUAGE, "attributes-natural-language", "en"),
        *attributes,
    ]:
        for index, value in enumerate(values if isinstance(values, list) else [values]):
            label = name.encode() if index == 0 else b""
            if tag in (INTEGER, ENUM):
                data = struct.pack(">i", value)
            elif tag == BOOLEAN:
                data = b"\x01" if value else b"\x00"
            else:
                data = str(value).encode("utf-8")
            out += struct.pack(">BH", tag, len(label)) + label + struct.pack(">H", len(data)) + data
    out.append(END_OF_ATTRIBUTES)
    return bytes(out)


def decode_response(data: bytes) -> IppResponse:
    """The response's status and attribute groups; values as Python values (strings, ints,
    booleans; collections as dicts; what the booth never reads as raw bytes)."""
    if len(data) < 9:
        raise IppError("the answer is too short for IPP")
    _major, _minor, status, _request = struct.unpack_from(">BBHI", data)
    response = IppResponse(status)
    position = 8
    current: dict[str, list[Any]] | None = None
    while position < len(data):
        tag = data[position]
        if tag == END_OF_ATTRIBUTES:
            break
        if tag < 0x10:
            current = {}
            response.groups.append((tag, current))
            position += 1
            continue
        if current is None:
            raise IppError("an IPP attribute outside any group")
        name, value, position = _attribute(data, position)
        if name:
            current[name] = [value]
            last = name
        else:
            current[last].append(value)
    return response


def _attribute(data: bytes, position: int) -> tuple[str, Any, int]:
    tag = data[position]
    (name_length,) = struct.unpack_from(">H", data, position + 1)
    position += 3
    name = data[position : position + name_length].decode("utf-8", "replace")
    position += name_length
    (value_length,) = struct.unpack_from(">H", data, position)
    position += 2
    raw = data[position : position + value_length]
    position += value_length
    if tag == BEGIN_COLLECTION:
        return name, *_collection(data, position)
    return name, _value(tag, raw), position


def _collection(data: bytes, position: int) -> tuple[dict[str, list[Any]], int]:
    members: dict[str, list[Any]] = {}
    member = ""
    while position < len(data):
        tag = data[position]
        _name, value, position = _attribute(data, position)
        if tag == END_COLLECTION:
            return members, position
        if tag == MEMBER_NAME:
            member = value
            members[member] = []
        elif member:
            members[member].append(value)
    raise IppError("an IPP collection without its end")


def _value(tag: int, raw: bytes) -> Any:
    if tag in (INTEGER, ENUM) and len(raw) == 4:
        return struct.unpack(">i", raw)[0]
    if tag == BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if tag in (TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE) and len(raw) >= 4:
        (language_length,) = struct.unpack_from(">H", raw)
        (text_length,) = struct.unpack_from(">H", raw, 2 + language_length)
        start = 4 + language_length
        return raw[start : start + text_length].decode("utf-8", "replace")
    if 0x40 <= tag <= 0x4A:
        return raw.decode("utf-8", "replace")
    return raw


def http_url(printer_uri: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of the HTTP(S) request that carries IPP for ``printer_uri``
    (``ipp://`` is HTTP on port 631, ``ipps://`` HTTPS on 443 unless the URI says otherwise)."""
    parts = urlsplit(printer_uri)
    secure = parts.scheme in ("ipps", "https")
    if parts.scheme not in ("ipp", "ipps", "http", "https") or not parts.hostname:
        raise IppError(f"{printer_uri} is not an IPP address")
    default_port = 631 if parts.scheme in ("ipp", "ipps") else (443 if secure else 80)
    host = parts.hostname
    return ("https" if secure else "http", host, parts.port or default_port, parts.path or "/")


def request(
    printer_uri: str,
    operation: int,
    attributes: Iterable[tuple[int, str, Any]] = (),
    timeout: float = 3.0,
) -> IppResponse:
    """One IPP request to ``printer_uri``; ``IppError`` when it cannot be answered."""
    scheme, host, port, path = http_url(printer_uri)
    # As the user who submitted: CUPS shows a job's name only to its owner.
    user = (NAME, "requesting-user-name", getpass.getuser())
    body = encode_request(operation, 1, [(URI, "printer-uri", printer_uri), user, *attributes])
    if scheme == "https":
        # A printer's certificate is its own, self-signed: the booth only reads its state.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/ipp"})
        answer = connection.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise IppError(f"{host}:{port} answered HTTP {answer.status}")
    except (OSError, http.client.HTTPException) as error:
        raise IppError(f"no IPP answer from {host}:{port} ({error})") from error
    finally:
        connection.close()
    response = decode_response(data)
    if response.status >= 0x0400:
        raise IppError(f"{host}:{port} refused the request (IPP status 0x{response.status:04x})")
    return response
