"""A year's cycle file: criteria set, Điều 5 deadlines, state, publication."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.model import Cycle, Publication
from ..core.problems import InputError, Problem
from .documents import try_read
from .paths import DataRoot
from .schemas import static_validator
from .yaml import MAX_ADMIN_BYTES


def _publication(entry: dict) -> Publication:
    return Publication(entry["decision"], date.fromisoformat(entry["date"]))


def check_cycle(root: DataRoot, year: int) -> tuple[Cycle | None, list[Problem]]:
    """Read and check submissions/<year>/cycle.yaml (reused from the cache while it, the
    criteria sets it may name and the schemas stay the same: a warm run then needs neither the
    YAML parser's round trip nor jsonschema)."""
    from ..shell.cache import cached_check, schema_files

    inputs = [root.cycle_path(year), *sorted(root.criteria_dir.glob("*/set.yaml")), *schema_files(root)]
    return cached_check(root, f"cycle-{year}", inputs, lambda: _check_cycle(root, year))


def _check_cycle(root: DataRoot, year: int) -> tuple[Cycle | None, list[Problem]]:
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
    set_path = root.criteria_set_dir(data["criteria"]) / "set.yaml"
    if not set_path.is_file():
        doc.add(("criteria",), f"không có bộ tiêu chí '{data['criteria']}' trong thư mục criteria/")
    else:
        for tier in _set_tiers(root, set_path):
            if tier not in data["deadlines"]:
                doc.add(("deadlines",), f"thiếu hạn nộp của cấp '{tier}' (bộ tiêu chí {data['criteria']} có cấp này)")
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


def _set_tiers(root: DataRoot, set_path: Path) -> list[str]:
    """The tiers a criteria set names (its own check reports a set.yaml that cannot be read)."""
    doc, problems = try_read(set_path, root.relative(set_path), None, max_bytes=MAX_ADMIN_BYTES)
    tiers = doc.data.get("tiers") if doc is not None and not problems and isinstance(doc.data, dict) else None
    return [t for t in tiers if isinstance(t, str)] if isinstance(tiers, list) else []


def load_cycle(root: DataRoot, year: int) -> Cycle:
    cycle, problems = check_cycle(root, year)
    if cycle is None:
        raise InputError(problems)
    return cycle
