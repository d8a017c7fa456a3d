"""What each page of an output folder was rendered from, so that a rebuild renders only the
pages whose inputs changed.

It also keeps, for each data file (JSON, CSV, XLSX), the digest of its units' results, so
that unchanged ones are not made again; and the layout of each ranking page (see splice), so
that a rebuild renders only the rows that changed.

The manifest (a pickle, read by the cache's restricted unpickler) lives in cqdt's cache
folder (never in the published output), one per output folder. Each page has the digest of
its inputs, the size and modification time of the file written from them and, for unit and
history pages, its coarse key (see pages): a page is skipped only when its coarse key or its
digest is the same and the file on disk is still the one this build wrote (deleted or edited
pages are written again). A manifest that cannot be read counts as empty: everything is
rendered.

It also keeps every file name the build wrote and the modification time of every folder of
its own (see output.remove_stale) as the build left them: a folder whose time is unchanged
holds exactly those files, so finding stale files needs no walk of 25,000 folders.

A rebuild changes a few of these entries: it appends them to a journal beside the manifest
(see save) instead of writing 17 MB again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, NamedTuple

from ..shell.cache import JournaledStore, cache_dir, read_pickle, write_pickle
from .output import LastBuild

FORMAT = 11
Entry = tuple[str, int, int, Any]  # digest, size, mtime_ns, coarse key (see pages)


def manifest_path(output: Path) -> Path:
    """The manifest of an output folder, in the cache folder."""
    key = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / "site-pages" / f"{key}.pickle"


def manifest_bytes(output: Path) -> int:
    """The size of the output folder's stored manifest (0 if none): how much there is to check."""
    try:
        return manifest_path(output).stat().st_size
    except OSError:
        return 0


class OutputCheck(NamedTuple):
    """What changed in an output folder since the last build into it left it (see output_check)."""

    touched: frozenset[str]  # its pages and data files whose size or time differ, or that are gone
    moved: frozenset[str]  # its folders whose time differs, or that are gone


def _store(output: Path) -> JournaledStore:
    return JournaledStore(manifest_path(output), nested=("rows",))


def journal_path(output: Path) -> Path:
    return _store(output).journal


def files_path(output: Path) -> Path:
    """The part of the manifest about the data files: small, read before the rest (see Manifest)."""
    return manifest_path(output).with_suffix(".files.pickle")


def _stored_files(output: Path, salt: str | None = None) -> dict[str, dict]:
    stored = read_pickle(files_path(output))
    fits = isinstance(stored, dict) and stored.get("format") == FORMAT and salt in (None, stored.get("salt"))
    return stored["files"] if fits else {}


def read_manifest(output: Path, store: JournaledStore | None = None) -> dict | None:
    """The stored manifest of an output folder, journal applied ("written" as a set), with the
    data files' part as "files"; None without one."""
    stored = (store or _store(output)).load(lambda stored: stored.get("format") == FORMAT)
    if stored is not None:
        stored["files"] = _stored_files(output)
    return stored


def output_check(output: Path) -> OutputCheck | None:
    """Compare every page, data file and folder the stored manifest lists with the disk (one
    `stat` each: 50,000 for a nationwide site); None without a manifest. A large build runs
    this in another process while it reads the data (see generator.DataPages.read)."""
    stored = read_manifest(output)
    if stored is None:
        return None
    prefix = os.path.join(output, "")
    touched = [name for name, entry in stored["pages"].items() if not _same(prefix + name, entry[1], entry[2])]
    touched += [name for name, noted in stored["files"].items() if not _same(prefix + name, noted["size"], noted["mtime"])]
    return OutputCheck(frozenset(touched), frozenset(_moved(prefix, stored["folders"])))


def _same(path: str, size: int, mtime: int) -> bool:
    """Whether the file at `path` (a string, not a Path: this runs once per page) has this size and time."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (size, mtime)


def _moved(prefix: str, folders: dict[str, int]) -> list[str]:
    """The folders whose modification time is not the one noted, or that are gone."""
    moved = []
    for folder, mtime in folders.items():
        try:
            if os.stat(prefix + folder).st_mtime_ns != mtime:
                moved.append(folder)
        except OSError:
            moved.append(folder)
    return moved


class Manifest:
    """The pages of one output folder with their inputs' digests: last build's, and this one's."""

    def __init__(self, output: Path, salt: str, pages: bool = True) -> None:
        """With `pages` false, only the data files' part is read; load_pages() reads the rest."""
        self.output = output
        self._prefix = os.path.join(output, "")
        self.salt = salt  # digest of what every page depends on (templates, code, settings)
        self.previous: dict[str, Entry] = {}
        self.previous_files: dict[str, dict] = _stored_files(output, salt)
        self.previous_rows: dict[str, dict] = {}  # ranking page → its layout (splice)
        # What the last build left, whatever its salt: None when unknown.
        self._last: tuple[set[str], dict[str, int]] | None = None
        self._store = _store(output)
        self._stored: dict | None = None  # the stored manifest, when this build's salt is its own
        self.current: dict[str, Entry] = {}
        self.current_files: dict[str, dict] = {}
        self.current_rows: dict[str, dict] = {}
        self.written: frozenset[str] = frozenset()
        self.folders: dict[str, int] = {}
        self.check: OutputCheck | None = None  # see use_check
        if pages:
            self.load_pages()

    def load_pages(self) -> None:
        """Read what the last build noted of its pages, rows, files and folders: 17 MB for a
        nationwide site, which a large build reads while another process makes its data files."""
        stored = self._store.load(lambda stored: stored.get("format") == FORMAT)
        if stored is not None:
            self._last = stored["written"], stored["folders"]
            if stored.get("salt") == self.salt:
                self._stored = stored
                self.previous = stored["pages"]
                self.previous_rows = stored["rows"]

    def use_check(self, check: OutputCheck | None) -> None:
        """Take what output_check found (before this build wrote anything) instead of looking at
        each file and folder again."""
        self.check = check

    def unchanged(self, name: str, digest: str) -> Entry | None:
        """Last build's entry when it had this digest and its file is untouched since; else None."""
        return self._kept(name, 0, digest)

    def settled(self, name: str, coarse: Any) -> Entry | None:
        """Last build's entry when it had this coarse key (not None) and its file is untouched since; else None."""
        return None if coarse is None else self._kept(name, 3, coarse)

    def _kept(self, name: str, field: int, value: Any) -> Entry | None:
        entry = self.previous.get(name)
        if entry is None or entry[field] != value:
            return None
        return entry if self._untouched(name, entry[1], entry[2]) else None

    def _untouched(self, name: str, size: int, mtime: int) -> bool:
        if self.check is not None:  # the entry is the stored one: the check looked at its file
            return name not in self.check.touched
        return _same(self._prefix + name, size, mtime)

    def record(self, entries: list[tuple[str, Entry]]) -> None:
        self.current.update(entries)

    def file_digest(self, name: str) -> str | None:
        """The digest last build noted for a data file (see record_file) if the file is untouched since, else None."""
        return self.previous_files[name].get("digest") if self.untouched_file(name) else None

    def untouched_file(self, name: str) -> bool:
        """Whether data file `name` is still the one the last build wrote (whatever its inputs)."""
        noted = self.previous_files.get(name)
        return isinstance(noted, dict) and self._untouched(name, noted.get("size"), noted.get("mtime"))

    def record_file(self, name: str, digest: str) -> None:
        """Note the digest of what a data file was made from, with the file as it is on disk now."""
        stat = os.stat(self.output / name)
        self.current_files[name] = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "digest": digest}

    def last_build(self) -> LastBuild | None:
        """What the last build left in the folder, with those of its folders whose modification
        time is still the one it left (nothing added, removed or renamed in them since); None
        when unknown. Call before this build writes."""
        if self._last is None:
            return None
        written, folders = self._last
        moved = self.check.moved if self.check is not None else _moved(self._prefix, folders)
        return LastBuild(written, folders, set(folders).difference(moved))

    def record_output(self, written: frozenset[str], folders: dict[str, int]) -> None:
        """Every file name this build wrote, and its folders' modification times as it left them."""
        self.written = written
        self.folders = folders

    def save(self) -> None:
        """Store this build's entries (after every page is written); unwritable cache: no-op.
        What changed goes to the manifest's journal while that stays short (see JournaledStore)."""
        write_pickle(files_path(self.output), {"format": FORMAT, "salt": self.salt, "files": self.current_files})
        self._store.save({
            "format": FORMAT, "salt": self.salt, "pages": self.current, "rows": self.current_rows,
            "written": self.written, "folders": self.folders},
            self._stored, len(self.current))
