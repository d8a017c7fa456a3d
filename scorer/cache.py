"""A cache of checked submissions and reviews, keyed by file content.

Unchanged files are neither parsed nor checked again. The cache lives outside
the repository (a pull request cannot plant one). It is a pickle for speed, read
by an unpickler that may build only cqdt's own model classes, Decimal and date,
so loading it runs no other code. Any change to the criteria set, the registry,
the cycle or to cqdt's checking modules changes the context key and empties it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .load import Problem
from .model import ReviewRecord, Submission
from .paths import DataRoot, write_atomic

FORMAT = 3
CHECKING_MODULES = ("cache", "documents", "load", "messages", "model", "paths", "registry", "rules", "schemas",
                    "submissions")


def cache_dir() -> Path:
    """CQDT_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("CQDT_CACHE_DIR"):
        return Path(os.environ["CQDT_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cqdt"


def _code_version() -> str:
    try:
        installed = version("cqdt")
    except PackageNotFoundError:  # running from a source tree
        installed = "source"
    # The hash of the modules that decide a file's check catches edits in a development checkout.
    digest = hashlib.sha256()
    for name in CHECKING_MODULES:
        digest.update((Path(__file__).parent / f"{name}.py").read_bytes())
    return f"{installed}-{digest.hexdigest()[:16]}"


def context_key(root: DataRoot, year: int, criteria_set_id: str) -> str:
    """Hash of everything a file's check depends on besides the file itself."""
    digest = hashlib.sha256(f"{FORMAT}|{_code_version()}|{year}".encode())
    inputs = [root.cycle_path(year), *sorted(root.units_dir.glob("*.yaml")),
              *sorted(root.criteria_set_dir(criteria_set_id).glob("*.yaml"))]
    for path in inputs:
        digest.update(root.relative(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _cache_path(root: DataRoot, year: int) -> Path:
    where = hashlib.sha256(str(root.root.resolve()).encode()).hexdigest()[:20]
    return cache_dir() / where / f"year-{year}.pickle"


_ALLOWED = {
    ("decimal", "Decimal"), ("datetime", "date"),
    *(("scorer.model", name) for name in ("Answer", "Submission", "Review", "ReviewRecord", "VerifiedAnswer",
                                          "Registry", "Unit")),
    ("scorer.load", "Problem"),
}


class _ModelUnpickler(pickle.Unpickler):
    """Builds only the classes a cache entry holds (Python docs, "Restricting Globals")."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cqdt cache")
        return super().find_class(module, name)


# (sha256, checked item, problems, file stamp)
Entry = tuple[str, "Submission | ReviewRecord | None", "list[Problem]", tuple[int, ...]]


def stamp(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's content may have: size, times, inode (as git's index does)."""
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class FileCache:
    """Checked results of a year's files, by path and content hash."""

    def __init__(self, root: DataRoot, year: int, context: str, enabled: bool = True):
        self.path = _cache_path(root, year)
        self.context = context
        self.enabled = enabled
        self.entries: dict[str, Entry] = {}
        self.changed = False
        if enabled and self.path.is_file():
            stored = _read_pickle(self.path)
            if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("context") == context:
                self.entries = stored["files"]

    def known_sha(self, display: str, file_stamp: tuple[int, ...]) -> str | None:
        """The content hash recorded for an untouched file, so it need not be read again."""
        entry = self.entries.get(display)
        return entry[0] if entry is not None and entry[3] == file_stamp else None

    def get(self, display: str, sha: str) -> tuple[Submission | ReviewRecord | None, list[Problem]] | None:
        entry = self.entries.get(display)
        if entry is None or entry[0] != sha:
            return None
        return entry[1], list(entry[2])

    def put(self, display: str, sha: str, item: Submission | ReviewRecord | None, problems: list[Problem],
            file_stamp: tuple[int, ...]) -> None:
        self.entries[display] = (sha, item, list(problems), file_stamp)
        self.changed = True

    def keep_only(self, displays: set[str]) -> None:
        for gone in set(self.entries) - displays:
            del self.entries[gone]
            self.changed = True

    def save(self) -> None:
        if not (self.enabled and self.changed):
            return
        _write_pickle(self.path, {"format": FORMAT, "context": self.context, "files": self.entries})


def _read_pickle(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return _ModelUnpickler(handle).load()
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return None  # an unreadable cache is only a slower run


def _write_pickle(path: Path, value: Any) -> None:
    with contextlib.suppress(OSError):  # a read-only home must not break validation
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def registry_cached(root: DataRoot, check: Callable[[DataRoot], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
    """check(root) for the units registry, reused while units/*.yaml and cqdt stay the same."""
    digest = hashlib.sha256(f"{FORMAT}|{_code_version()}|registry".encode())
    for path in sorted(root.units_dir.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    key = digest.hexdigest()
    path = _cache_path(root, 0).with_name("registry.pickle")
    stored = _read_pickle(path)
    if isinstance(stored, dict) and stored.get("key") == key:
        return stored["registry"], list(stored["problems"])
    registry, problems = check(root)
    _write_pickle(path, {"key": key, "registry": registry, "problems": problems})
    return registry, problems
