"""The units registry: units/<tier>.yaml and units/roles.yaml."""

from __future__ import annotations

from ..core.model import TIERS, Registry, Unit
from ..core.problems import InputError, Problem
from .documents import try_read
from .paths import DataRoot
from .schemas import static_validator
from .yaml import ADMIN


def check_registry(root: DataRoot) -> tuple[Registry | None, list[Problem]]:
    """Read and check every unit file and the roles file (reused from the cache when unchanged)."""
    from ..shell.cache import cached_check, schema_files

    inputs = [*sorted(root.units_dir.glob("*.yaml")), *schema_files(root)]
    return cached_check(root, "registry", inputs, lambda: _check_registry(root))


def _check_registry(root: DataRoot) -> tuple[Registry | None, list[Problem]]:
    problems: list[Problem] = []
    units: list[Unit] = []
    first_seen: dict[str, str] = {}
    for tier in TIERS:
        path = root.units_dir / f"{tier}.yaml"
        display = root.relative(path)
        if not path.is_file():
            problems.append(Problem(display, 1, 1, f"thiếu danh sách đơn vị của cấp '{tier}'"))
            continue
        doc, found = try_read(path, display, static_validator(root, "units"), limits=ADMIN)
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
            if tier == "xa" and not entry.get("district"):
                doc.add(("units", index), f"đơn vị cấp xã '{unit_id}' phải có trường 'district'")
            if tier != "xa" and entry.get("district"):
                doc.add(("units", index, "district"), "chỉ đơn vị cấp xã mới có trường 'district'")
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
    district_ids = {u.id for u in units if u.tier == "huyen"}
    for unit in units:
        if unit.district and unit.district not in district_ids:
            problems.append(Problem(first_seen[unit.id], 1, 1, f"đơn vị '{unit.id}': huyện '{unit.district}' không có trong units/huyen.yaml"))
    roles_path = root.units_dir / "roles.yaml"
    roles_doc, found = try_read(roles_path, root.relative(roles_path), static_validator(root, "roles"), limits=ADMIN)
    problems.extend(found)
    if problems or roles_doc is None:
        return None, sorted(problems)
    return Registry(
        units=tuple(units),
        admins=tuple(roles_doc.data["admins"]),
        province_reviewers=tuple(roles_doc.data["province_reviewers"]),
    ), []


def load_registry(root: DataRoot) -> Registry:
    """The registry, or InputError listing every problem."""
    registry, problems = check_registry(root)
    if registry is None:
        raise InputError(problems)
    return registry
