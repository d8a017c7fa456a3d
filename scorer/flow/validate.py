"""Check a data root, or chosen files in it: every file reported, none skipped."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core.dates import province_today
from ..core.problems import Problem
from ..reading.paths import CRITERIA_RE, CYCLE_RE, LEDGER_RE, SUBMISSION_RE, UNITS_RE, DataRoot
from ..reading.registry import stage_problems
from ..reading.schemas import stale_schemas
from ..reading.submissions import YearContext, future_review_problems, read_review, read_submission
from ..shell.memo import Memo
from ..shell.year import checked_criteria_set, checked_cycle, checked_registry, read_year
from .publish import frozen_problems
from .receipts import ledger_path, ledger_problems
from .record import record_problems


@dataclass
class Report:
    """What was checked and what was wrong (each file and problem once, in linear time)."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _seen: set[str | Problem] = field(default_factory=set, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_files(self) -> list[str]:
        return sorted({p.path for p in self.problems})

    def add(self, files: list[str], problems: list[Problem]) -> None:
        self.files.extend(self._new(files))
        self.problems.extend(self._new(problems))

    def _new(self, items: list) -> list:
        fresh = [item for item in dict.fromkeys(items) if item not in self._seen]
        self._seen.update(fresh)
        return fresh

    def finish(self) -> Report:
        self.files.sort()
        self.problems.sort()
        return self


def _yaml_files(folder: Path, root: DataRoot) -> list[str]:
    return sorted(root.relative(p) for p in folder.glob("*.yaml")) if folder.is_dir() else []


def validate_all(root: DataRoot) -> Report:
    """Every criteria set, the registry, and every year's files (each check taken from the memo
    when it holds the check of the same files)."""
    report = Report()
    memo = Memo()
    sets = []
    for set_id in root.criteria_set_ids():
        criteria_set, problems, _ = checked_criteria_set(memo, root, set_id)
        report.add(_yaml_files(root.criteria_set_dir(set_id), root), problems)
        if criteria_set is not None:
            sets.append(criteria_set)
    for name in stale_schemas(root, sets):
        report.add([], [Problem(f"schema/{name}", 1, 1, "bản lược đồ trong thư mục schema/ đã cũ hoặc bị thiếu (khác lược đồ của cqdt hoặc lược đồ sinh từ bộ tiêu chí); hãy chạy: cqdt schemas")])
    registry, problems, _ = checked_registry(memo, root)
    report.add(_yaml_files(root.units_dir, root), problems)
    today = province_today()
    for year in root.years():
        inputs = read_year(root, year, memo=memo) if registry is not None else None
        files = [root.relative(root.cycle_path(year))]
        files += sorted(root.relative(p) for p in root.year_dir(year).glob("*/*.yaml"))
        cycle, cycle_problems, _ = checked_cycle(memo, root, year)
        report.add(files, inputs.problems if inputs else cycle_problems)
        report.add([], frozen_problems(root, year, cycle))
        report.add([], record_problems(root, year, cycle, memo))
        if ledger_path(root, year).is_file():
            report.add([root.relative(ledger_path(root, year))], ledger_problems(root, year))
        if inputs is not None and inputs.registry is not None and inputs.cycle is not None and inputs.criteria_set is not None:
            ctx = YearContext(root, inputs.registry, inputs.cycle, inputs.criteria_set, today=today)
            report.add([], future_review_problems(ctx, inputs.reviews.values()))
            report.add([], stage_problems(root, inputs.registry, inputs.criteria_set))
    stray = _stray_files(root)
    report.add(sorted(stray), [Problem(display, 1, 1, message) for display, message in sorted(stray.items())])
    memo.commit()
    return report.finish()


def _published_years_using(memo: Memo, root: DataRoot, displays: list[str]) -> list[int]:
    """Published years whose record a change to these criteria, registry or cycle files may break."""
    sets = {match["set"] for d in displays if (match := CRITERIA_RE.match(d)) is not None}
    registry = any(UNITS_RE.match(d) for d in displays)
    cycles = {int(match["year"]) for d in displays if (match := CYCLE_RE.match(d)) is not None}
    years = []
    for year in root.years():
        cycle, _, _ = checked_cycle(memo, root, year)
        if cycle is not None and cycle.state == "published" and (
                registry or year in cycles or cycle.criteria_set in sets):
            years.append(year)
    return years


NOT_DATA = "không phải tệp dữ liệu của cqdt (bài nộp phải ở submissions/<năm>/<cấp>/<mã đơn vị>.yaml, bằng chữ số và chữ thường không dấu)"


def _stray_files(root: DataRoot) -> dict[str, str]:
    """YAML files under submissions/ that no year reads: outside the path grammar (a folder
    named ２０２５, say), or in a year that has no cycle file. Said, never skipped."""
    if not root.submissions_dir.is_dir():
        return {}
    years = {str(year) for year in root.years()}
    stray = {}
    for folder, _, names in os.walk(root.submissions_dir):
        for name in names:
            if not name.endswith(".yaml"):
                continue
            display = root.relative(Path(folder) / name)
            match = SUBMISSION_RE.match(display) or CYCLE_RE.match(display)
            if match is None:
                stray[display] = NOT_DATA
            elif match["year"] not in years:
                stray[display] = f"năm {match['year']} chưa có chu kỳ đánh giá (thiếu submissions/{match['year']}/cycle.yaml)"
    return stray


def validate_paths(root: DataRoot, paths: list[Path]) -> Report:
    """Only the named files, each checked with the context it needs."""
    report = Report()
    memo = Memo()
    registry = None
    registry_problems: list[Problem] | None = None
    for path in paths:
        display = root.relative(path)
        if not path.is_file():
            report.add([display], [Problem(display, 1, 1, "không có tệp này")])
            continue
        if (match := CRITERIA_RE.match(display)) is not None:
            report.add([display], checked_criteria_set(memo, root, match["set"])[1])
            continue
        if registry_problems is None:
            registry, registry_problems, _ = checked_registry(memo, root)
        if UNITS_RE.match(display):
            report.add([display], registry_problems)
            continue
        if (match := LEDGER_RE.match(display)) is not None:
            report.add([display], ledger_problems(root, int(match["year"])))
            continue
        if (match := CYCLE_RE.match(display)) is not None:
            cycle, problems, _ = checked_cycle(memo, root, int(match["year"]))
            report.add([display], problems)
            report.add([], frozen_problems(root, int(match["year"]), cycle, {display}))
            continue
        if (match := SUBMISSION_RE.match(display)) is None:
            report.add([display], [Problem(display, 1, 1, NOT_DATA)])
            continue
        year = int(match["year"])
        report.add([display], _check_year_file(memo, root, path, year, registry, registry_problems))
        report.add([], frozen_problems(root, year, checked_cycle(memo, root, year)[0], {display}))
    for year in _published_years_using(memo, root, [root.relative(p) for p in paths if p.is_file()]):
        report.add([], record_problems(root, year, checked_cycle(memo, root, year)[0], memo))
    memo.commit()
    return report.finish()


def _check_year_file(memo: Memo, root: DataRoot, path: Path, year: int, registry, registry_problems) -> list[Problem]:
    if registry is None:
        return registry_problems
    cycle, problems, _ = checked_cycle(memo, root, year)
    if cycle is None:
        return problems
    criteria_set, problems, _ = checked_criteria_set(memo, root, cycle.criteria_set)
    if criteria_set is None:
        return problems
    ctx = YearContext(root, registry, cycle, criteria_set, today=province_today())
    reader = read_review if path.name.endswith(".review.yaml") else read_submission
    return reader(ctx, path)[1]
