"""A cache of checked submissions and reviews, keyed by file content.

Unchanged files are neither parsed nor checked again. The cache lives outside
the repository (a pull request cannot plant one) and is plain JSON (loading it
runs no code). Any change to the criteria set, the registry, the cycle or to
cqdt itself changes the context key and empties it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .load import Problem
from .model import Answer, Review, ReviewRecord, Submission, VerifiedAnswer
from .paths import DataRoot, write_atomic

FORMAT = 1
CHECKING_MODULES = ("cache", "documents", "load", "messages", "model", "paths", "rules", "schemas", "submissions")


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
    return cache_dir() / where / f"year-{year}.json"


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value))


def _decode(obj: dict) -> Any:
    if "$d" in obj:
        return Decimal(obj["$d"])
    if "$date" in obj:
        return date.fromisoformat(obj["$date"])
    return obj


def _to_entry(item: Submission | ReviewRecord | None, problems: list[Problem]) -> dict:
    kind = "submission" if isinstance(item, Submission) else "review" if isinstance(item, ReviewRecord) else None
    return {"kind": kind, "item": asdict(item) if item is not None else None,
            "problems": [asdict(p) for p in problems]}


def _from_entry(entry: dict) -> tuple[Submission | ReviewRecord | None, list[Problem]]:
    problems = [Problem(**p) for p in entry["problems"]]
    data = entry["item"]
    if entry["kind"] == "submission":
        answers = {k: Answer(a["value"], tuple(a["evidence"]), a["note"]) for k, a in data["answers"].items()}
        return Submission(data["unit_id"], data["year"], data["path"], data["sha256"], answers), problems
    if entry["kind"] == "review":
        reviews = tuple(
            Review(r["stage"], r["reviewer"], r["date"], r["submission_sha256"],
                   {k: VerifiedAnswer(a["value"], a["reason"]) for k, a in r["answers"].items()}, r["note"])
            for r in data["reviews"])
        return ReviewRecord(data["unit_id"], data["year"], data["path"], reviews), problems
    return None, problems


class FileCache:
    """Checked results of a year's files, by path and content hash."""

    def __init__(self, root: DataRoot, year: int, context: str, enabled: bool = True):
        self.path = _cache_path(root, year)
        self.context = context
        self.enabled = enabled
        self.entries: dict[str, dict] = {}
        self.changed = False
        if enabled and self.path.is_file():
            try:
                stored = json.loads(self.path.read_text(encoding="utf-8"), object_hook=_decode)
            except (OSError, ValueError):
                stored = {}
            if stored.get("context") == context:
                self.entries = stored.get("files", {})

    def get(self, display: str, sha: str) -> tuple[Submission | ReviewRecord | None, list[Problem]] | None:
        entry = self.entries.get(display)
        if entry is None or entry["sha256"] != sha:
            return None
        return _from_entry(entry)

    def put(self, display: str, sha: str, item: Submission | ReviewRecord | None, problems: list[Problem]) -> None:
        self.entries[display] = {"sha256": sha, **_to_entry(item, problems)}
        self.changed = True

    def keep_only(self, displays: set[str]) -> None:
        for gone in set(self.entries) - displays:
            del self.entries[gone]
            self.changed = True

    def save(self) -> None:
        if not (self.enabled and self.changed):
            return
        text = json.dumps({"context": self.context, "files": self.entries}, default=_encode,
                          ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError):  # a read-only home must not break validation
            write_atomic(self.path, text)
