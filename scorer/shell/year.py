"""A year's inputs, read and checked together: the one place that reads a year.

Each check (the registry, the cycle, the criteria set, every submission and review file) is
taken from the memo when it holds the check of the same files; the others are done, over
the machine's cores when they are many, and put into it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..core.model import CriteriaSet, Cycle, Registry, ReviewRecord, Submission
from ..core.problems import InputError, Problem
from ..reading.catalogue import check_criteria_set, criteria_set_files
from ..reading.cycle import check_cycle, cycle_files
from ..reading.paths import DataRoot
from ..reading.registry import check_registry, registry_files
from ..reading.submissions import YearContext, read_review, read_submission, year_file_names
from .memo import Memo, dumps
from .parallel import fork_map

# Fewer files to check than this: checked in this process, without compiling schema checks.
BULK = 64


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
    context: str = ""  # digest of what every file's check depends on besides the file
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_from_cache: int = 0


class Checked(NamedTuple):
    """What the memo keeps of one file's check (its model is kept apart, under model_key)."""

    problems: tuple[Problem, ...]
    unit_id: str | None  # of a valid submission or review record
    probed: tuple[tuple[str, bool], ...]  # repository files looked for as evidence, and whether found


def memoized_check(memo: Memo, root: DataRoot, kind: str, files: list[Path],
                   check: Callable[[], tuple[Any, list[Problem]]]) -> tuple[Any, list[Problem], str]:
    """check(), or what the memo holds for the same `files` (all the check reads); and the key."""
    present = {root.relative(path): str(path) for path in files if path.is_file()}
    shas = memo.shas(present)
    key = memo.key(kind, *(f"{root.relative(path)}={shas.get(root.relative(path), '-')}" for path in files))
    found = memo.load(key)
    if isinstance(found, tuple) and len(found) == 2:
        return found[0], list(found[1]), key
    value, problems = check()
    memo.save(key, (value, tuple(problems)))
    return value, problems, key


def checked_registry(memo: Memo, root: DataRoot) -> tuple[Registry | None, list[Problem], str]:
    return memoized_check(memo, root, "registry", registry_files(root), lambda: check_registry(root))


def checked_criteria_set(memo: Memo, root: DataRoot, set_id: str) -> tuple[CriteriaSet | None, list[Problem], str]:
    return memoized_check(memo, root, f"criteria-set {set_id}", criteria_set_files(root, set_id),
                          lambda: check_criteria_set(root, set_id))


def checked_cycle(memo: Memo, root: DataRoot, year: int) -> tuple[Cycle | None, list[Problem], str]:
    return memoized_check(memo, root, f"cycle {year}", cycle_files(root, year), lambda: check_cycle(root, year))


def check_file(ctx: YearContext, path: Path) -> tuple[Submission | ReviewRecord | None, list[Problem]]:
    """Check one submission or review file of the year."""
    reader = read_review if path.name.endswith(".review.yaml") else read_submission
    return reader(ctx, path)


def _checked(ctx: YearContext, path: Path) -> tuple[Checked, bytes | None]:
    """A file's check as the memo keeps it, its model pickled."""
    ctx.probed = []
    try:
        item, problems = check_file(ctx, path)
        probed = tuple(ctx.probed)
    finally:
        ctx.probed = None
    unit_id = item.unit_id if item is not None else None
    return Checked(tuple(problems), unit_id, probed), None if item is None else dumps(item)


def _still_so(root: DataRoot, checked: Checked) -> bool:
    """Whether the evidence files the check looked for are still there, or still missing."""
    return all((root.root / name).is_file() == found for name, found in checked.probed)


class LazyItems(Mapping):
    """Unit id → Submission (or ReviewRecord), read from the memo only when asked for: scoring
    again after a small change needs only the changed files' content."""

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


def read_year(root: DataRoot, year: int, *, memo: Memo | None = None, jobs: int | None = None) -> YearInputs:
    """Read a year's cycle, criteria set and every submission and review file (`memo`: the
    store to use, by default the cache folder's)."""
    memo = memo or Memo()
    registry, problems, registry_key = checked_registry(memo, root)
    cycle, found, cycle_key = checked_cycle(memo, root, year)
    problems.extend(found)
    criteria_set = None
    if cycle is not None:
        criteria_set, found, criteria_key = checked_criteria_set(memo, root, cycle.criteria_set)
        problems.extend(found)
    inputs = YearInputs(root, year, registry, cycle, criteria_set, problems=problems)
    if registry is None or cycle is None or criteria_set is None:
        memo.commit()
        return inputs
    inputs.context = memo.key("year", str(year), registry_key, cycle_key, criteria_key)
    folder, shown = str(root.year_dir(year)), root.relative(root.year_dir(year))
    # Plain strings: a year holds thousands of files, and Path objects cost more than the stat calls.
    files = {f"{shown}/{tier}/{name}": f"{folder}/{tier}/{name}" for tier, name in year_file_names(root, year)}
    shas = memo.shas(files)
    keys = {display: memo.key("check", inputs.context, display, sha) for display, sha in shas.items()}
    known = {key: Checked._make(value) for key, value in memo.load_many(keys.values()).items()
             if isinstance(value, tuple) and len(value) == len(Checked._fields)}
    entries = {display: known.get(key) for display, key in keys.items()}
    misses = [display for display, entry in entries.items() if entry is None or not _still_so(root, entry)]
    inputs.files_from_cache = len(files) - len(misses)
    ctx = YearContext(root, registry, cycle, criteria_set, bulk=len(misses) >= BULK)
    if ctx.bulk:
        ctx.compile_checks({(name.split("/")[-2], "review" if name.endswith(".review.yaml") else "submission")
                            for name in misses})
    for display, (entry, model) in zip(misses, fork_map(lambda display: _checked(ctx, Path(files[display])),
                                                         misses, jobs, least=BULK), strict=True):
        entries[display] = entry
        memo.save(keys[display], tuple(entry))
        if model is not None:
            memo.put(keys[display] + " model", model)
    memo.commit()

    def load(display: str) -> Any:
        item = memo.load(keys[display] + " model")
        if item is None:  # the memo lost it: check the file again
            item = check_file(ctx, Path(files[display]))[0]
        return item

    submissions: dict[str, str] = {}
    reviews: dict[str, str] = {}
    for display, entry in entries.items():
        inputs.files_checked += 1
        inputs.problems.extend(entry.problems)
        if entry.unit_id is not None:
            (reviews if display.endswith(".review.yaml") else submissions)[entry.unit_id] = display
            inputs.shas[display] = shas[display]
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
