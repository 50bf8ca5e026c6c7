"""Fleet frames on the wire: a binary websocket message per platform (docs/fleet.md §3).

``CFVF``, a u16 format version, a u16 header length, a space-padded UTF-8 JSON header, then the
per-node arrays, little-endian, each padded to 4 bytes. The header names each array and its type.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from simulator.fleet.frames import FleetFrame

MAGIC = b"CFVF"
VERSION = 1
# The arrays of a frame, their wire types, and the largest value each type can carry.
ARRAYS = (("running", "u16"), ("starting", "u16"), ("memory_mb", "u32"), ("disk_mb", "u32"))
_DTYPES = {"u16": np.dtype("<u2"), "u32": np.dtype("<u4")}


def encode_frame(frame: FleetFrame, *, seq: int, speed: float, status: str) -> bytes:
    """The frame as one binary message; values beyond a type's range are clipped to it."""
    header: dict[str, Any] = {
        "type": "fleet_frame",
        "seq": seq,
        "speed": speed,
        "status": status,
        **frame.header(),
        "arrays": [{"name": name, "dtype": dtype} for name, dtype in ARRAYS],
    }
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # 8 bytes of preamble + the header end on a 4-byte boundary, so typed arrays can view the data.
    text += b" " * (-(8 + len(text)) % 4)
    parts = [MAGIC, struct.pack("<HH", VERSION, len(text)), text]
    for name, dtype in ARRAYS:
        wire = _DTYPES[dtype]
        values = np.clip(getattr(frame, name), 0, np.iinfo(wire).max).astype(wire)
        data = values.tobytes()
        parts.append(data + b"\0" * (-len(data) % 4))
    return b"".join(parts)


def decode_frame(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and arrays of a binary frame (for tests and tools); ValueError if malformed."""
    if len(message) < 8 or message[:4] != MAGIC:
        raise ValueError("not a cfviz fleet frame (no CFVF magic)")
    version, length = struct.unpack_from("<HH", message, 4)
    if version != VERSION:
        raise ValueError(f"fleet frame format {version} is not supported (this is {VERSION})")
    if 8 + length > len(message):
        raise ValueError("fleet frame header runs past the message")
    header = json.loads(message[8 : 8 + length])
    offset = 8 + length
    arrays: dict[str, np.ndarray] = {}
    for spec in header["arrays"]:
        wire = _DTYPES[spec["dtype"]]
        size = header["nodes"] * wire.itemsize
        if offset + size > len(message):
            raise ValueError(f"fleet frame array {spec['name']!r} runs past the message")
        arrays[spec["name"]] = np.frombuffer(message, dtype=wire, count=header["nodes"], offset=offset)
        offset += size + (-size % 4)
    return header, arrays
