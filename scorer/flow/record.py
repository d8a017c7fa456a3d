"""The official record of a published year: submissions/<year>/results.json.

`cqdt publish` writes it; from then on the site and the exports of that year read it
(reading.record.read_record, called by shell.scoring.evaluate), and `cqdt validate` recomputes the year from
the repository and compares the two unit by unit, field by field (record_problems). Besides
the results, the record keeps what they were computed from, so that a difference can be
attributed: the SHA-256 of every submission and review file, of the criteria set's files and
of the registry's files, the cycle's settings as published, and the version of cqdt's code.
Each applied amendment keeps the units it names and their results before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core.evaluate import RULES_VERSION
from ..core.model import (
    Amendment,
    CriteriaSet,
    Cycle,
    Publication,
    Results,
    UnitResult,
)
from ..core.problems import InputError, Problem
from ..core.text import STATUS_LABELS, vn_number
from ..export.results import results_to_dict, unranked_line
from ..reading.paths import DataRoot
from ..reading.record import RECORD_FORMAT, load_record
from ..reading.submissions import sha256_hex, year_file_names

if TYPE_CHECKING:
    from ..shell.memo import Memo

# The fields of a unit's entry that say who the unit is (from the registry); the rest are its results.
IDENTITY = ("name", "tier", "district", "code")
SUMMARY = ("status", "level", "rank", "total", "groups")
FIELD_NAMES = {
    "name": "tên", "tier": "cấp", "district": "huyện", "code": "mã", "status": "trạng thái", "rank": "thứ hạng",
    "level": "mức", "level_name": "tên mức", "total": "tổng điểm", "groups": "điểm nhóm",
    "self_total": "tổng điểm tự đánh giá", "self_groups": "điểm nhóm tự đánh giá", "gap": "khoảng cách lên mức trên",
    "review_stages": "bước đã thẩm định", "needs_reverification": "cần thẩm định lại",
    "stale_reviews": "bước thẩm định đã cũ", "changed_since_review": "tiêu chí sửa sau thẩm định",
    "flags": "số liệu cần xem kỹ", "submission": "tệp bài nộp", "criteria": "tiêu chí",
}


def file_hashes(root: DataRoot, year: int) -> dict[str, str]:
    """SHA-256 of every submission and review file of a year, by path."""
    folder, shown = root.year_dir(year), root.relative(root.year_dir(year))
    return {f"{shown}/{tier}/{name}": sha256_hex((folder / tier / name).read_bytes())
            for tier, name in year_file_names(root, year)}


def input_hashes(root: DataRoot, criteria_set_id: str) -> dict[str, dict[str, str]]:
    """SHA-256 of the criteria set's files and of the registry's files, by path."""
    def hashes(paths) -> dict[str, str]:
        return {root.relative(p): sha256_hex(p.read_bytes()) for p in sorted(paths)}

    return {"criteria": hashes(root.criteria_set_dir(criteria_set_id).glob("*.yaml")),
            "registry": hashes(root.units_dir.glob("*.yaml"))}


def code_identity() -> dict[str, Any]:
    """cqdt's version, and the version of its scoring rules (evaluate.RULES_VERSION). Not a
    digest of the code: any edit would change every record, and a province reinstalls a
    version, not a digest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("cqdt")
    except PackageNotFoundError:  # run from a source tree that was never installed
        number = "unknown"
    return {"version": number, "rules": RULES_VERSION}


def frozen_cycle(cycle: Cycle) -> dict[str, Any]:
    """The cycle's settings that results depend on, as the record keeps them."""
    return {
        "criteria": cycle.criteria_set,
        "demo": cycle.demo,
        "deadlines": {tier: day.isoformat() for tier, day in sorted(cycle.deadlines.items())},
        "verification_working_days": cycle.verification_working_days,
        "holidays": [day.isoformat() for day in cycle.holidays],
        "relative_best": cycle.relative_best,
        "unit_decisions": [{"unit": d.unit_id, "action": d.action, "decision": d.decision, "reason": d.reason}
                           for d in sorted(cycle.unit_decisions, key=lambda d: d.unit_id)],
    }


def decision_dict(publication: Publication | Amendment) -> dict[str, Any]:
    found: dict[str, Any] = {"decision": publication.decision, "date": publication.date.isoformat()}
    if isinstance(publication, Amendment):
        found.update(units=list(publication.units), reason=publication.reason)
    return found


def unit_entries(results: Results,
                 line: Callable[[UnitResult, CriteriaSet], bytes] = unranked_line) -> dict[str, dict[str, Any]]:
    """Each unit's entry of the results document as JSON reads it back (load_record, not `exact`).
    `line`: export.unranked_line, or a function giving the same bytes (shell.scoring.memo_lines)."""
    found = {}
    for r in results.units:
        entry = json.loads(line(r, results.criteria_set))
        entry["rank"] = r.rank  # the line has none
        found[r.unit.id] = entry
    return found


def summary(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """What an amendment shows of a unit before and after: status, level, rank, total, groups."""
    return None if entry is None else {key: entry[key] for key in SUMMARY}


def record_text(root: DataRoot, results: Results, amendments: list[dict[str, Any]]) -> str:
    """The text of results.json for a published year's Results; `amendments`: every applied
    amendment with its units' results before and after (see amendment_entry)."""
    cycle = results.cycle
    assert cycle.publication is not None
    document: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "year": results.year,
        "decision": decision_dict(cycle.publication),
        "amendments": amendments,
        "cycle": frozen_cycle(cycle),
        "inputs": input_hashes(root, cycle.criteria_set),
        "code": code_identity(),
        "files": dict(sorted(file_hashes(root, results.year).items())),
        "results": results_to_dict(results),
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=_number) + "\n"


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value))


def amendment_entry(amendment: Amendment, before: dict[str, dict], after: dict[str, dict]) -> dict[str, Any]:
    """An applied amendment: its decision, and every unit whose results it changed (the units it
    names; others only in rank), before and after."""
    changes = []
    for unit_id in sorted(set(before) | set(after)):
        old, new = summary(before.get(unit_id)), summary(after.get(unit_id))
        if old != new:
            name = (after.get(unit_id) or before[unit_id])["name"]
            changes.append({"unit": unit_id, "name": name, "before": old, "after": new})
    return {**decision_dict(amendment), "changes": changes}


def _shown(value: Any, key: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return vn_number(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return vn_number(value)
    if key == "status":
        return STATUS_LABELS.get(value, "khác")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "không có"
    if isinstance(value, dict) and set(value) == {"numerator", "denominator"}:
        return f"{_shown(value['numerator'])}/{_shown(value['denominator'])}"
    if isinstance(value, dict) and "shortfalls" in value:
        return f"thiếu điểm để lên mức {value.get('level')}"
    return "khác"  # texts a submitter or reviewer wrote: named, not quoted


def differences(recorded: dict[str, Any], now: dict[str, Any], ignore: tuple[str, ...] = ()) -> list[str]:
    """What differs between two entries of one unit, field by field, in words ("tổng điểm 146,14 → 140,2")."""
    found = []
    for key in recorded.keys() & now.keys():
        if key in ignore or recorded[key] == now[key]:
            continue
        label = FIELD_NAMES.get(key, key)
        old, new = recorded[key], now[key]
        if key in ("groups", "self_groups"):
            found += [f"{label} {g}: {_shown(old.get(g))} → {_shown(new.get(g))}"
                      for g in sorted(old.keys() | new.keys()) if old.get(g) != new.get(g)]
        elif key == "criteria":
            found += _criteria_differences(old, new)
        elif key in ("name", "level_name"):
            found.append(f"{label} “{old}” → “{new}”")
        else:
            found.append(f"{label} {_shown(old, key)} → {_shown(new, key)}")
    return sorted(found)


def _criteria_differences(old: list[dict], new: list[dict]) -> list[str]:
    before, after = {c["id"]: c for c in old}, {c["id"]: c for c in new}
    found = [f"tiêu chí {cid}: không còn trong kết quả tính lại" for cid in before.keys() - after.keys()]
    found += [f"tiêu chí {cid}: mới có trong kết quả tính lại" for cid in after.keys() - before.keys()]
    for cid in before.keys() & after.keys():
        parts = [f"{key} {_shown(before[cid][key])} → {_shown(after[cid][key])}"
                 for key in before[cid] if key in after[cid] and before[cid][key] != after[cid][key]]
        if parts:
            found.append(f"tiêu chí {cid}: " + "; ".join(parts))
    return found


def pending_units(cycle: Cycle, document: dict[str, Any]) -> set[str]:
    """Units named by amendments listed in the cycle file and not yet applied to the record."""
    applied = {a["decision"] for a in document["amendments"]}
    return {unit for a in cycle.amendments if a.decision not in applied for unit in a.units}


def _entry_line(text: str, unit_id: str) -> int:
    """The line of results.json where the unit's entry starts (1 if not found)."""
    at = text.find(f'\n    "id": {json.dumps(unit_id, ensure_ascii=False)},')
    return 1 if at < 0 else text.count("\n", 0, at) + 2


class Causes:
    """What changed since a year was published, to attribute a difference in its results."""

    def __init__(self, root: DataRoot, document: dict[str, Any], cycle: Cycle):
        recorded, now = document.get("inputs", {}), input_hashes(root, cycle.criteria_set)

        def changed(kind: str) -> list[str]:
            old, new = recorded.get(kind, {}), now[kind]
            return sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))

        self.criteria = changed("criteria")
        self.registry = changed("registry")
        kept, current = document["cycle"], frozen_cycle(cycle)
        self.cycle = sorted(key for key in kept.keys() | current.keys() if kept.get(key) != current.get(key))
        self.code_then, self.code_now = document.get("code", {}), code_identity()
        files_now = file_hashes(root, document["year"])
        self.files = sorted(p for p in document["files"].keys() | files_now.keys()
                            if document["files"].get(p) != files_now.get(p))

    def of(self, unit_id: str, tier: str, fields: set[str]) -> list[str]:
        """The likely causes of a difference in these fields of one unit, in words."""
        found = []
        tier_files = [p for p in self.criteria if p.endswith((f"/{tier}.yaml", "/set.yaml"))]
        if tier_files:
            found.append(f"bộ tiêu chí đã sửa ({', '.join(tier_files)})")
        if self.registry and (fields & {*IDENTITY, "unit"} or not fields):
            found.append(f"danh sách đơn vị đã sửa ({', '.join(self.registry)})")
        if self.cycle:
            found.append(f"chu kỳ đánh giá đã sửa (cycle.yaml: {', '.join(self.cycle)})")
        own = [p for p in self.files if p.rsplit("/", 1)[-1] in (f"{unit_id}.yaml", f"{unit_id}.review.yaml")]
        if own:
            found.append(f"hồ sơ của đơn vị đã sửa ({', '.join(own)})")
        then, now = self.code_then, self.code_now
        if then != now:
            found.append(f"cqdt đã đổi (khi công bố: phiên bản {then.get('version', '?')}, quy tắc chấm {then.get('rules', '?')}; "
                         f"nay: phiên bản {now['version']}, quy tắc chấm {now['rules']})")
        if not found and self.registry:
            found.append(f"danh sách đơn vị đã sửa ({', '.join(self.registry)})")
        return found or ["không thấy dữ liệu nào đổi so với khi công bố: mã nguồn cqdt đã đổi mà chưa tăng "
                         "RULES_VERSION, hoặc tệp kết quả chính thức đã bị sửa trực tiếp"]


MAX_SHOWN = 8  # differences written out per unit; the rest are counted


def record_problems(root: DataRoot, year: int, cycle: Cycle | None, memo: Memo) -> list[Problem]:
    """A published year recomputed from the repository and compared with its record, unit by
    unit and field by field: one problem per unit that differs, naming the fields and their
    likely cause (criteria, registry, cycle, the unit's files or cqdt's code). Units named by an
    amendment not yet applied may differ, and ranks with them. `cycle`: the year's cycle as
    checked (None: it has problems)."""
    from ..shell.scoring import evaluate, memo_lines

    if cycle is None or cycle.state != "published":
        return []
    path = root.results_path(year)
    display = root.relative(path)
    try:
        document = load_record(root, year)
    except InputError as err:
        return err.problems
    if document is None:
        return []  # reported by publish.frozen_problems
    if document.get("format") != RECORD_FORMAT:
        publication = cycle.publication
        assert publication is not None
        return [Problem(display, 1, 1, f"tệp kết quả chính thức năm {year} theo định dạng cũ (format {document.get('format')}); "
                                       f"hãy ghi lại theo định dạng mới (kết quả phải không đổi): cqdt publish --year {year} "
                                       f"--decision \"{publication.decision}\" --date {publication.date.isoformat()}")]
    try:
        now = unit_entries(evaluate(root, year, memo, recorded=False), memo_lines(memo))
    except InputError:
        return []  # the year's own problems are reported by validate
    recorded = {entry["id"]: entry for entry in document["results"]["units"]}
    pending = pending_units(cycle, document)
    ignore = ("rank",) if pending else ()
    causes: Causes | None = None  # worked out once something differs
    problems = []
    for unit_id in sorted(recorded.keys() | now.keys()):
        if unit_id in pending:
            continue
        old, new = recorded.get(unit_id), now.get(unit_id)
        if old is None:
            what, fields = "có trong danh sách đơn vị nhưng không có trong kết quả đã công bố", {"unit"}
        elif new is None:
            what, fields = "có trong kết quả đã công bố nhưng không còn trong danh sách đơn vị", {"unit"}
        else:
            found = differences(old, new, ignore)
            if not found:
                continue
            shown = "; ".join(found[:MAX_SHOWN]) + (f"; và {len(found) - MAX_SHOWN} khác biệt khác" if len(found) > MAX_SHOWN else "")
            what = f"kết quả tính lại khác kết quả đã công bố: {shown}"
            fields = {key for key in old if old.get(key) != new.get(key)}
        entry = old or new
        assert entry is not None
        if causes is None:
            causes, text = Causes(root, document, cycle), path.read_text(encoding="utf-8")
        because = "; ".join(causes.of(unit_id, entry["tier"], fields))
        problems.append(Problem(display, _entry_line(text, unit_id), 1,
                                f"năm {year}, đơn vị {unit_id} ({entry['name']}) {what}. Nguyên nhân: {because}. "
                                f"Kết quả đã công bố không được thay đổi: hãy hoàn lại thay đổi, hoặc Sở TT&TT ghi quyết định "
                                f"sửa đổi nêu tên đơn vị vào 'amendments' của submissions/{year}/cycle.yaml"))
    return problems
