"""Writing output files only when their bytes change, so a rebuild after one changed
submission rewrites only what that change touched."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Set
from pathlib import Path
from typing import NamedTuple

from ..reading.paths import YEAR_RE, replace_file, write_atomic


def _holding(path: Path, payload: bytes) -> os.stat_result | None:
    """The file's status when it already holds exactly these bytes, else None."""
    try:
        stat = os.stat(path)
        if stat.st_size == len(payload) and path.read_bytes() == payload:
            return stat
    except FileNotFoundError:
        pass
    return None


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write atomically unless the file already holds exactly these bytes; True if written."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _holding(path, payload) is not None:
        return False
    write_atomic(path, payload)
    return True


def write_page(path: Path, payload: bytes) -> tuple[int, int]:
    """write_if_changed for the many small pages, with fewer system calls: a temporary name of
    this process next to the page, then a rename. Returns the file's size and mtime_ns."""
    stat = _holding(path, payload)
    if stat is not None:
        return stat.st_size, stat.st_mtime_ns
    try:
        os.mkdir(path.parent)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path.parent, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            os.fchmod(fd, 0o644)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            stat = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return stat.st_size, stat.st_mtime_ns


class StreamedFile:
    """A large file written in pieces to a temporary name; close() puts it in place. Never
    half-written, never whole in memory. Made only when its inputs changed (see the
    manifest), so it is not compared with the file it replaces: that read 100 MB for nothing."""

    def __init__(self, path: Path, old: list[str] | None = None) -> None:
        """`old`: where to note the name of the file replaced, left for the caller to delete (see
        paths.replace_file); without it, the replaced file is deleted at once."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.old = old
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.temporary = Path(name)
        self._handle = os.fdopen(fd, "wb", buffering=1 << 20)
        self.size = 0  # bytes written so far

    def write(self, data: bytes) -> None:
        self._handle.write(data)
        self.size += len(data)

    def copy_from(self, source: Path, offset: int, count: int) -> None:
        """Append `count` bytes of file `source` from `offset`, copied by the kernel where it can."""
        self._handle.flush()
        target = self._handle.fileno()
        with open(source, "rb") as handle:
            done = 0
            try:
                while done < count:
                    moved = os.copy_file_range(handle.fileno(), target, count - done, offset + done)
                    if not moved:
                        raise OSError("source ended early")
                    done += moved
            except (AttributeError, OSError):  # no copy_file_range here (or not between these files)
                handle.seek(offset + done)
                while done < count:
                    chunk = handle.read(min(count - done, 1 << 20))
                    if not chunk:
                        raise OSError(f"{source} ended early") from None
                    self._handle.write(chunk)
                    done += len(chunk)
                self._handle.flush()
        self.size += count

    def close(self) -> None:
        """Finish the file and put it in place."""
        self._handle.close()
        os.chmod(self.temporary, 0o644)
        replace_file(self.temporary, self.path, self.old)

    def discard(self) -> None:
        """Remove the temporary file if close() did not use it (an error stopped the writing)."""
        self._handle.close()
        self.temporary.unlink(missing_ok=True)


class LastBuild(NamedTuple):
    """What the last build into a folder left there (see Manifest.last_build)."""

    written: Set[str]  # every file name it wrote
    folders: dict[str, int]  # each of its folders, with the modification time it left
    untouched: set[str]  # those whose time is unchanged since: they hold only its files


def stale_roots(output: Path, folders: Iterable[str]) -> list[str]:
    """The output's folders that hold only what the build writes: `folders` and the year folders."""
    return sorted(set(folders) | {p.name for p in output.iterdir() if p.is_dir() and YEAR_RE.match(p.name)})


def remove_stale(output: Path, keep: set[str], folders: Iterable[str], last: LastBuild | None = None) -> list[str]:
    """Delete files this build no longer produces (a unit or a year gone), and the folders they
    leave empty. Only inside `folders` and the year folders: the rest of the output is not ours.

    Without `last`, one walk from the leaves up, reading each folder once. With it, only what
    changed since the last build is read: its files this build did not write are removed, and
    only its folders changed since (and folders it did not make) are listed for foreign files."""
    roots = [name for name in stale_roots(output, folders) if (output / name).is_dir()]
    if last is None:
        return sorted(name for root in roots for name in _walk_removing(output, root, keep))
    inside = tuple(f"{root}/" for root in roots)
    removed = [name for name in sorted(last.written - keep) if name.startswith(inside) and _unlink(output, name)]
    unknown = [root for root in roots if root not in last.folders]
    for folder in sorted(set(last.folders) - last.untouched):
        try:
            entries = list(os.scandir(output / folder))
        except OSError:  # gone, or no longer a folder
            continue
        for entry in entries:
            name = f"{folder}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if name not in last.folders:
                    unknown.append(name)
            elif name not in keep and _unlink(output, name):
                removed.append(name)
    for folder in unknown:
        removed += _walk_removing(output, folder, keep)
    _remove_empty(output, {name.rsplit("/", 1)[0] for name in removed} | set(last.folders) - last.untouched)
    return sorted(removed)


def _unlink(output: Path, name: str) -> bool:
    try:
        os.unlink(output / name)
    except FileNotFoundError:
        return False
    return True


def _walk_removing(output: Path, root: str, keep: set[str]) -> list[str]:
    """Remove the files under output/root not in `keep`, then the folders left empty."""
    prefix = len(str(output)) + 1
    removed = []
    occupied: set[str] = set()  # folders that keep something
    for folder, subfolders, files in os.walk(output / root, topdown=False):
        relative = folder[prefix:].replace(os.sep, "/")
        kept = False
        for file in sorted(files):
            if f"{relative}/{file}" in keep:
                kept = True
            else:
                os.unlink(os.path.join(folder, file))
                removed.append(f"{relative}/{file}")
        if kept or any(os.path.join(folder, sub) in occupied for sub in subfolders):
            occupied.add(folder)
        else:
            os.rmdir(folder)
    return removed


def _remove_empty(output: Path, folders: set[str]) -> None:
    """Remove those of the folders (and their parents) that are now empty, deepest first."""
    for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
        while folder:
            try:
                os.rmdir(output / folder)
            except OSError:  # not empty, or already gone
                break
            folder = folder.rpartition("/")[0]


def _folders_of(names: Iterable[str]) -> set[str]:
    """Every folder holding one of `names` (relative, with forward slashes), up to the top."""
    found = {name.rpartition("/")[0] for name in names if "/" in name}
    for folder in list(found):
        while "/" in folder:
            folder = folder.rpartition("/")[0]
            if folder in found:
                break
            found.add(folder)
    return found


def folder_times(output: Path, names: Iterable[str], folders: Iterable[str], last: LastBuild | None,
                 changed: Iterable[str]) -> dict[str, int]:
    """The modification time of every folder holding one of `names` inside `folders` and the
    year folders, up to those: read again for the folders holding a `changed` name (written or
    removed by this build) and those changed since the last build, else taken from `last`."""
    stale = _folders_of(changed)
    prefix = os.path.join(output, "")  # plain strings: a new site has 25,000 folders to look at
    if last is not None:
        stale |= set(last.folders) - last.untouched
        if names == last.written:  # the same files: the same folders hold them
            times = dict(last.folders)
            for folder in sorted(stale & times.keys()):
                try:
                    times[folder] = os.stat(prefix + folder).st_mtime_ns
                except OSError:
                    del times[folder]
            return times
    roots = tuple(f"{root}/" for root in stale_roots(output, folders))
    held = _folders_of(name for name in names if name.startswith(roots))
    known = last.folders if last is not None else {}
    times = {}
    for folder in sorted(held):
        time = None if folder in stale else known.get(folder)
        if time is None:
            try:
                time = os.stat(prefix + folder).st_mtime_ns
            except OSError:
                continue
        times[folder] = time
    return times


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


class ChangedOnlyMixin:
    """For Pelican's writer (see plugin): keeps its overwrite rules, but leaves unchanged files alone."""

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
