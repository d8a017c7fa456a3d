"""evaluate(root, year): a year read, checked and scored, each step taken from the memo when
it holds the same step of the same inputs.

A unit's entry is kept under the key of its files and the year's context (registry, cycle,
criteria set): its quantities for relative criteria, and its result (every field but the rank
and the criteria) with the tier's best values it was scored against, used only while those are
still the tier's. Its criteria, the bulky part, sit in another entry, read only when they are
walked; its line of the results document in a third, made the first time it is asked for (see
json_pieces). Ranks are set afresh on every run, so the Results equal core.evaluate.score's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

from ..core.evaluate import ranks, relative_inputs, tier_bests, unit_result
from ..core.model import (
    TIERS,
    CriteriaSet,
    CriterionResult,
    Results,
    TierBests,
    TierCriteria,
    Unit,
    UnitResult,
    is_ranked,
)
from ..export import results as export
from ..reading.paths import DataRoot
from ..reading.record import read_record
from .memo import Memo, digest
from .year import YearInputs, checked_cycle, checked_registry, read_year, require_valid

# A result's fields kept in its summary, in this order, then the number of its criteria.
SUMMARY = ("status", "submission_path", "submission_sha256", "group_scores", "total", "self_group_scores",
           "self_total", "level", "gap", "review_stages", "stale_reviews", "changed_since_review", "flags", "digest")


class StoredCriteria(Sequence):
    """A unit's criterion results, read from the memo each time they are walked: a nationwide
    site needs 12,000 units' results at hand but one unit's criteria at a time. Equal to the
    tuple of the same results; pickles as that tuple."""

    __slots__ = ("_key", "_length", "_memo", "_rescore")

    def __init__(self, memo: Memo, key: str, length: int, rescore: Callable[[], UnitResult]) -> None:
        """`rescore()`: the result scored again, should the memo have lost the criteria."""
        self._memo = memo
        self._key = key
        self._length = length
        self._rescore = rescore

    def _load(self) -> tuple[CriterionResult, ...]:
        rows = self._memo.load(self._key)
        if not isinstance(rows, tuple) or len(rows) != self._length:
            return tuple(self._rescore().criteria)
        return tuple(map(CriterionResult._make, rows))

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[CriterionResult]:
        return iter(self._load())

    def __getitem__(self, index):
        return self._load()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple | StoredCriteria):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like the results holding it

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple:
        return (tuple, (tuple(self),))


def _tier_results(memo: Memo, inputs: YearInputs, tier: TierCriteria,
                  units: tuple[Unit, ...]) -> tuple[list[UnitResult], TierBests]:
    """The tier's results (ranked) and what its relative criteria are measured against
    (evaluate.tier_bests), each unit's from the memo when it holds it.

    A unit's entry is kept under the key of its files (and the year's context): its part in the
    tier's bests (evaluate.relative_inputs), and its result with the digest of the tier's bests
    it was scored against (tier_key); it is used only while those are still the tier's."""
    criteria_set, cycle = inputs.criteria_set, inputs.cycle
    assert criteria_set is not None and cycle is not None
    submissions, reviews, shas = inputs.submissions, inputs.reviews, inputs.shas
    submitted_files, review_files = inputs.submissions.displays, inputs.reviews.displays
    keys = {u.id: memo.key("unit", inputs.context, u.id,
                           shas[submitted_files[u.id]] if u.id in submitted_files else "",
                           shas[review_files[u.id]] if u.id in review_files else "") for u in units}
    found = memo.load_many(keys.values())
    entries = {u.id: entry for u in units
               if isinstance(entry := found.get(keys[u.id]), tuple) and len(entry) == 4}
    quantities = {}
    for unit in units:
        if unit.id not in submissions:
            continue
        entry = entries.get(unit.id)
        if entry is not None:
            quantities[unit.id] = entry[:2]
        else:
            quantities[unit.id] = relative_inputs(tier, criteria_set, cycle, submissions[unit.id],
                                                  reviews.get(unit.id))
    bests = tier_bests(tier, list(quantities.values()), cycle.relative_best)
    tier_key = digest(repr(bests))
    summaries: dict[str, tuple] = {}
    fresh: dict[str, UnitResult] = {}
    for unit in units:
        entry = entries.get(unit.id)
        if entry is not None and entry[2] == tier_key and len(entry[3]) == len(SUMMARY) + 1:
            summaries[unit.id] = entry[3]
            continue
        result = fresh[unit.id] = _score_unit(inputs, tier, unit, bests)
        summaries[unit.id] = (*(getattr(result, name) for name in SUMMARY), len(result.criteria))
        relative = quantities.get(unit.id, (None, None))
        memo.save(keys[unit.id], (*relative, tier_key, summaries[unit.id]))
        if result.criteria:
            memo.save(f"{keys[unit.id]} criteria {tier_key}", tuple(tuple(c) for c in result.criteria))
    # status, ..., level: the summary's first eight fields (see SUMMARY)
    rank_of = ranks([(u.id, summaries[u.id][7], summaries[u.id][4]) for u in units
                     if is_ranked(summaries[u.id][0])], criteria_set)
    results = []
    for unit in units:
        summary, rank = summaries[unit.id], rank_of.get(unit.id)
        if unit.id in fresh:
            criteria = fresh[unit.id].criteria
        elif summary[-1]:
            criteria = StoredCriteria(memo, f"{keys[unit.id]} criteria {tier_key}", summary[-1],
                                      partial(_score_unit, inputs, tier, unit, bests))
        else:
            criteria = ()
        results.append(UnitResult(unit, *summary[:8], rank, summary[8], criteria, *summary[9:14]))
    return results, bests


def _score_unit(inputs: YearInputs, tier: TierCriteria, unit: Unit, bests: TierBests) -> UnitResult:
    """One unit's result (its files read from the memo only now)."""
    assert inputs.criteria_set is not None and inputs.cycle is not None
    return unit_result(unit, tier, inputs.criteria_set, inputs.submissions.get(unit.id), inputs.reviews.get(unit.id),
                       bests, inputs.cycle)


def score_on(memo: Memo, inputs: YearInputs) -> Results:
    """core.evaluate.score(inputs), each unit's result taken from the memo when it holds it."""
    registry, cycle, criteria_set = inputs.registry, inputs.cycle, inputs.criteria_set
    assert registry is not None and cycle is not None and criteria_set is not None
    results: list[UnitResult] = []
    bests = {}
    for tier_id, tier in criteria_set.tiers.items():
        tier_results, bests[tier_id] = _tier_results(memo, inputs, tier, registry.in_tier(tier_id))
        results.extend(tier_results)
    return Results(inputs.year, cycle, criteria_set, tuple(results), bests=bests)


def evaluate(root: DataRoot, year: int, memo: Memo | None = None, *, recorded: bool = True) -> Results:
    """Read, check and score a year; raises InputError on any problem. A published year's
    Results are its official record (flow.record), unless `recorded` is false: then the year is
    scored from the repository."""
    memo = memo or Memo()
    if recorded:
        cycle, _, _ = checked_cycle(memo, root, year)
        if cycle is not None and cycle.state == "published" and (
                official := read_record(root, cycle, checked_registry(memo, root)[0])) is not None:
            return official
    results = score_on(memo, require_valid(read_year(root, year, memo=memo)))
    memo.commit()
    return results


def memo_lines(memo: Memo) -> Callable[[UnitResult, CriteriaSet], bytes]:
    """export.unranked_line, each unit's line from the memo when it holds it. Lines are kept as
    the bytes they are (unpickling them cost about 0.1 s of a 1.3 s warm re-score at 12,000
    units), and fetched one by one (all 115 MB of them at once was slower, and doubled the
    memory a warm run takes)."""

    def key(result: UnitResult, criteria_set: CriteriaSet) -> str:  # all a line shows but its rank
        return memo.key("json line", result.digest, criteria_set.level_name(result.level) if result.submitted else "")

    def line(result: UnitResult, criteria_set: CriteriaSet) -> bytes:
        found_key = key(result, criteria_set)
        found = memo.get(found_key)
        # A damaged entry (the memo is a cache: anything may happen to its file) is made again.
        if found is None or not (found.startswith(b'{"id":') and found.endswith(b"}") and export.RANK_NULL in found):
            found = export.unranked_line(result, criteria_set)
            memo.put(found_key, found)
        return found

    return line


def json_pieces(results: Results, tiers: tuple[str, ...] = TIERS, memo: Memo | None = None) -> Iterator[bytes]:
    """export.json_pieces(results, tiers), each unit's line from the memo when it holds it."""
    memo = memo or Memo()
    yield from export.json_pieces(results, tiers, memo_lines(memo))
    memo.commit()
