"""A year's inputs, read and checked together: the one place that reads a year.

Unchanged files come from the content cache; the rest are checked in
parallel over the machine's cores when there are many of them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.model import CriteriaSet, Cycle, Registry, ReviewRecord, Submission
from ..core.problems import InputError, Problem
from ..reading.catalogue import check_criteria_set
from ..reading.cycle import check_cycle
from ..reading.paths import DataRoot
from ..reading.registry import check_registry
from ..reading.submissions import (
    YearContext,
    evidence_problem,
    read_review,
    read_submission,
    sha256_hex,
    year_file_names,
)
from .cache import CheckedFile, FileCache, Indexed, checked_file, context_key, stamp

PARALLEL_FROM = 64  # fewer misses than this are checked in-process: a pool costs more


@dataclass
class YearInputs:
    """Everything needed to score a year, and every problem found reading it."""

    root: DataRoot
    year: int
    registry: Registry | None
    cycle: Cycle | None
    criteria_set: CriteriaSet | None
    submissions: Mapping[str, Submission] = field(default_factory=dict)
    reviews: Mapping[str, ReviewRecord] = field(default_factory=dict)
    shas: dict[str, str] = field(default_factory=dict)  # content hash of each valid file, by path
    context: str = ""  # cache.context_key of the year: what every file's check depends on
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_from_cache: int = 0


Checked = tuple[Submission | ReviewRecord | None, list[Problem]]
_WORKER_CTX: YearContext | None = None


def check_file(ctx: YearContext, path: Path) -> Checked:
    """Check one submission or review file of the year."""
    reader = read_review if path.name.endswith(".review.yaml") else read_submission
    return reader(ctx, path)


def _check_pickled(ctx: YearContext, path: Path) -> CheckedFile:
    # Workers send the item pickled once: the parent stores those bytes and unpickles only what it uses.
    return checked_file(*check_file(ctx, path))


def _worker_check(path: Path) -> tuple[Path, CheckedFile]:
    assert _WORKER_CTX is not None
    return path, _check_pickled(_WORKER_CTX, path)


def _check_many(ctx: YearContext, paths: list[Path], jobs: int) -> dict[Path, CheckedFile]:
    if jobs <= 1 or len(paths) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return {path: _check_pickled(ctx, path) for path in paths}
    from concurrent.futures import ProcessPoolExecutor  # 4 ms to import: only for many files

    global _WORKER_CTX
    _WORKER_CTX = ctx  # inherited by the forked workers: nothing to pickle on the way in
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return dict(pool.map(_worker_check, paths, chunksize=max(1, len(paths) // (jobs * 8))))
    finally:
        _WORKER_CTX = None


def _evidence_still_there(root: DataRoot, entry: Indexed) -> bool:
    """Repository paths used as evidence may have been deleted since the file was cached."""
    return not any(evidence_problem(root, e) for e in entry.local_evidence)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LazyItems(Mapping):
    """Unit id → Submission (or ReviewRecord), read from the cache's pack only when asked for.

    Scoring again after a small change needs only the changed files' content; the
    rest are looked up here when (and if) something asks for them.
    """

    def __init__(self, displays: dict[str, str], load: Callable[[str], Any]):
        self.displays = displays  # unit id → file, in file order
        self._load = load
        self._items: dict[str, Any] = {}

    def __getitem__(self, unit_id: str) -> Any:
        if unit_id not in self._items:
            self._items[unit_id] = self._load(self.displays[unit_id])
        return self._items[unit_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.displays)

    def __len__(self) -> int:
        return len(self.displays)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.displays


def read_year(root: DataRoot, year: int, registry: Registry | None = None, *,
              jobs: int | None = None, use_cache: bool = True) -> YearInputs:
    """Read a year's cycle, criteria set and every submission and review file."""
    problems: list[Problem] = []
    if registry is None:
        registry, found = check_registry(root)
        problems.extend(found)
    cycle, found = check_cycle(root, year)
    problems.extend(found)
    criteria_set = None
    if cycle is not None:
        criteria_set, found = check_criteria_set(root, cycle.criteria_set)
        problems.extend(found)
    inputs = YearInputs(root, year, registry, cycle, criteria_set, problems=problems)
    if registry is None or cycle is None or criteria_set is None:
        return inputs
    inputs.context = context_key(root, year, criteria_set.id)
    cache = FileCache(root, year, inputs.context, enabled=use_cache)
    folder, shown = str(root.year_dir(year)), root.relative(root.year_dir(year))
    # Plain strings: a year holds thousands of files, and Path objects cost more than the stat calls.
    files = {f"{shown}/{tier}/{name}": f"{folder}/{tier}/{name}" for tier, name in year_file_names(root, year)}
    misses = []
    known = cache.entries
    for display, path in files.items():
        file_stamp = stamp(path)
        entry = known.get(display)
        if entry is not None and entry.stamp == file_stamp:  # untouched since it was checked: most files
            if not entry.local_evidence or _evidence_still_there(root, entry):
                continue
            misses.append((display, entry.sha, file_stamp))
            continue
        sha = sha256_hex(Path(path).read_bytes())
        entry = cache.lookup(display, sha)
        if entry is not None and _evidence_still_there(root, entry):
            cache.touch(display, file_stamp)
        else:
            misses.append((display, sha, file_stamp))
    inputs.files_from_cache = len(files) - len(misses)
    ctx = YearContext(root, registry, cycle, criteria_set, bulk=len(misses) >= PARALLEL_FROM)
    checked = _check_many(ctx, [Path(files[display]) for display, _, _ in misses], jobs or default_jobs())
    for display, sha, file_stamp in misses:
        cache.put(display, sha, checked[Path(files[display])], file_stamp)
    cache.keep_only(set(files))

    def load(display: str) -> Any:
        item = cache.item(display)
        if item is None:  # the pack lost it: check the file again
            item = check_file(ctx, Path(files[display]))[0]
        return item

    submissions: dict[str, str] = {}
    reviews: dict[str, str] = {}
    for display in files:
        inputs.files_checked += 1
        entry = cache.entries[display]
        inputs.problems.extend(entry.problems)
        if entry.unit_id is not None:
            (reviews if display.endswith(".review.yaml") else submissions)[entry.unit_id] = display
            inputs.shas[display] = entry.sha
    cache.save()
    inputs.submissions = LazyItems(submissions, load)
    inputs.reviews = LazyItems(reviews, load)
    for unit_id, display in sorted(reviews.items()):
        if unit_id not in submissions and not any(p.path == _sibling(display) for p in inputs.problems):
            inputs.problems.append(Problem(display, 1, 1, f"có hồ sơ thẩm định nhưng đơn vị '{unit_id}' chưa có bài nộp"))
    inputs.problems.sort()
    return inputs


def _sibling(review_path: str) -> str:
    return review_path.removesuffix(".review.yaml") + ".yaml"


def require_valid(inputs: YearInputs) -> YearInputs:
    """The inputs, or InputError with every problem found."""
    if inputs.problems or inputs.registry is None or inputs.cycle is None or inputs.criteria_set is None:
        raise InputError(inputs.problems)
    return inputs
