"""A year's cycle file: criteria set, Điều 5 deadlines, state, publication."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.model import Amendment, Cycle, Publication, UnitDecision
from ..core.problems import InputError, Problem
from .documents import Document, try_read
from .paths import DataRoot
from .schemas import static_validator
from .yaml import ADMIN


def _publication(entry: dict) -> Publication:
    return Publication(entry["decision"], date.fromisoformat(entry["date"]))


def _amendment(entry: dict) -> Amendment:
    return Amendment(entry["decision"], date.fromisoformat(entry["date"]), tuple(entry["units"]), entry["reason"])


def cycle_files(root: DataRoot, year: int) -> list[Path]:
    """Every file the check of a year's cycle reads: the criteria sets it may name (their tiers)
    and the registry (the units its decisions and amendments name)."""
    from .registry import registry_files

    return [root.cycle_path(year), *sorted(root.criteria_dir.glob("*/set.yaml")), *registry_files(root)]


def check_cycle(root: DataRoot, year: int) -> tuple[Cycle | None, list[Problem]]:
    """Read and check submissions/<year>/cycle.yaml."""
    path = root.cycle_path(year)
    display = root.relative(path)
    if not path.is_file():
        return None, [Problem(display, 1, 1, f"chưa có chu kỳ đánh giá năm {year} (thiếu tệp {display})")]
    doc, problems = try_read(path, display, static_validator("cycle"))
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
    _check_units(root, doc)
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
        amendments=tuple(_amendment(a) for a in data.get("amendments", [])),
        unit_decisions=tuple(UnitDecision(d["unit"], d["action"], d["reason"], d["decision"])
                             for d in data.get("unit_decisions", [])),
        relative_best=data.get("relative_best", "verified"),
    ), []


def _check_units(root: DataRoot, doc: Document) -> None:
    """Unit decisions and amendments name units of the registry, each unit decided once;
    amendments come after the publication they amend."""
    from .registry import check_registry

    data = doc.data
    registry, _ = check_registry(root)
    known = registry.by_id if registry is not None else None  # a broken registry is reported on its own
    seen: dict[str, int] = {}
    for index, entry in enumerate(data.get("unit_decisions", [])):
        unit_id = entry["unit"]
        if known is not None and unit_id not in known:
            doc.add(("unit_decisions", index, "unit"), f"không có đơn vị '{unit_id}' trong danh sách đơn vị (units/)")
        if unit_id in seen:
            doc.add(("unit_decisions", index, "unit"), f"đơn vị '{unit_id}' đã có quyết định ở mục {seen[unit_id] + 1}; mỗi đơn vị chỉ ghi một quyết định")
        seen.setdefault(unit_id, index)
    published = data.get("publication")
    for index, entry in enumerate(data.get("amendments", [])):
        if published is None:
            doc.add(("amendments", index), "năm chưa công bố kết quả (chưa có publication) thì chưa có quyết định sửa đổi")
        elif entry["date"] < published["date"]:
            doc.add(("amendments", index, "date"), f"quyết định sửa đổi {entry['decision']} có ngày trước quyết định công bố {published['decision']}")
        for place, unit_id in enumerate(entry["units"]):
            if known is not None and unit_id not in known:
                doc.add(("amendments", index, "units", place), f"không có đơn vị '{unit_id}' trong danh sách đơn vị (units/)")


def _set_tiers(root: DataRoot, set_path: Path) -> list[str]:
    """The tiers a criteria set names (its own check reports a set.yaml that cannot be read)."""
    doc, problems = try_read(set_path, root.relative(set_path), None, limits=ADMIN)
    tiers = doc.data.get("tiers") if doc is not None and not problems and isinstance(doc.data, dict) else None
    return [t for t in tiers if isinstance(t, str)] if isinstance(tiers, list) else []


def load_cycle(root: DataRoot, year: int) -> Cycle:
    cycle, problems = check_cycle(root, year)
    if cycle is None:
        raise InputError(problems)
    return cycle
