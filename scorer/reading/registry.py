"""The units registry: units/<tier>.yaml and units/roles.yaml."""

from __future__ import annotations

from pathlib import Path

from ..core.model import TIERS, CriteriaSet, Registry, Unit
from ..core.problems import InputError, Problem
from .documents import Document, try_read
from .paths import DataRoot
from .schemas import static_validator
from .yaml import ADMIN


def registry_files(root: DataRoot) -> list[Path]:
    """Every file of the data root the check of the registry reads (cqdt's own schemas are its code)."""
    return sorted(root.units_dir.glob("*.yaml"))


def check_registry(root: DataRoot) -> tuple[Registry | None, list[Problem]]:
    """Read and check every unit file and the roles file."""
    problems: list[Problem] = []
    units: list[Unit] = []
    first_seen: dict[str, str] = {}
    entries: dict[str, tuple[Document, int]] = {}  # where each unit is written, for messages
    paths = [root.units_dir / f"{tier}.yaml" for tier in TIERS]
    if not any(path.is_file() for path in paths):
        problems.append(Problem(root.relative(root.units_dir), 1, 1,
                                f"chưa có danh sách đơn vị nào (units/<cấp>.yaml, với cấp là {', '.join(TIERS)})"))
    for tier, path in zip(TIERS, paths, strict=True):
        display = root.relative(path)
        if not path.is_file():  # a province without this tier
            continue
        doc, found = try_read(path, display, static_validator("units"), limits=ADMIN)
        problems.extend(found)
        if doc is None or found:
            continue
        if doc.data["tier"] != tier:
            doc.add(("tier",), f"tệp {path.name} phải khai báo tier: {tier}")
        for index, entry in enumerate(doc.data["units"]):
            unit_id = entry["id"]
            if unit_id in first_seen:
                doc.add(("units", index, "id"), f"mã đơn vị '{unit_id}' bị trùng (đã có trong {first_seen[unit_id]})")
                continue
            first_seen[unit_id] = display
            entries[unit_id] = (doc, index)
            units.append(Unit(
                id=unit_id,
                name=entry["name"],
                tier=tier,
                kind=entry["kind"],
                code=entry.get("code"),
                short_name=entry.get("short_name"),
                district=entry.get("district"),
                owners=tuple(entry["owners"]),
                reviewers=tuple(entry["reviewers"]),
            ))
        problems.extend(doc.problems)
    problems.extend(_district_problems(units, entries))
    roles_path = root.units_dir / "roles.yaml"
    roles_doc, found = try_read(roles_path, root.relative(roles_path), static_validator("roles"), limits=ADMIN)
    problems.extend(found)
    if problems or roles_doc is None:
        return None, sorted(problems)
    return Registry(
        units=tuple(units),
        admins=tuple(roles_doc.data["admins"]),
        province_reviewers=tuple(roles_doc.data["province_reviewers"]),
    ), []


def _district_problems(units: list[Unit], entries: dict[str, tuple[Document, int]]) -> list[Problem]:
    """A unit's `district` names a unit of another tier that belongs to no district itself."""
    by_id = {u.id: u for u in units}
    problems = []
    for unit in units:
        if unit.district is None:
            continue
        district = by_id.get(unit.district)
        if district is None:
            why = f"huyện '{unit.district}' không có trong danh sách đơn vị (units/)"
        elif district.tier == unit.tier or district.district is not None:
            why = f"'{unit.district}' (cấp '{district.tier}') không thể là huyện quản lý đơn vị cấp '{unit.tier}'"
        else:
            continue
        doc, index = entries[unit.id]
        problems.append(doc.problem(("units", index, "district"), f"đơn vị '{unit.id}': {why}"))
    return problems


def stage_problems(root: DataRoot, registry: Registry, criteria_set: CriteriaSet) -> list[Problem]:
    """Units a stage of the criteria set could never verify: a stage held by district reviewers
    needs every unit of its tiers to name its district."""
    problems = []
    places: dict[str, UnitPlaces] = {}  # each tier's file read once: a two-level map misses every district
    for stage in criteria_set.stages:
        if stage.reviewers != "district_reviewers":
            continue
        for unit in registry.units:
            if unit.tier in stage.tiers and unit.district is None:
                if unit.tier not in places:
                    places[unit.tier] = UnitPlaces(root, unit.tier)
                problems.append(places[unit.tier].problem(unit.id, f"đơn vị '{unit.id}' thiếu trường 'district': bộ "
                                                                   f"tiêu chí {criteria_set.id} giao cho huyện thẩm định "
                                                                   f"cấp '{unit.tier}' (bước {stage.name})"))
    return problems


class UnitPlaces:
    """Where each unit's entry is in units/<tier>.yaml, read again (problems are rare), once."""

    def __init__(self, root: DataRoot, tier: str) -> None:
        path = root.units_dir / f"{tier}.yaml"
        self.display = root.relative(path)
        self.doc, _ = try_read(path, self.display, None, limits=ADMIN)
        units = self.doc.data.get("units") if self.doc is not None and isinstance(self.doc.data, dict) else None
        self.index = {entry["id"]: index for index, entry in reversed(list(enumerate(units if isinstance(units, list) else [])))
                      if isinstance(entry, dict) and isinstance(entry.get("id"), str)}

    def problem(self, unit_id: str, message: str) -> Problem:
        """A problem placed on the unit's entry (the file's first line if it is not found)."""
        if self.doc is None or unit_id not in self.index:
            return Problem(self.display, 1, 1, message)
        return self.doc.problem(("units", self.index[unit_id]), message)


def load_registry(root: DataRoot) -> Registry:
    """The registry, or InputError listing every problem."""
    registry, problems = check_registry(root)
    if registry is None:
        raise InputError(problems)
    return registry
