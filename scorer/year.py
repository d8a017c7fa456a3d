"""A year's inputs, read and checked together: the one place that reads a year.

Unchanged files come from the content cache; the rest are checked in
parallel over the machine's cores when there are many of them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cache import FileCache, context_key, stamp
from .catalogue import check_criteria_set
from .cycle import check_cycle
from .load import InputError, Problem
from .model import CriteriaSet, Cycle, Registry, ReviewRecord, Submission
from .paths import DataRoot
from .registry import check_registry
from .submissions import (
    YearContext,
    evidence_problem,
    read_review,
    read_submission,
    sha256_hex,
    year_files,
)

PARALLEL_FROM = 64  # fewer misses than this are checked in-process: a pool costs more


@dataclass
class YearInputs:
    """Everything needed to score a year, and every problem found reading it."""

    root: DataRoot
    year: int
    registry: Registry | None
    cycle: Cycle | None
    criteria_set: CriteriaSet | None
    submissions: dict[str, Submission] = field(default_factory=dict)
    reviews: dict[str, ReviewRecord] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_from_cache: int = 0


Checked = tuple[Submission | ReviewRecord | None, list[Problem]]
_WORKER_CTX: YearContext | None = None


def check_file(ctx: YearContext, path: Path) -> Checked:
    """Check one submission or review file of the year."""
    reader = read_review if path.name.endswith(".review.yaml") else read_submission
    return reader(ctx, path)


def _worker_check(path: Path) -> tuple[Path, Checked]:
    assert _WORKER_CTX is not None
    return path, check_file(_WORKER_CTX, path)


def _check_many(ctx: YearContext, paths: list[Path], jobs: int) -> dict[Path, Checked]:
    if jobs <= 1 or len(paths) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return {path: check_file(ctx, path) for path in paths}
    global _WORKER_CTX
    _WORKER_CTX = ctx  # inherited by the forked workers: nothing to pickle on the way in
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return dict(pool.map(_worker_check, paths, chunksize=max(1, len(paths) // (jobs * 8))))
    finally:
        _WORKER_CTX = None


def _evidence_still_there(root: DataRoot, item: Submission | ReviewRecord | None) -> bool:
    """Repository paths used as evidence may have been deleted since the file was cached."""
    if not isinstance(item, Submission):
        return True
    return not any(
        evidence_problem(root, e) for a in item.answers.values() for e in a.evidence if "://" not in e
    )


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


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
    ctx = YearContext(root, registry, cycle, criteria_set)
    cache = FileCache(root, year, context_key(root, year, criteria_set.id), enabled=use_cache)
    paths = year_files(root, year)
    displays = {path: root.relative(path) for path in paths}
    stamps = {path: stamp(path) for path in paths}
    shas = {path: cache.known_sha(displays[path], stamps[path]) or sha256_hex(path.read_bytes()) for path in paths}
    checked: dict[Path, Checked] = {}
    misses = []
    for path in paths:
        hit = cache.get(displays[path], shas[path])
        if hit is not None and _evidence_still_there(root, hit[0]):
            checked[path] = hit
            if cache.known_sha(displays[path], stamps[path]) is None:  # touched, not changed
                cache.put(displays[path], shas[path], *hit, stamps[path])
        else:
            misses.append(path)
    inputs.files_from_cache = len(checked)
    for path, result in _check_many(ctx, misses, jobs or default_jobs()).items():
        checked[path] = result
        cache.put(displays[path], shas[path], *result, stamps[path])
    cache.keep_only(set(displays.values()))
    cache.save()
    for path in paths:
        inputs.files_checked += 1
        item, found = checked[path]
        if isinstance(item, ReviewRecord):
            inputs.reviews[item.unit_id] = item
        elif isinstance(item, Submission):
            inputs.submissions[item.unit_id] = item
        inputs.problems.extend(found)
    for unit_id, record in sorted(inputs.reviews.items()):
        if unit_id not in inputs.submissions and not any(p.path == _sibling(record.path) for p in inputs.problems):
            inputs.problems.append(Problem(record.path, 1, 1, f"có hồ sơ thẩm định nhưng đơn vị '{unit_id}' chưa có bài nộp"))
    inputs.problems.sort()
    return inputs


def _sibling(review_path: str) -> str:
    return review_path.removesuffix(".review.yaml") + ".yaml"


def require_valid(inputs: YearInputs) -> YearInputs:
    """The inputs, or InputError with every problem found."""
    if inputs.problems or inputs.registry is None or inputs.cycle is None or inputs.criteria_set is None:
        raise InputError(inputs.problems)
    return inputs
