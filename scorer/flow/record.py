"""The official record of a published year: submissions/<year>/results.json.

`cqdt publish` writes it; from then on the site and the exports of that year read it
(read_record, called by shell.scoring.evaluate), and `cqdt validate` recomputes the year from
the repository and compares the two unit by unit, field by field (record_problems). Besides
the results, the record keeps what they were computed from, so that a difference can be
attributed: the SHA-256 of every submission and review file, of the criteria set's files and
of the registry's files, the cycle's settings as published, and the version of cqdt's code.
Each applied amendment keeps the units it names and their results before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from ..core.evaluate import RULES_VERSION
from ..core.model import (
    Amendment,
    AmendmentChange,
    CriteriaSet,
    CriterionResult,
    Cycle,
    Gap,
    Publication,
    Results,
    Shortfall,
    Spread,
    TierBests,
    Unit,
    UnitDecision,
    UnitResult,
)
from ..core.problems import InputError, Problem
from ..core.text import STATUS_LABELS, vn_number
from ..export.results import results_to_dict, unranked_line
from ..reading.paths import DataRoot
from ..reading.submissions import sha256_hex, year_file_names

RECORD_FORMAT = 2
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


def load_record(root: DataRoot, year: int, exact: bool = False) -> dict[str, Any] | None:
    """The year's record as plain data, None if there is none; InputError when it cannot be read.
    Numbers with a fraction are floats, as in unit_entries (the same text, the same float: enough to
    compare), or Decimals when `exact` (to read the results back)."""
    path = root.results_path(year)
    if not path.is_file():
        return None
    display = root.relative(path)
    try:
        document = json.loads(path.read_bytes(), parse_float=Decimal if exact else float)
        if not (isinstance(document, dict) and isinstance(document.get("files"), dict)
                and isinstance(document.get("results"), dict) and isinstance(document["results"].get("units"), list)):
            raise ValueError("thiếu phần 'files' hoặc 'results'")
    except (ValueError, RecursionError) as err:  # RecursionError: a JSON nested too deep
        raise InputError([Problem(display, 1, 1, f"tệp kết quả chính thức không đọc được ({err}); "
                                                 "hãy lấy lại bản đã công bố từ lịch sử git")]) from err
    return document


def read_record(root: DataRoot, year: int) -> Results | None:
    """A published year's Results as its record holds them; None when the year is not published
    or its record is of an older format (then the year is scored from the repository, and
    `cqdt validate` asks for the record to be written again)."""
    from ..reading.cycle import check_cycle

    cycle, _ = check_cycle(root, year)
    if cycle is None or cycle.state != "published":
        return None
    document = load_record(root, year, exact=True)
    if document is None or document.get("format") != RECORD_FORMAT:
        return None
    return results_from_record(root, document, sha256_hex(root.results_path(year).read_bytes()))


def results_from_record(root: DataRoot, document: dict[str, Any], digest: str) -> Results:
    """The Results a record holds; the criteria set (titles, groups) is the repository's, which
    must still have every criterion the record scores."""
    from ..reading.catalogue import load_criteria_set
    from ..reading.registry import check_registry

    year = document["year"]
    display = root.relative(root.results_path(year))
    kept = document["cycle"]
    criteria_set = load_criteria_set(root, kept["criteria"])
    registry, _ = check_registry(root)
    known = registry.by_id if registry is not None else {}
    data = document["results"]
    cycle = Cycle(
        year=year, criteria_set=kept["criteria"], demo=kept["demo"],
        deadlines={tier: date.fromisoformat(day) for tier, day in kept["deadlines"].items()},
        verification_working_days=kept["verification_working_days"],
        holidays=tuple(date.fromisoformat(day) for day in kept["holidays"]),
        state="published",
        publication=Publication(document["decision"]["decision"], date.fromisoformat(document["decision"]["date"])),
        amendments=tuple(Amendment(a["decision"], date.fromisoformat(a["date"]), tuple(a["units"]), a["reason"],
                                   tuple(AmendmentChange(c["unit"], c["name"], c["before"], c["after"])
                                         for c in a["changes"]))
                         for a in document["amendments"]),
        unit_decisions=tuple(UnitDecision(d["unit"], d["action"], d["reason"], d["decision"])
                             for d in kept["unit_decisions"]),
        relative_best=kept["relative_best"],
    )
    try:
        units = tuple(_unit_result(entry, criteria_set, known) for entry in data["units"])
        bests = {tier["id"]: _tier_bests(tier["relative"]) for tier in data["tiers"]}
    except (KeyError, TypeError, ValueError) as err:
        raise InputError([Problem(display, 1, 1, f"kết quả chính thức không khớp với bộ tiêu chí {criteria_set.id} "
                                                 f"hiện có ({err}); hãy chạy cqdt validate để xem khác biệt")]) from err
    # The record lists units in listing order; Results keep the registry's order of tiers.
    order = {tier: index for index, tier in enumerate(criteria_set.tiers)}
    ordered = tuple(sorted(units, key=lambda r: order[r.unit.tier]))
    return Results(year, cycle, criteria_set, ordered, bests)


def _decimal(value: Any, decimals: int | None = None) -> Decimal:
    number = Decimal(value)
    return number.quantize(Decimal(1).scaleb(-decimals)) if decimals is not None else number


def _unit_result(entry: dict[str, Any], criteria_set: CriteriaSet, known: dict[str, Unit]) -> UnitResult:
    """One unit's result from its entry; points at the set's decimals, as the scorer rounds them
    (a unit that did not submit has plain zeros)."""
    places = criteria_set.decimals if entry["submission"] is not None else None
    tier = criteria_set.tiers[entry["tier"]]
    unit = Unit(entry["id"], entry["name"], entry["tier"], "", entry["code"], None, entry["district"])
    if entry["id"] in known:  # who owns and verifies it now; who it was, as published
        unit = replace(known[entry["id"]], name=entry["name"], tier=entry["tier"], code=entry["code"],
                       district=entry["district"])
    groups = {int(g): _decimal(v, places) for g, v in entry["groups"].items()}
    gap = None
    if entry["gap"] is not None:
        gap = Gap(entry["gap"]["level"], tuple(Shortfall(s["group"], _decimal(s["score"], places), _decimal(s["minimum"]))
                                               for s in entry["gap"]["shortfalls"]))
    rows = []
    for c in entry["criteria"]:
        criterion = tier.criterion(c["id"])
        if criterion is None:
            raise KeyError(f"tiêu chí {c['id']} của cấp {entry['tier']}")
        verified = c["verified_points"] is not None
        rows.append(CriterionResult(
            c["id"], c["group"], c["self_value"], _decimal(c["self_points"], places),
            c["verified_value"] if verified else None, _decimal(c["verified_points"], places) if verified else None,
            _decimal(c["points"], places), c["reason"], c["reviewer"], c["stage"], tuple(c["evidence"]), c["note"]))
    submission = entry["submission"]
    return UnitResult(
        unit=unit, status=entry["status"],
        submission_path=submission and submission["path"], submission_sha256=submission and submission["sha256"],
        group_scores=groups, total=_decimal(entry["total"], places),
        self_group_scores={int(g): _decimal(v, places) for g, v in entry["self_groups"].items()},
        self_total=_decimal(entry["self_total"], places),
        level=entry["level"], rank=entry["rank"], gap=gap, criteria=tuple(rows),
        review_stages=tuple(entry["review_stages"]), stale_reviews=tuple(entry["stale_reviews"]),
        changed_since_review=tuple(entry["changed_since_review"]),
        flags=tuple((f["criterion"], f["flag"]) for f in entry["flags"]),
    )


def _tier_bests(relative: list[dict[str, Any]]) -> TierBests:
    return TierBests(
        {r["criterion"]: Decimal(r["self_best"]) for r in relative if r["self_best"] is not None},
        {r["criterion"]: Decimal(r["best"]) for r in relative if r["best"] is not None},
        tuple(r["criterion"] for r in relative if r["provisional"]),
        {r["criterion"]: Spread(Decimal(r["spread"]["median"]), Decimal(r["spread"]["mad"]), r["spread"]["count"])
         for r in relative if r["spread"] is not None},
    )


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


def record_problems(root: DataRoot, year: int) -> list[Problem]:
    """A published year recomputed from the repository and compared with its record, unit by
    unit and field by field: one problem per unit that differs, naming the fields and their
    likely cause (criteria, registry, cycle, the unit's files or cqdt's code). Units named by an
    amendment not yet applied may differ, and ranks with them."""
    from ..reading.cycle import check_cycle
    from ..shell.memo import Memo
    from ..shell.scoring import evaluate, memo_lines

    cycle, _ = check_cycle(root, year)
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
        memo = Memo()
        now = unit_entries(evaluate(root, year, memo, recorded=False), memo_lines(memo))
        memo.commit()
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
