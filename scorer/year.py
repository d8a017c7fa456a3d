"""A year's inputs, read and checked together: the one place that reads a year."""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import check_criteria_set
from .cycle import check_cycle
from .load import InputError, Problem
from .model import CriteriaSet, Cycle, Registry, ReviewRecord, Submission
from .paths import DataRoot
from .registry import check_registry
from .submissions import YearContext, read_review, read_submission, year_files


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


def read_year(root: DataRoot, year: int, registry: Registry | None = None) -> YearInputs:
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
    for path in year_files(root, year):
        inputs.files_checked += 1
        if path.name.endswith(".review.yaml"):
            record, found = read_review(ctx, path)
            if record is not None:
                inputs.reviews[record.unit_id] = record
        else:
            submission, found = read_submission(ctx, path)
            if submission is not None:
                inputs.submissions[submission.unit_id] = submission
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
