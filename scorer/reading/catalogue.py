"""Criteria sets: read criteria/<set>/ and check that the set itself is sound."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..core.model import CriteriaSet, Criterion, Group, Level, Option, Range, Stage, TierCriteria
from ..core.plausible import QUANTITIES
from ..core.problems import InputError, Problem
from .documents import Document, try_read
from .paths import DataRoot
from .schemas import static_validator
from .yaml import ADMIN


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def criteria_set_files(root: DataRoot, set_id: str) -> list[Path]:
    """Every file of the data root the check of a criteria set reads (cqdt's own schemas are its code)."""
    return sorted(root.criteria_set_dir(set_id).glob("*.yaml"))


def load_criteria_set(root: DataRoot, set_id: str) -> CriteriaSet:
    """The criteria set, or InputError listing everything wrong with it."""
    criteria_set, problems = check_criteria_set(root, set_id)
    if problems or criteria_set is None:
        raise InputError(problems or [Problem(f"criteria/{set_id}/set.yaml", 1, 1, "không đọc được bộ tiêu chí")])
    return criteria_set


def check_criteria_set(root: DataRoot, set_id: str) -> tuple[CriteriaSet | None, list[Problem]]:
    """Read and check a criteria set. Returns the set (None if unusable) and problems."""
    folder = root.criteria_set_dir(set_id)
    set_path = folder / "set.yaml"
    display = root.relative(set_path)
    if not set_path.is_file():
        return None, [Problem(display, 1, 1, f"không có bộ tiêu chí '{set_id}' (thiếu tệp {display})")]
    doc, problems = try_read(set_path, display, static_validator("criteria-set"), limits=ADMIN)
    if doc is None or problems:
        return None, problems
    head = doc.data
    if head["id"] != set_id:
        doc.add(("id",), f"mã bộ tiêu chí '{head['id']}' phải trùng tên thư mục '{set_id}'")
    levels = tuple(Level(lv["id"], lv["name"]) for lv in head["levels"])
    if [lv.id for lv in levels] != list(range(1, len(levels) + 1)):
        doc.add(("levels",), "các mức phải đánh số 1, 2, 3, ... theo thứ tự từ cao xuống thấp")
    stages = read_stages(head)
    _check_stages(doc, stages, head["tiers"])
    decimals = head["decimals"]
    tiers: dict[str, TierCriteria] = {}
    all_problems = list(doc.problems)
    for tier in head["tiers"]:
        tier_criteria, tier_problems = _check_tier(root, set_id, tier, levels, decimals)
        all_problems.extend(tier_problems)
        if tier_criteria is not None:
            tiers[tier] = tier_criteria
    if all_problems:
        return None, sorted(all_problems)
    return CriteriaSet(
        id=head["id"],
        title=head["title"],
        decision=head["decision"],
        issued=date.fromisoformat(head["issued"]),
        issuer=head["issuer"],
        status=head["status"],
        status_note=head["status_note"],
        decimals=decimals,
        levels=levels,
        unranked_name=head["unranked_name"],
        tiers=tiers,
        stages=stages,
    ), []


def read_stages(head: dict) -> tuple[Stage, ...]:
    """The verification stages of a set.yaml already checked against its schema, in order."""
    return tuple(Stage(s["id"], s["name"], s["reviewers"], tuple(s["tiers"]), s["due"]) for s in head["stages"])


def _check_stages(doc: Document, stages: tuple[Stage, ...], tiers: list[str]) -> None:
    """Stage ids unique; each stage verifies and is due by tiers of this set; every tier verified."""
    _check_unique(doc, [((index,), stage.id) for index, stage in enumerate(stages)], "bước thẩm định", ("stages",))
    for index, stage in enumerate(stages):
        for other in (t for t in stage.tiers if t not in tiers):
            doc.add(("stages", index, "tiers"), f"bước thẩm định '{stage.id}' ghi cấp '{other}', nhưng bộ tiêu chí không có cấp này (tiers: {', '.join(tiers)})")
        if stage.due != "verification" and stage.due not in tiers:
            doc.add(("stages", index, "due"), f"bước thẩm định '{stage.id}' có hạn theo hạn nộp của cấp '{stage.due}', nhưng bộ tiêu chí không có cấp này")
    for tier in tiers:
        if not any(tier in stage.tiers for stage in stages):
            doc.add(("stages",), f"cấp '{tier}' không có bước thẩm định nào; hãy ghi cấp này vào 'tiers' của ít nhất một bước")


def _check_tier(
    root: DataRoot, set_id: str, tier: str, levels: tuple[Level, ...], decimals: int
) -> tuple[TierCriteria | None, list[Problem]]:
    path = root.criteria_set_dir(set_id) / f"{tier}.yaml"
    display = root.relative(path)
    if not path.is_file():
        return None, [Problem(display, 1, 1, f"thiếu tệp tiêu chí của cấp '{tier}' ({display})")]
    doc, problems = try_read(path, display, static_validator("criteria-tier"), limits=ADMIN)
    if doc is None or problems:
        return None, problems
    data = doc.data
    if data["tier"] != tier:
        doc.add(("tier",), f"tệp {path.name} phải khai báo tier: {tier}")
    groups = tuple(_check_group(doc, gi, g, levels, decimals) for gi, g in enumerate(data["groups"]))
    _check_unique(doc, [((gi,), g["id"]) for gi, g in enumerate(data["groups"])], "nhóm", ("groups",))
    seen = [((gi, "criteria", ci), c["id"]) for gi, g in enumerate(data["groups"]) for ci, c in enumerate(g["criteria"])]
    _check_unique(doc, seen, "tiêu chí", ("groups",))
    if doc.problems:
        return None, doc.problems
    return TierCriteria(tier, data["name"], data["appendix"], data["description"], groups), []


def _check_unique(doc: Document, items: list[tuple[tuple, Any]], what: str, prefix: tuple) -> None:
    first: dict[Any, tuple] = {}
    for where, ident in items:
        if ident in first:
            line, _ = doc.positions.locate((*prefix, *first[ident], "id"))
            doc.add((*prefix, *where, "id"), f"mã {what} '{ident}' bị trùng (đã dùng ở dòng {line})")
        else:
            first[ident] = where


def _check_group(doc: Document, gi: int, g: dict, levels: tuple[Level, ...], decimals: int) -> Group:
    at = ("groups", gi)
    group_max = _d(g["max"])
    minimums = {int(k): _d(v) for k, v in g["minimums"].items()}
    level_ids = [lv.id for lv in levels]
    missing = [lv for lv in level_ids if lv not in minimums]
    if missing or set(minimums) - set(level_ids):
        doc.add((*at, "minimums"), f"nhóm {g['id']}: phải có điểm tối thiểu cho đúng các mức {', '.join(map(str, level_ids))}")
    for level_id, minimum in minimums.items():
        if minimum > group_max:
            doc.add((*at, "minimums", str(level_id)), f"nhóm {g['id']}: điểm tối thiểu mức {level_id} ({minimum}) lớn hơn điểm tối đa của nhóm ({group_max})")
    ordered = [minimums[lv] for lv in level_ids if lv in minimums]
    if any(a < b for a, b in pairwise(ordered)):
        doc.add((*at, "minimums"), f"nhóm {g['id']}: điểm tối thiểu phải giảm dần (hoặc bằng) từ mức cao xuống mức thấp")
    criteria = tuple(_check_criterion(doc, (*at, "criteria", ci), g, c, decimals) for ci, c in enumerate(g["criteria"]))
    total = sum((c.max for c in criteria), Decimal(0))
    if total != group_max:
        doc.add((*at, "max"), f"nhóm {g['id']} ({g['name']}): tổng điểm tối đa của các tiêu chí là {total}, khác điểm tối đa của nhóm là {group_max}")
    return Group(g["id"], g["code"], g["name"], g["part"], group_max, minimums, criteria)


def _check_criterion(doc: Document, at: tuple, g: dict, c: dict, decimals: int) -> Criterion:
    cid = c["id"]
    maximum = _d(c["max"])
    if not cid.startswith(g["code"]):
        doc.add((*at, "id"), f"mã tiêu chí '{cid}' phải bắt đầu bằng mã nhóm '{g['code']}'")
    numbers = [("max", maximum)] + [(f"options[{i}].points", _d(o["points"])) for i, o in enumerate(c.get("options", []))]
    for name, value in numbers:
        if _places(value) > decimals:
            doc.add((*at, "max"), f"tiêu chí {cid}: '{name}' có quá {decimals} chữ số thập phân")
    options = tuple(Option(o["id"], o["label"], _d(o["points"])) for o in c.get("options", []))
    if c["kind"] == "choice":
        ids = [o.id for o in options]
        if len(set(ids)) != len(ids):
            doc.add((*at, "options"), f"tiêu chí {cid}: mã lựa chọn bị trùng")
        if any(o.points > maximum for o in options):
            doc.add((*at, "options"), f"tiêu chí {cid}: có lựa chọn được nhiều điểm hơn điểm tối đa ({maximum})")
        elif max(o.points for o in options) != maximum:
            doc.add((*at, "options"), f"tiêu chí {cid}: lựa chọn tốt nhất phải được đúng điểm tối đa ({maximum})")
    per_item = _d(c.get("per_item", 0))
    if c["kind"] == "count" and per_item > maximum:
        doc.add((*at, "per_item"), f"tiêu chí {cid}: điểm mỗi mục ({per_item}) lớn hơn điểm tối đa ({maximum})")
    plausible = _plausible(doc, at, cid, c["kind"], c.get("plausible") or {})
    return Criterion(
        id=cid,
        group_id=g["id"],
        title=c["title"],
        kind=c["kind"],
        max=maximum,
        how=c["how"],
        evidence_hint=c.get("evidence_hint", ""),
        numerator=c.get("numerator", ""),
        denominator=c.get("denominator", ""),
        full_at=_d(c.get("full_at", 1)),
        per_item=per_item,
        counted=c.get("counted", ""),
        options=options,
        quantity=c.get("quantity", ""),
        quantity_unit=c.get("quantity_unit", ""),
        plausible=plausible,
        outside=(c.get("plausible") or {}).get("outside", ""),
    )


def _plausible(doc: Document, at: tuple, cid: str, kind: str, declared: dict) -> tuple[Range, ...]:
    """The criterion's plausible ranges, each checked: a quantity its kind has, min ≤ max."""
    ranges = []
    allowed = QUANTITIES.get(kind, ())
    for quantity, bounds in declared.items():
        if quantity == "outside":
            continue
        if quantity not in allowed:
            doc.add((*at, "plausible", quantity), f"tiêu chí {cid} (loại {kind}) không có số liệu '{quantity}'; "
                    f"khoảng hợp lý chỉ khai báo cho: {', '.join(allowed)}")
            continue
        low = _d(bounds["min"]) if "min" in bounds else None
        high = _d(bounds["max"]) if "max" in bounds else None
        if low is not None and high is not None and low > high:
            doc.add((*at, "plausible", quantity), f"tiêu chí {cid}: khoảng hợp lý của '{quantity}' có min ({low}) lớn hơn max ({high})")
        ranges.append(Range(quantity, low, high))
    return tuple(ranges)
