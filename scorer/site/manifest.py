"""What each page of an output folder was rendered from, so that a rebuild renders only the
pages whose inputs changed.

It also keeps, for each year's all-tiers JSON file, where each unit's entry sits in it, so
that a rebuild copies the entries of unchanged units instead of encoding them again; and for
each tier's CSV and XLSX the digest of its units' results, so that unchanged ones are not made again.

The manifest lives in cqdt's cache folder (never in the published output), one per output
folder. Each page has the digest of its inputs and the size and modification time of the
file written from them: a page is skipped only when its digest is the same and the file on
disk is still the one this build wrote (deleted or edited pages are written again). A
manifest that cannot be read counts as empty: everything is rendered.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from ..cache import cache_dir
from ..paths import write_atomic

FORMAT = 2
Entry = tuple[str, int, int]  # digest, size, mtime_ns


def manifest_path(output: Path) -> Path:
    """The manifest of an output folder, in the cache folder."""
    key = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / "site-pages" / f"{key}.json"


class Manifest:
    """The pages of one output folder with their inputs' digests: last build's, and this one's."""

    def __init__(self, output: Path, salt: str) -> None:
        self.output = output
        self.salt = salt  # digest of what every page depends on (templates, code, settings)
        self.previous: dict[str, Entry] = {}
        self.previous_files: dict[str, dict] = {}
        try:
            stored = json.loads(manifest_path(output).read_text(encoding="utf-8"))
            if stored.get("format") == FORMAT and stored.get("salt") == salt:
                self.previous = {name: tuple(entry) for name, entry in stored["pages"].items()}
                self.previous_files = dict(stored["files"])
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            self.previous, self.previous_files = {}, {}
        self.current: dict[str, Entry] = {}
        self.current_files: dict[str, dict] = {}

    def unchanged(self, name: str, digest: str) -> Entry | None:
        """Last build's entry when it had this digest and its file is untouched since; else None."""
        entry = self.previous.get(name)
        if entry is None or entry[0] != digest:
            return None
        return entry if self._untouched(name, entry[1], entry[2]) else None

    def _untouched(self, name: str, size: int, mtime: int) -> bool:
        try:
            stat = os.stat(self.output / name)
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (size, mtime)

    def record(self, entries: list[tuple[str, Entry]]) -> None:
        self.current.update(entries)

    def file_index(self, name: str) -> object:
        """What last build noted about a data file (see record_file) if the file is untouched since, else None."""
        noted = self.previous_files.get(name)
        if not isinstance(noted, dict) or not self._untouched(name, noted.get("size"), noted.get("mtime")):
            return None
        return noted.get("index")

    def record_file(self, name: str, index: object) -> None:
        """Note what a data file was made from (JSON-able), with the file as it is on disk now."""
        stat = os.stat(self.output / name)
        self.current_files[name] = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "index": index}

    def save(self) -> None:
        """Store this build's entries (after every page is written), sorted; unwritable cache: no-op."""
        document = {"format": FORMAT, "salt": self.salt,
                    "pages": {name: list(self.current[name]) for name in sorted(self.current)},
                    "files": {name: self.current_files[name] for name in sorted(self.current_files)}}
        with contextlib.suppress(OSError):
            write_atomic(manifest_path(self.output), json.dumps(document, separators=(",", ":")))
