"""A year's cycle file: criteria set, Điều 5 deadlines, state, publication."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.model import Cycle, Publication
from ..core.problems import InputError, Problem
from .documents import try_read
from .paths import DataRoot
from .schemas import static_schema_path, static_validator


def _publication(entry: dict) -> Publication:
    return Publication(entry["decision"], date.fromisoformat(entry["date"]))


def cycle_files(root: DataRoot, year: int) -> list[Path]:
    """Every file the check of a year's cycle reads (the criteria sets it may name must exist)."""
    return [root.cycle_path(year), *sorted(root.criteria_dir.glob("*/set.yaml")), static_schema_path(root, "cycle")]


def check_cycle(root: DataRoot, year: int) -> tuple[Cycle | None, list[Problem]]:
    """Read and check submissions/<year>/cycle.yaml."""
    path = root.cycle_path(year)
    display = root.relative(path)
    if not path.is_file():
        return None, [Problem(display, 1, 1, f"chưa có chu kỳ đánh giá năm {year} (thiếu tệp {display})")]
    doc, problems = try_read(path, display, static_validator(root, "cycle"))
    if doc is None or problems:
        return None, problems
    data = doc.data
    if data["year"] != year:
        doc.add(("year",), f"năm {data['year']} khác với thư mục submissions/{year}")
    if not (root.criteria_set_dir(data["criteria"]) / "set.yaml").is_file():
        doc.add(("criteria",), f"không có bộ tiêu chí '{data['criteria']}' trong thư mục criteria/")
    if data["state"] == "published" and "publication" not in data:
        doc.add(("state",), "năm đã công bố (state: published) phải ghi quyết định công bố (publication)")
    if doc.problems:
        return None, doc.problems
    return Cycle(
        year=data["year"],
        criteria_set=data["criteria"],
        demo=data.get("demo", False),
        deadlines={tier: date.fromisoformat(d) for tier, d in data["deadlines"].items()},
        verification_working_days=data["verification_working_days"],
        holidays=tuple(sorted(date.fromisoformat(d) for d in data.get("holidays", []))),
        state=data["state"],
        publication=_publication(data["publication"]) if "publication" in data else None,
        amendments=tuple(_publication(a) for a in data.get("amendments", [])),
    ), []


def load_cycle(root: DataRoot, year: int) -> Cycle:
    cycle, problems = check_cycle(root, year)
    if cycle is None:
        raise InputError(problems)
    return cycle
