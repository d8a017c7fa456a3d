"""A cache of checked submissions and reviews, keyed by file content.

Unchanged files are neither parsed nor checked again. The cache lives outside
the repository (a pull request cannot plant one). It is a pickle for speed, read
by an unpickler that may build only cqdt's own model classes, Decimal and date,
so loading it runs no other code. Any change to the criteria set, the registry,
the cycle or to cqdt's code changes the context key and empties it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ..core.model import ReviewRecord, Submission
from ..core.problems import Problem
from ..reading.paths import DataRoot, write_atomic
from .pack import Address, Pack

FORMAT = 5



def cache_dir() -> Path:
    """CQDT_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("CQDT_CACHE_DIR"):
        return Path(os.environ["CQDT_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cqdt"


@functools.cache
def code_version() -> str:
    """A hash of every file of the installed cqdt package: any change to its code changes
    every cache key that includes it, so no cache can serve what older code computed.

    Its sources, not its version number: a development checkout changes without one."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def context_key(root: DataRoot, year: int, criteria_set_id: str) -> str:
    """Hash of everything a file's check depends on besides the file itself."""
    digest = hashlib.sha256(f"{FORMAT}|{code_version()}|{year}".encode())
    inputs = [root.cycle_path(year), *sorted(root.units_dir.glob("*.yaml")),
              *sorted(root.criteria_set_dir(criteria_set_id).glob("*.yaml"))]
    for path in inputs:
        digest.update(root.relative(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def cache_path(root: DataRoot, year: int) -> Path:
    where = hashlib.sha256(str(root.root.resolve()).encode()).hexdigest()[:20]
    return cache_dir() / where / f"year-{year}.pickle"


_ALLOWED = {
    ("decimal", "Decimal"), ("datetime", "date"),
    ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"),  # in site settings (see site.quick)
    *(("scorer.core.model", name) for name in ("Answer", "Submission", "Review", "ReviewRecord", "VerifiedAnswer",
                                          "Registry", "Unit", "CriterionResult", "Shortfall", "Gap",
                                          "UnitResult", "CriteriaSet", "TierCriteria", "Group", "Criterion",
                                          "Option", "Level", "Stage", "Cycle", "Publication", "Amendment",
                                          "AmendmentChange", "UnitDecision", "Range")),
    ("scorer.core.problems", "Problem"),
}


_FOUND: dict[tuple[str, str], Any] = {}  # allowed classes already imported: most records are read one by one


class _ModelUnpickler(pickle.Unpickler):
    """Builds only the classes a cache entry holds (Python docs, "Restricting Globals")."""

    def find_class(self, module: str, name: str) -> Any:
        found = _FOUND.get((module, name))
        if found is None:
            if (module, name) not in _ALLOWED:
                raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cqdt cache")
            found = _FOUND[module, name] = super().find_class(module, name)
        return found


class Indexed(NamedTuple):
    """What the cache index knows of one checked file, without its parsed content."""

    sha: str
    stamp: tuple[int, ...]
    problems: tuple[Problem, ...]
    unit_id: str | None  # of a valid submission or review record
    local_evidence: tuple[str, ...]  # repository files a submission names as evidence
    address: Address | None  # of the pickled Submission or ReviewRecord in the pack


def stamp(path: Path | str) -> tuple[int, ...]:
    """What changes whenever a file's content may have: size, times, inode (as git's index does)."""
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class CheckedFile(NamedTuple):
    """One file's check as it travels from a worker to the cache: the item stays pickled."""

    record: bytes | None  # the pickled Submission or ReviewRecord; None when the file has problems
    problems: tuple[Problem, ...]
    unit_id: str | None
    local_evidence: tuple[str, ...]


def checked_file(item: Submission | ReviewRecord | None, problems: list[Problem]) -> CheckedFile:
    record = None if item is None else pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    return CheckedFile(record, tuple(problems), item.unit_id if item is not None else None, local_evidence(item))


def local_evidence(item: Submission | ReviewRecord | None) -> tuple[str, ...]:
    """Evidence entries that are repository paths: they may be deleted while the file stays the same."""
    if not isinstance(item, Submission):
        return ()
    return tuple(e for a in item.answers.values() for e in a.evidence if "://" not in e)


class FileCache:
    """Checked results of a year's files, by path and content hash.

    A small index (hashes, stamps, problems) is read on every run; the parsed
    files sit in a pack beside it and are read only when asked for.
    """

    def __init__(self, root: DataRoot, year: int, context: str, enabled: bool = True):
        self.path = cache_path(root, year)
        self.pack = Pack(self.path.with_suffix(".pack"))
        self.context = context
        self.enabled = enabled
        self.entries: dict[str, Indexed] = {}
        self.pending: dict[str, bytes] = {}
        self.changed: set[str] = set()  # files whose entry changed (or went) since the index was read
        stored = read_pickle(self.path) if enabled and self.path.is_file() else None
        fits = isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("context") == context
        self.journal = IndexJournal(self.path.with_suffix(".journal"), stored.get("generation") if fits else None)
        if fits:
            self.entries = {name: Indexed._make(entry) for name, entry in stored["files"].items()}
            self.journal.replay(self.entries, Indexed._make, len(Indexed._fields))
        if enabled and not self.entries:
            self.pack.clear()  # nothing indexes its records any more

    def lookup(self, display: str, sha: str) -> Indexed | None:
        """The index entry of this content, if it was checked before."""
        entry = self.entries.get(display)
        return entry if entry is not None and entry.sha == sha else None

    def item(self, display: str) -> Submission | ReviewRecord | None:
        """The checked Submission or ReviewRecord of an indexed file; None if the pack lost it."""
        entry = self.entries.get(display)
        record = self.pending.get(display)
        if record is None and entry is not None and entry.address is not None:
            record = self.pack.read(entry.address)
        return None if record is None else loads(record)

    def touch(self, display: str, file_stamp: tuple[int, ...]) -> None:
        """Record the new stamp of a file touched but not changed."""
        self.entries[display] = self.entries[display]._replace(stamp=file_stamp)
        self.changed.add(display)

    def put(self, display: str, sha: str, checked: CheckedFile, file_stamp: tuple[int, ...]) -> None:
        self.entries[display] = Indexed(sha, file_stamp, checked.problems, checked.unit_id, checked.local_evidence,
                                        None)
        self.pending.pop(display, None)
        if checked.record is not None:
            self.pending[display] = checked.record
        self.changed.add(display)

    def keep_only(self, displays: set[str]) -> None:
        for gone in set(self.entries) - displays:
            del self.entries[gone]
            self.pending.pop(gone, None)
            self.changed.add(gone)

    def save(self) -> None:
        if not (self.enabled and self.changed):
            return
        stored = self.pack.store(self.pending)
        if stored is not None:  # else keep them for this run: the pack could not take them
            for name, address in stored.items():
                self.entries[name] = self.entries[name]._replace(address=address)
            self.pending.clear()
        live = {name: e.address for name, e in self.entries.items() if e.address is not None}
        moved = self.pack.compact(live)
        for name, address in moved.items():
            self.entries[name] = self.entries[name]._replace(address=address)
        # A few entries go to the journal; many, moved records or a long journal: a new index.
        if moved or not self.journal.append(self.entries, self.changed):
            # Plain tuples: pickle writes them natively, named tuples cost a Python call each.
            files = {name: tuple(entry) for name, entry in self.entries.items()}
            self.journal.restart(lambda generation: write_pickle(self.path, {
                "format": FORMAT, "context": self.context, "generation": generation, "files": files}))
        self.changed.clear()


def loads(record: bytes) -> Any:
    """One pickled record of the cache, through the restricted unpickler; None if unreadable."""
    try:
        return _ModelUnpickler(io.BytesIO(record)).load()
    except (EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return None


def read_pickle(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return _ModelUnpickler(handle).load()
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return None  # an unreadable cache is only a slower run


def write_pickle(path: Path, value: Any) -> None:
    with contextlib.suppress(OSError):  # a read-only home must not break validation
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def read_pickles(path: Path) -> list[Any]:
    """The records appended to a file by append_pickles, up to the first unreadable one
    (a write cut short): those after it are not trusted either."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    handle, found = io.BytesIO(data), []
    while handle.tell() < len(data):
        try:
            found.append(_ModelUnpickler(handle).load())
        except (EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError, IndexError, KeyError):
            break
    return found


def append_pickles(path: Path, values: list[Any]) -> bool:
    """Append records to a file in one write; False if it could not be written."""
    payload = b"".join(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for value in values)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError:
        return False
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


# The latest check of each cache file in this process: its inputs' stamps (None unless settled),
# its key, value and problems.
_CHECKED: dict[Path, tuple[tuple | None, str, Any, tuple[Problem, ...]]] = {}
SETTLED_NS = 2_000_000_000  # a file last written this long ago is known by its stamp


def journal_limit(entries: int) -> int:
    """How many entries an index's journal may hold before the index is written anew."""
    return max(200, entries // 10)


class IndexJournal:
    """The entries of an index changed since the index was written, appended to a file beside
    it: a run that changed a few entries appends them instead of writing 12,000–16,000 again.

    Each record is (the index's generation, key, the entry as a tuple, or None when it went);
    records of another generation (left by an index written over since) are ignored."""

    def __init__(self, path: Path, generation: str | None) -> None:
        self.path = path
        self.generation = generation
        self.count = 0  # records of this generation in the file

    def replay(self, entries: dict[str, Any], make: Callable[[tuple], Any], width: int) -> None:
        """Apply this generation's records to `entries` (tuples of `width` fields, made by `make`)."""
        for record in read_pickles(self.path):
            entry = record[2] if isinstance(record, tuple) and len(record) == 3 else ()
            if not (entry is None or (isinstance(entry, tuple) and len(entry) == width)):
                break  # the rest is not trusted either
            generation, key, _ = record
            if generation != self.generation:
                continue
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = make(entry)
            self.count += 1

    def append(self, entries: dict[str, Any], changed: set[str]) -> bool:
        """Append the changed entries if the journal stays short; False when the whole index
        must be written (see restart)."""
        count = self.count + len(changed)
        if self.generation is None or count > journal_limit(len(entries)):
            return False
        records = [(self.generation, key, tuple(entries[key]) if key in entries else None) for key in sorted(changed)]
        if not append_pickles(self.path, records):
            return False
        self.count = count
        return True

    def restart(self, write_index: Callable[[str], None]) -> None:
        """write_index(generation) with a new generation, then drop the journal."""
        self.generation = os.urandom(8).hex()
        write_index(self.generation)
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        self.count = 0


class JournaledStore:
    """A pickled dict of named sections (dicts, dicts of dicts, or sets), of which a run changes
    a few entries: those changes are appended to a journal beside it instead of writing it all
    again (a site's manifest is 17 MB), until the journal holds a tenth as many entries.

    Each journal record is (the store's generation, section, key, new value or None when the
    entry went); records of another generation (left by a store written over since) are
    ignored, and a record cut short ends the replay."""

    def __init__(self, path: Path, nested: tuple[str, ...] = ()) -> None:
        self.path = path
        self.journal = path.with_suffix(path.suffix + "-journal")
        self.nested = nested  # sections holding dicts: keyed by (outer, inner) in the journal
        self.generation: str | None = None
        self.count = 0  # records of this generation in the journal

    def load(self, fits: Callable[[dict], bool]) -> dict | None:
        """The stored dict with its journal applied, if `fits(stored)`; else None."""
        stored = read_pickle(self.path)
        if not (isinstance(stored, dict) and fits(stored)):
            return None
        self.generation = stored.get("generation")
        stored.update({name: set(section) for name, section in stored.items() if isinstance(section, frozenset)})
        for record in read_pickles(self.journal):
            if not (isinstance(record, tuple) and len(record) == 4 and record[1] in stored):
                break
            generation, section, key, value = record
            if generation != self.generation:
                continue
            target = stored[section]
            if section in self.nested:
                target = target.setdefault(key[0], {})
                key = key[1]
            if isinstance(target, set):
                (target.add if value else target.discard)(key)
            elif value is None:
                target.pop(key, None)
            else:
                target[key] = value
            self.count += 1
        return stored

    def save(self, value: dict, previous: dict | None, entries: int) -> None:
        """Store `value`. With `previous` (what load gave, its header the same as value's), only
        its changed entries go to the journal, while it stays short for `entries` in all."""
        if previous is not None and self.generation is not None:
            changes = [change for section in value if isinstance(value[section], dict | set | frozenset)
                       for change in self._changes(section, previous.get(section), value[section])]
            count = self.count + len(changes)
            if count <= journal_limit(entries) and append_pickles(
                    self.journal, [(self.generation, *change) for change in changes]):
                self.count = count
                return
        self.generation = os.urandom(8).hex()
        write_pickle(self.path, {**value, "generation": self.generation})
        with contextlib.suppress(OSError):
            self.journal.unlink(missing_ok=True)
        self.count = 0

    def _changes(self, section: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
        if isinstance(new, set | frozenset):
            old = old if isinstance(old, set | frozenset) else set()
            return ([(section, k, True) for k in sorted(new - old)] + [(section, k, None) for k in sorted(old - new)])
        old = old if isinstance(old, dict) else {}
        if section not in self.nested:
            return ([(section, k, v) for k, v in new.items() if old.get(k) != v]
                    + [(section, k, None) for k in sorted(old.keys() - new.keys(), key=repr)])
        changes = []
        for outer in sorted(old.keys() | new.keys(), key=repr):
            inner_old, inner_new = old.get(outer, {}), new.get(outer, {})
            changes += [(section, (outer, k), v) for k, v in inner_new.items() if inner_old.get(k) != v]
            changes += [(section, (outer, k), None) for k in sorted(inner_old.keys() - inner_new.keys(), key=repr)]
        return changes


def check_key(root: DataRoot, name: str) -> str | None:
    """The key (digest of inputs and code) of the named cached_check as this process last made
    it, or None if it has not run here (or its memo was emptied since)."""
    held = _CHECKED.get(cache_path(root, 0).with_name(f"{name}.pickle"))
    return None if held is None else held[1]


def cached_check(root: DataRoot, name: str, inputs: list[Path],
                 check: Callable[[], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem]]:
    """check() of the registry or a criteria set, reused while its input files and cqdt's code
    (code_version) stay the same."""
    path = cache_path(root, 0).with_name(f"{name}.pickle")
    # The same files checked earlier in this process (the site asks twice): known by their stamps
    # if those were settled (a file rewritten within the clock's tick of its last write keeps
    # its time), else by their content.
    stamps = tuple(stamp(p) if p.is_file() else None for p in inputs)
    held = _CHECKED.get(path)
    if held is not None and held[0] is not None and held[0] == stamps:
        return held[2], list(held[3])
    digest = hashlib.sha256(f"{FORMAT}|{code_version()}|{name}".encode())
    for item in inputs:
        digest.update(root.relative(item).encode())
        digest.update(item.read_bytes() if item.is_file() else b"-")
    key = digest.hexdigest()
    if held is not None and held[1] == key:
        return held[2], list(held[3])
    stored = read_pickle(path)
    if isinstance(stored, dict) and stored.get("key") == key:
        value, problems = stored["value"], list(stored["problems"])
    else:
        value, problems = check()
        write_pickle(path, {"key": key, "value": value, "problems": problems})
    _CHECKED.pop(path, None)  # the newest last: the oldest go first
    while len(_CHECKED) >= 16:  # a test process checks hundreds of data roots
        del _CHECKED[next(iter(_CHECKED))]
    settled = time.time_ns() - SETTLED_NS
    _CHECKED[path] = (stamps if all(s is None or s[1] < settled for s in stamps) else None), key, value, tuple(problems)
    return value, problems


def schema_files(root: DataRoot) -> list[Path]:
    """The data root's own schemas: the checks use them in place of cqdt's copies."""
    return sorted(root.schema_dir.glob("*.json")) if root.schema_dir.is_dir() else []
