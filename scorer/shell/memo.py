"""The memo: the one store of what cqdt worked out, kept between runs.

Every entry is found by a key that is a digest of all it depends on: the kind of entry, its
inputs (file contents, settings), the whole installed cqdt package (code_version) and the
versions of every installed package. A change to any of them gives another key, so no entry
can serve what other inputs or other code computed, and deleting the store changes no output:
the work is only done again.

It is one SQLite file in the cache folder (never in the repository: a pull request cannot
plant one). Values are bytes; objects are pickled and read back by an unpickler that may
build only cqdt's model classes, Decimal and date, so reading an entry runs no other code.

It also knows files by their stamps (size, times, inode), as git's index does: a file whose
stamp is the one recorded with its SHA-256 is not read again. A stamp is recorded only when
the file was last changed well before the moment it was read (git's "racy" rule), so that a
change made within the clock's granularity of the reading cannot keep the same stamp.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core import model
from ..core.problems import Problem

# A file changed less than this long before it was read is hashed again next time (see above).
SETTLED_NS = 2_000_000_000
# Entries nobody read for this long are dropped when a run writes new ones; so are, at once,
# those of any other version of cqdt (or of the installed packages) unused for an hour.
KEEP_SECONDS = 30 * 86_400
OTHER_CODE_SECONDS = 3_600
# An entry read is noted as used again at most this often (noting it costs a write).
USED_SECONDS = 86_400
# What a run puts is written in batches of about this many bytes.
PENDING_BYTES = 64 << 20
# The layout of the store; a file of another layout is emptied.
FORMAT = 2
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS memo (key TEXT PRIMARY KEY, code TEXT NOT NULL, used INTEGER NOT NULL,"
    " value BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS memo_code_used ON memo (code, used)",
    # Each version of cqdt (its salt) that wrote entries, and when it last did.
    "CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, used INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS stamps (path TEXT PRIMARY KEY, stamp TEXT NOT NULL, sha TEXT NOT NULL)",
    # What the publisher wrote into each output folder: each file's key and its stamp as written.
    "CREATE TABLE IF NOT EXISTS published (output TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,"
    " stamp TEXT NOT NULL, PRIMARY KEY (output, path))",
)


def cache_dir() -> Path:
    """CQDT_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("CQDT_CACHE_DIR"):
        return Path(os.environ["CQDT_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cqdt"


def code_version() -> str:
    """A digest of every file of the installed cqdt package: its sources, not its version
    number (a development checkout changes without one)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def installed_packages() -> list[str]:
    """The name and version of every distribution installed where Python finds packages (their
    .dist-info folders): an upgrade of ruamel.yaml, jsonschema or Jinja changes every key."""
    found = []
    for folder in sys.path:
        if folder.endswith(("site-packages", "dist-packages")) and os.path.isdir(folder):
            found += [name for name in os.listdir(folder) if name.endswith(".dist-info")]
    return sorted(found)


def salt() -> str:
    """What every key includes: cqdt's code, the installed packages and Python itself."""
    parts = [code_version(), sys.version, *installed_packages()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def digest(*parts: str, start: Any = None) -> str:
    """A digest of strings, each kept apart from the next (by its length); `start`: a hash
    object holding what comes before them."""
    found = start.copy() if start is not None else hashlib.sha256()
    found.update("".join(f"{len(part)}:{part}" for part in parts).encode())
    return found.hexdigest()


# The only classes an entry may hold, by the names pickle gives them.
_ALLOWED = {
    ("decimal", "Decimal"): Decimal, ("datetime", "date"): date, ("scorer.core.problems", "Problem"): Problem,
    **{("scorer.core.model", name): getattr(model, name) for name in (
        "Answer", "Submission", "Review", "ReviewRecord", "VerifiedAnswer", "Registry", "Unit",
        "CriterionResult", "Shortfall", "Gap", "UnitResult", "CriteriaSet", "TierCriteria", "Group",
        "Criterion", "Option", "Range", "Level", "Stage", "Cycle", "Publication", "Amendment", "AmendmentChange",
        "UnitDecision")},
}


class _ModelUnpickler(pickle.Unpickler):
    """Builds only the classes an entry holds (Python docs, "Restricting Globals")."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cqdt memo")
        return found


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """An entry's object, or None when it cannot be read (the work is then done again)."""
    try:
        return _ModelUnpickler(io.BytesIO(data)).load()
    except (EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError, IndexError, KeyError):
        return None


def file_stamp(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:{info.st_dev}"


class Memo:
    """The store, opened. Keys are made by key(); values are bytes (get, put) or objects
    (load, save). What a run puts is written when it closes (or at commit())."""

    def __init__(self, path: Path | None = None, keep: bool = True) -> None:
        """`path`: the SQLite file (default: memo.sqlite3 in the cache folder). Without `keep`,
        or when it cannot be opened (a read-only home), entries are kept in memory for this
        run only: everything is worked out afresh."""
        self.path = path or cache_dir() / "memo.sqlite3"
        self.keep = keep
        self.salt = salt()
        self._salted = hashlib.sha256(self.salt.encode())
        self._db: sqlite3.Connection | None = None
        self._inherited: list[sqlite3.Connection] = []  # see _connect
        self._pid = 0
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0
        self._stamps: dict[str, tuple[str, str]] = {}
        self._refresh: set[str] = set()
        self.now = int(time.time())

    def _connect(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            if self._db is not None:
                # A forked process opens its own connection: SQLite's may not cross a fork, and
                # the parent's must not be closed here either (closing may end its WAL file).
                self._inherited.append(self._db)
            self._pid = os.getpid()
            try:
                if not self.keep:
                    raise OSError("kept in memory")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
                    for table in ("memo", "codes", "stamps", "published"):
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    # The space of entries dropped goes back to the system (see commit).
                    db.execute("PRAGMA auto_vacuum = INCREMENTAL")
                    db.execute("VACUUM")
                    db.execute(f"PRAGMA user_version = {FORMAT}")
                for statement in SCHEMA:
                    db.execute(statement)
            except (OSError, sqlite3.Error):
                db = sqlite3.connect(":memory:", isolation_level=None)
                for statement in SCHEMA:
                    db.execute(statement)
            self._db = db
        return self._db

    def key(self, kind: str, *parts: str) -> str:
        """The key of an entry of `kind` made from `parts` (digests, names, settings). An entry
        made from another's alone may be kept under that one's key with a suffix."""
        return digest(kind, *parts, start=self._salted)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The values held for these keys (missing keys are left out)."""
        wanted = [key for key in keys]
        found = {key: self._pending[key] for key in wanted if key in self._pending}
        asked = [key for key in wanted if key not in found]
        db = self._connect()
        for start in range(0, len(asked), 900):  # SQLite's limit of parameters per statement
            chunk = asked[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for key, used, value in db.execute(f"SELECT key, used, value FROM memo WHERE key IN ({marks})", chunk):
                found[key] = value
                if used < self.now - USED_SECONDS:
                    self._refresh.add(key)
        return found

    def get(self, key: str) -> bytes | None:
        if key in self._pending:
            return self._pending[key]
        row = self._connect().execute("SELECT used, value FROM memo WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row[0] < self.now - USED_SECONDS:
            self._refresh.add(key)
        return row[1]

    def put(self, key: str, value: bytes) -> None:
        self._pending[key] = value
        self._pending_bytes += len(value)
        if self._pending_bytes > PENDING_BYTES:
            self.commit()

    def load(self, key: str) -> Any:
        """The object held for `key`, or None."""
        data = self.get(key)
        return None if data is None else loads(data)

    def load_many(self, keys: Iterable[str]) -> dict[str, Any]:
        found = {key: loads(data) for key, data in self.get_many(keys).items()}
        return {key: value for key, value in found.items() if value is not None}

    def save(self, key: str, value: Any) -> None:
        self.put(key, dumps(value))

    def shas(self, paths: Mapping[str, str]) -> dict[str, str]:
        """The SHA-256 of each file (`paths`: name → path), read only for files whose stamp is
        not the one recorded with their digest."""
        stamps: dict[str, tuple[str, str]] = {}
        db = self._connect()
        names = list(paths.values())
        for start in range(0, len(names), 900):
            chunk = names[start:start + 900]
            marks = ",".join("?" * len(chunk))
            stamps.update((path, (stamp, sha)) for path, stamp, sha in
                          db.execute(f"SELECT path, stamp, sha FROM stamps WHERE path IN ({marks})", chunk))
        found = {}
        for name, path in paths.items():
            info = os.stat(path)
            stamp = file_stamp(info)
            known = stamps.get(path)
            if known is not None and known[0] == stamp:
                found[name] = known[1]
                continue
            now = time.time_ns()
            with open(path, "rb") as handle:  # in pieces: the file may be of any size
                sha = hashlib.file_digest(handle, "sha256").hexdigest()
            found[name] = sha
            if max(info.st_mtime_ns, info.st_ctime_ns) < now - SETTLED_NS:
                self._stamps[path] = (stamp, sha)
        return found

    def commit(self) -> None:
        """Write what this run put, and drop what is no longer used (see KEEP_SECONDS)."""
        if not (self._pending or self._stamps or self._refresh):
            return
        db = self._connect()
        code, now, gone = self.salt[:16], self.now, []
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO memo (key, code, used, value) VALUES (?, ?, ?, ?)",
                           ((key, code, now, value) for key, value in self._pending.items()))
            db.executemany("INSERT OR REPLACE INTO stamps (path, stamp, sha) VALUES (?, ?, ?)",
                           ((path, stamp, sha) for path, (stamp, sha) in self._stamps.items()))
            db.executemany("UPDATE memo SET used = ? WHERE key = ?", ((now, key) for key in self._refresh))
            if self._pending:
                db.execute("INSERT OR REPLACE INTO codes (code, used) VALUES (?, ?)", (code, now))
                gone = [other for (other,) in db.execute("SELECT code FROM codes WHERE code != ? AND used < ?",
                                                         (code, now - OTHER_CODE_SECONDS))]
                for other in gone:
                    db.execute("DELETE FROM memo WHERE code = ?", (other,))
                    db.execute("DELETE FROM codes WHERE code = ?", (other,))
                db.execute("DELETE FROM memo WHERE code = ? AND used < ?", (code, now - KEEP_SECONDS))
            db.execute("COMMIT")
            if gone:
                db.execute("PRAGMA incremental_vacuum")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            return  # an unwritable store is only a slower next run
        finally:
            self._pending.clear()
            self._pending_bytes = 0
            self._stamps.clear()
            self._refresh.clear()

    def published(self, output: str) -> dict[str, tuple[str, str]]:
        """Path → (key, stamp) of every file the publisher noted in the output folder `output`."""
        rows = self._connect().execute("SELECT path, key, stamp FROM published WHERE output = ?", (output,))
        return {path: (key, stamp) for path, key, stamp in rows}

    def note_published(self, output: str, written: Mapping[str, tuple[str, str]], removed: Iterable[str]) -> None:
        """Note the files written into `output` (path → (key, stamp)) and those removed."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM published WHERE output = ? AND path = ?", ((output, path) for path in removed))
            db.executemany("INSERT OR REPLACE INTO published (output, path, key, stamp) VALUES (?, ?, ?, ?)",
                           ((output, path, key, stamp) for path, (key, stamp) in written.items()))
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")

    def close(self) -> None:
        self.commit()
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None
