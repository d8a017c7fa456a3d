"""An append-only file of records, addressed by (offset, length, crc32).

The cache keeps one small index in memory and its bulky payloads here, so a
run reads only the payloads it needs and saving one changed entry appends a
record instead of rewriting everything. A record whose checksum does not
match (a torn write, a pack compacted by another run) reads as missing: the
caller then does the work again.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import zlib
from pathlib import Path

from ..reading.paths import write_atomic

Address = tuple[int, int, int]  # offset, length, crc32


class Pack:
    """Records appended to one file; read singly or all at once."""

    def __init__(self, path: Path):
        self.path = path
        self._data: bytes | mmap.mmap | None = None

    def _all(self) -> bytes | mmap.mmap:
        # Mapped, not read: a run touches only the pages of the records it asks for, and a
        # pack replaced by another run stays readable through the mapping.
        if self._data is None:
            try:
                with self.path.open("rb") as handle:
                    self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # missing, or empty: nothing to map
                self._data = b""
        return self._data

    def read(self, address: Address) -> bytes | None:
        """The record at address, or None when it is missing or damaged."""
        offset, length, crc = address
        record = self._all()[offset:offset + length]
        return record if len(record) == length and zlib.crc32(record) == crc else None

    def append(self, records: list[bytes]) -> list[Address]:
        """Add records at the end; their addresses (empty when the file cannot be written)."""
        if not records:
            return []
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                offset = handle.seek(0, os.SEEK_END)
                handle.write(b"".join(records))
            addresses = []
            for record in records:
                addresses.append((offset, len(record), zlib.crc32(record)))
                offset += len(record)
            self._data = None
            return addresses
        return []

    def store(self, records: dict[str, bytes]) -> dict[str, Address] | None:
        """Append named records (in name order); their addresses, or None if the file cannot take them."""
        names = sorted(records)
        addresses = self.append([records[name] for name in names])
        return dict(zip(names, addresses, strict=True)) if len(addresses) == len(names) else None

    def clear(self) -> None:
        """Drop every record (their index is gone)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        self._data = None

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def compact(self, live: dict[str, Address]) -> dict[str, Address]:
        """Rewrite the file with only the live records when most of it is garbage; returns the
        new addresses of the records kept (none when the file was left as it was)."""
        used = sum(length for _, length, _ in live.values())
        if self.size() <= 2 * used + (1 << 20):
            return {}
        kept: dict[str, Address] = {}
        pieces, offset = [], 0
        for key, address in sorted(live.items(), key=lambda item: item[1][0]):
            record = self.read(address)
            if record is None:
                continue
            pieces.append(record)
            kept[key] = (offset, address[1], address[2])
            offset += address[1]
        try:
            write_atomic(self.path, b"".join(pieces))
        except OSError:
            return {}
        self._data = None
        return kept
