"""Results as open data: JSON (conforming to schema/results.schema.json) and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ..core.inert import csv_cell
from ..core.model import TIERS, CriteriaSet, Results, TierBests, TierCriteria, UnitResult
from ..core.text import name_order


def json_number(value: Decimal) -> int | float:
    """An exact decimal as a JSON number that parse_float=Decimal reads back equal."""
    if value == value.to_integral_value():
        return int(value)
    if len(value.normalize().as_tuple().digits) > 15:
        raise ValueError(f"{value} has more digits than a JSON number keeps exactly")
    return float(value)


def points_number(value: Decimal) -> int | float:
    """json_number for points: at most 4 decimals and far below 10**11, so always exact."""
    whole = int(value)
    return whole if whole == value else float(value)


def plain(value: Any) -> Any:
    """Answer values with Decimals turned into JSON numbers."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _groups(scores: dict[int, Decimal]) -> dict[str, int | float]:
    return {str(g): points_number(v) for g, v in sorted(scores.items())}


def unit_to_dict(r: UnitResult, cs: CriteriaSet) -> dict[str, Any]:
    """One unit's entry of the results document."""
    return {
        "id": r.unit.id,
        "name": r.unit.name,
        "tier": r.unit.tier,
        "district": r.unit.district,
        "code": r.unit.code,
        "status": r.status,
        "rank": r.rank,
        "level": r.level,
        "level_name": cs.level_name(r.level) if r.submitted else None,
        "total": points_number(r.total),
        "groups": _groups(r.group_scores),
        "self_total": points_number(r.self_total),
        "self_groups": _groups(r.self_group_scores),
        "gap": None if r.gap is None or not r.submitted else {
            "level": r.gap.level,
            "shortfalls": [
                {"group": s.group_id, "score": points_number(s.score), "minimum": points_number(s.minimum),
                 "missing": points_number(s.missing)}
                for s in r.gap.shortfalls
            ],
        },
        "review_stages": list(r.review_stages),
        "needs_reverification": r.needs_reverification,
        "stale_reviews": list(r.stale_reviews),
        "changed_since_review": list(r.changed_since_review),
        "flags": [{"criterion": cid, "flag": flag} for cid, flag in r.flags],
        "submission": None if r.submission_path is None else {"path": r.submission_path, "sha256": r.submission_sha256},
        "criteria": [
            {
                "id": c.criterion_id,
                "group": c.group_id,
                "self_value": plain(c.self_value),
                "self_points": points_number(c.self_points),
                "verified_value": plain(c.verified_value) if c.verified_points is not None else None,
                "verified_points": None if c.verified_points is None else points_number(c.verified_points),
                "points": points_number(c.counted_points),
                "reason": c.reason,
                "reviewer": c.reviewer,
                "stage": c.stage,
                "evidence": list(c.evidence),
                "note": c.note,
            }
            for c in r.criteria
        ],
    }


RANK_NULL = b'"rank":null'


def unranked_line(r: UnitResult, cs: CriteriaSet) -> bytes:
    """A unit's line, UTF-8, with "rank":null whatever its rank (see ranked_line): the rest of
    the line does not depend on the ranks of the other units, so it can be kept."""
    entry = unit_to_dict(r, cs)
    entry["rank"] = None
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ranked_line(line: bytes, rank: int | None) -> bytes:
    """A unit's line written with rank null (unranked_line), with this rank. The first
    "rank":null is the unit's: text that a submitter wrote has its quotes escaped."""
    return line if rank is None else line.replace(RANK_NULL, b'"rank":%d' % rank, 1)


_TIER_ORDER = {tier: index for index, tier in enumerate(TIERS)}


def listing_key(tier: str, rank: int | None, name: str, unit_id: str) -> tuple:
    """Tier order, then rank (units without a rank last), then the name in Vietnamese
    alphabetical order, then id: the order of every listing."""
    return _TIER_ORDER[tier], rank is None, rank or 0, *name_order(name, unit_id)


def ordered_units(results: Results) -> tuple[UnitResult, ...]:
    """The units in listing order (see listing_key)."""
    return tuple(sorted(results.units, key=lambda r: listing_key(r.unit.tier, r.rank, r.unit.name, r.unit.id)))


def json_head(results: Results, tiers: tuple[str, ...] = TIERS) -> str:
    """The results document up to its list of units."""
    document = results_to_dict(results, tiers, with_units=False)
    return json.dumps(document, ensure_ascii=False, indent=1)[: -len("\n}")] + ',\n "units": ['


JSON_TAIL = "\n ]\n}\n"


def _optional_number(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


def relative_to_list(tier: TierCriteria, bests: TierBests | None) -> list[dict[str, Any]]:
    """What each relative criterion of the tier is measured against (evaluate.tier_bests)."""
    found = bests or TierBests({}, {})
    return [
        {"criterion": c.id,
         "self_best": _optional_number(found.answered_self.get(c.id)),
         "best": _optional_number(found.answered_counted.get(c.id)),
         "provisional": c.id in found.provisional,
         "spread": None if (spread := found.spreads.get(c.id)) is None else {
             "median": json_number(spread.median), "mad": json_number(spread.mad), "count": spread.count}}
        for c in tier.criteria if c.kind == "relative"
    ]


def results_to_dict(results: Results, tiers: tuple[str, ...] = TIERS, with_units: bool = True) -> dict[str, Any]:
    """The results document as plain data (schema/results.schema.json)."""
    cs, cycle = results.criteria_set, results.cycle
    document = {
        "year": results.year,
        "demo": cycle.demo,
        "state": cycle.state,
        "publication": None if cycle.publication is None else {
            "decision": cycle.publication.decision, "date": cycle.publication.date.isoformat()},
        "criteria_set": {"id": cs.id, "decision": cs.decision, "status": cs.status, "decimals": cs.decimals},
        "levels": [{"id": lv.id, "name": lv.name} for lv in cs.levels],
        "tiers": [
            {"id": t, "name": cs.tiers[t].name, "max_total": json_number(cs.tiers[t].max_total),
             "groups": [{"id": g.id, "name": g.name, "max": json_number(g.max),
                         "minimums": {str(k): json_number(v) for k, v in sorted(g.minimums.items())}}
                        for g in cs.tiers[t].groups],
             "relative": relative_to_list(cs.tiers[t], results.bests.get(t))}
            for t in tiers if t in cs.tiers
        ],
    }
    if with_units:
        document["units"] = [unit_to_dict(r, cs) for r in ordered_units(results) if r.unit.tier in tiers]
    return document


def json_pieces(results: Results, tiers: tuple[str, ...] = TIERS,
                line: Callable[[UnitResult, CriteriaSet], bytes] = unranked_line) -> Iterator[bytes]:
    """The results document in UTF-8 pieces, one unit per line: readable diffs, the C encoder's
    speed, and only one unit's dictionary in memory at a time. `line`: unranked_line, or a
    function giving the same bytes (see shell.scoring.json_pieces)."""
    cs = results.criteria_set
    yield json_head(results, tiers).encode("utf-8")
    separator = b"\n"
    for unit in ordered_units(results):
        if unit.unit.tier in tiers:
            yield separator + ranked_line(line(unit, cs), unit.rank)
            separator = b",\n"
    yield JSON_TAIL.encode("utf-8")


def to_json(results: Results, tiers: tuple[str, ...] = TIERS) -> str:
    """The whole results document as text (see json_pieces)."""
    return b"".join(json_pieces(results, tiers)).decode("utf-8")


CSV_COLUMNS = ["year", "tier", "rank", "unit_id", "unit_name", "district", "status", "level",
               *(f"group_{i}" for i in range(1, 8)), "total", "self_total", "needs_reverification"]
# A UTF-8 byte order mark first: Excel reads a CSV without one in the local code page and
# garbles Vietnamese letters.
CSV_HEAD = "\ufeff" + ",".join(CSV_COLUMNS) + "\n"


def csv_line(year: int, r: UnitResult) -> str:
    """A unit's CSV line (see CSV_COLUMNS), with its line end; no cell a spreadsheet would run."""
    buffer = io.StringIO()
    groups = [str(r.group_scores.get(i, "")) for i in range(1, 8)]
    csv.writer(buffer, lineterminator="\n").writerow([csv_cell(cell) for cell in (
        year, r.unit.tier, r.rank or "", r.unit.id, r.unit.name, r.unit.district or "", r.status, r.level or "",
        *groups, str(r.total), str(r.self_total), "true" if r.needs_reverification else "false")])
    return buffer.getvalue()


def to_csv(results: Results, tiers: tuple[str, ...] = TIERS) -> str:
    """One line per unit of `tiers` in ranking order (see CSV_COLUMNS)."""
    lines = [CSV_HEAD]
    lines.extend(csv_line(results.year, r) for r in ordered_units(results) if r.unit.tier in tiers)
    return "".join(lines)
