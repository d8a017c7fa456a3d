"""Reading a published year's official record (submissions/<year>/results.json, written by
`cqdt publish`, see flow.record) back into the Results it holds: the site, the exports and
`cqdt score` show a published year as it was published."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from ..core.model import (
    Amendment,
    AmendmentChange,
    CriteriaSet,
    CriterionResult,
    Cycle,
    Gap,
    Publication,
    Registry,
    Results,
    Shortfall,
    Spread,
    TierBests,
    Unit,
    UnitDecision,
    UnitResult,
)
from ..core.problems import InputError, Problem
from .paths import DataRoot

RECORD_FORMAT = 2


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


def read_record(root: DataRoot, cycle: Cycle | None, registry: Registry | None) -> Results | None:
    """A published year's Results as its record holds them; None when the year (its `cycle`, as
    checked) is not published or its record is of an older format (then the year is scored from
    the repository, and `cqdt validate` asks for the record to be written again). `registry`:
    the units as checked, whose district names the record's units take."""
    if cycle is None or cycle.state != "published":
        return None
    document = load_record(root, cycle.year, exact=True)
    if document is None or document.get("format") != RECORD_FORMAT:
        return None
    return results_from_record(root, document, registry)


def results_from_record(root: DataRoot, document: dict[str, Any], registry: Registry | None) -> Results:
    """The Results a record holds; the criteria set (titles, groups) is the repository's, which
    must still have every criterion the record scores."""
    from .catalogue import load_criteria_set

    year = document["year"]
    display = root.relative(root.results_path(year))
    kept = document["cycle"]
    criteria_set = load_criteria_set(root, kept["criteria"])
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
