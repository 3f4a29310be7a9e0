"""Hostile zip archives for the upload's unpacker: bombs, liars, overlaps, corrupt streams, encryption.

Each function returns the archive's bytes; sizes are parameters so tests can
stay small while the archive still expands far past the limits they set.
"""
from __future__ import annotations

import io
import struct
import zipfile

LOCAL, CENTRAL, END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"


def _one(name: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytearray:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr(name, data)
    return bytearray(buf.getvalue())


def deflate_bomb(unpacked: int, name: str = "bomb.txt") -> bytes:
    """One member of ``unpacked`` zero bytes, honestly declared: tiny on the wire."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, zf.open(name, "w") as fh:
        block = b"0" * 2**20
        for start in range(0, unpacked, len(block)):
            fh.write(block[: unpacked - start])
    return buf.getvalue()


def lying_bomb(real: int, claimed: int = 1000) -> bytes:
    """A member that claims ``claimed`` bytes but inflates to ``real``."""
    raw = _one("liar.txt", b"0" * real)
    struct.pack_into("<I", raw, 22, claimed)  # local header: uncompressed size
    struct.pack_into("<I", raw, raw.rfind(CENTRAL) + 24, claimed)
    return bytes(raw)


def overlap_bomb(entries: int, member: int) -> bytes:
    """``entries`` directory entries that all point at the same compressed member (a Fifield bomb)."""
    raw = bytes(_one("same.txt", b"0" * member))
    cd, end = raw.rfind(CENTRAL), raw.rfind(END)
    directory = raw[cd:end] * entries
    tail = bytearray(raw[end:])
    struct.pack_into("<HHII", tail, 8, entries, entries, len(directory), cd)
    return raw[:cd] + directory + bytes(tail)


def many_members(n: int) -> bytes:
    """``n`` tiny reply files: within any size budget, far past any count."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"r/{i:05d}.txt", "答复")
    return buf.getvalue()


def nested_bomb(unpacked: int) -> bytes:
    """A zip inside a zip: the inner archive is not a reply file and must not be unpacked."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("inner.zip", deflate_bomb(unpacked))
        zf.writestr("inner.txt.zip", deflate_bomb(unpacked))
    return buf.getvalue()


def corrupt_stream(size: int = 200_000) -> bytes:
    """Valid headers around a damaged deflate stream (the CRC or zlib fails while unpacking)."""
    raw = _one("broken.txt", "关于答复的内容".encode() * (size // 21))
    start = 30 + len("broken.txt")
    for i in range(start + 10, start + 60):
        raw[i] ^= 0x5A
    return bytes(raw)


def encrypted() -> bytes:
    """A member flagged as encrypted (the unpacker has no password to give)."""
    raw = _one("secret.txt", "答复".encode() * 100)
    struct.pack_into("<H", raw, 6, 0x1)
    struct.pack_into("<H", raw, raw.rfind(CENTRAL) + 8, 0x1)
    return bytes(raw)


def unknown_method() -> bytes:
    """A member compressed with a method zipfile does not implement."""
    raw = _one("odd.txt", "答复".encode() * 100)
    struct.pack_into("<H", raw, 8, 99)
    struct.pack_into("<H", raw, raw.rfind(CENTRAL) + 10, 99)
    return bytes(raw)


def symlink() -> bytes:
    """A member that is a symbolic link to /etc/passwd, named like a reply."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()
