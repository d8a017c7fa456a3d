"""Writing output files only when their bytes change, so a rebuild after one changed
submission rewrites only what that change touched."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

from pelican.writers import Writer

from ..paths import write_atomic


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write atomically unless the file already holds exactly these bytes; True if written."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, payload)
    return True


YEAR_FOLDER_RE = re.compile(r"^\d{4}$")


def remove_stale(output: Path, keep: set[str], folders: Iterable[str]) -> list[str]:
    """Delete files this build no longer produces (a unit or a year gone), and the folders they
    leave empty. Only inside `folders` and the year folders: the rest of the output is not ours."""
    roots = set(folders) | {p.name for p in output.iterdir() if p.is_dir() and YEAR_FOLDER_RE.match(p.name)}
    removed = []
    for name in sorted(roots):
        folder = output / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):  # children before their folders
            relative = path.relative_to(output).as_posix()
            if path.is_file() and relative not in keep:
                path.unlink()
                removed.append(relative)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


class _BufferedFile(io.StringIO):
    """A text file that reaches the disk on close, and only if its bytes changed."""

    def __init__(self, path: str, encoding: str) -> None:
        super().__init__()
        self._path = path
        self._encoding = encoding

    def close(self) -> None:
        if not self.closed and self._path != os.devnull:
            write_if_changed(Path(self._path), self.getvalue().encode(self._encoding))
        super().close()


class ChangedOnlyWriter(Writer):
    """Pelican's writer, keeping its overwrite rules, but leaving unchanged files alone."""

    def _open_w(self, filename, encoding, override=False):
        # Pelican's own checks (overwrite rules, bookkeeping), then a buffer instead of open().
        if filename in self._overridden_files:
            if override:
                return super()._open_w(filename, encoding, override)  # raises Pelican's error
            filename = os.devnull
        elif filename in self._written_files and not override:
            return super()._open_w(filename, encoding, override)  # raises Pelican's error
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _BufferedFile(filename, encoding)
