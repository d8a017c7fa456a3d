"""The results document again after a few files changed: only their units are scored.

Each unit's JSON line is cached (without its rank) under the key of everything
it depends on: the unit's registry entry, its submission and review files, the
tier's best values of relative criteria and whether the year is published.
Ranks and order are set afresh on every run from the cached levels and totals,
so the output is byte for byte what export.iter_json writes for score(inputs).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from ..core.evaluate import ranks, relative_inputs, score, tier_bests, unit_result
from ..core.model import (
    TIERS,
    CriteriaSet,
    CriterionResult,
    LazyCriteria,
    LazyUnitResult,
    Results,
    TierBests,
    TierCriteria,
    Unit,
    UnitResult,
    is_ranked,
)
from ..export import results as export
from ..export.results import JSON_TAIL, json_head, listing_key, ranked_line, unit_line
from ..flow.record import read_record
from ..reading.paths import DataRoot
from .cache import IndexJournal, cache_path, code_version, loads, read_pickle, write_pickle
from .pack import Address, Pack
from .year import LazyItems, YearInputs, read_year, require_valid

FORMAT = 9
FLUSH_EVERY = 500


class ScoredUnit(NamedTuple):
    """What the cache keeps of one unit's result."""

    own_key: str  # its files (their SHA-256s; the registry is in the context)
    tier_key: str  # the tier's best values and the publication state, when it was scored
    key: str  # a digest of both
    status: str
    level: int | None
    total: Decimal
    stale_reviews: tuple[str, ...]
    relative_self: dict[str, Decimal | None]
    relative_counted: dict[str, Decimal | None]
    # Of its records in the packs (see RECORDS), once they are written.
    addresses: tuple[Address, ...] | None


# A unit's records, one pack each: its JSON line (rank null), the fields of its UnitResult as
# a plain tuple (SUMMARY_FIELDS; the registry has the unit, the rank is set on reading) and
# its criteria.
RECORDS = ("units-pack", "results-pack", "criteria-pack")
LINE, SUMMARY, CRITERIA = range(len(RECORDS))


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# The summary: UnitResult's fields but unit, rank and criteria, then the unit's id and its
# number of criteria. A tuple, so that reading one makes a UnitResult once, not twice.
SUMMARY_FIELDS = tuple(f.name for f in fields(UnitResult) if f.name not in ("unit", "rank", "criteria"))


def _records(result: UnitResult, line: str) -> tuple[bytes, bytes, bytes]:
    summary = (*(getattr(result, name) for name in SUMMARY_FIELDS), result.unit.id, len(result.criteria))
    return (line.encode("utf-8"), pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL),
            pickle.dumps(tuple(result.criteria), protocol=pickle.HIGHEST_PROTOCOL))


class UnitCache:
    """Scored units of one year, by unit id; their records sit in packs beside the index."""

    def __init__(self, inputs: YearInputs):
        assert inputs.criteria_set is not None
        self.path = cache_path(inputs.root, inputs.year).with_suffix(".units")
        self.packs = [Pack(self.path.with_suffix("." + name)) for name in RECORDS]
        self.context = _digest(FORMAT, inputs.context, code_version())
        # The index is a pickle plus a journal of the entries changed since it was written, so
        # that a run which scored one unit appends one entry instead of writing 12,000.
        stored = read_pickle(self.path)
        fits = isinstance(stored, dict) and stored.get("context") == self.context
        self.units = {unit_id: ScoredUnit._make(entry) for unit_id, entry in stored["units"].items()} if fits else {}
        self.journal = IndexJournal(self.path.with_suffix(".units-journal"), stored.get("generation") if fits else None)
        if self.units:
            self.journal.replay(self.units, ScoredUnit._make, len(ScoredUnit._fields))
        else:  # nothing indexes their records any more
            for pack in self.packs:
                pack.clear()
        self.pending: dict[str, tuple[bytes, ...]] = {}  # records not yet appended to the packs
        self.unwritable: dict[str, tuple[bytes, ...]] = {}  # what the packs could not take (read-only cache)
        self.changed: set[str] = set()  # units whose entry changed (or went) since the index was read

    def record(self, unit_id: str, which: int) -> bytes | None:
        """One of the unit's records (LINE, SUMMARY or CRITERIA), or None if the pack lost it."""
        held = self.pending.get(unit_id) or self.unwritable.get(unit_id)
        if held is not None:
            return held[which]
        addresses = self.units[unit_id].addresses
        return None if addresses is None else self.packs[which].read(addresses[which])

    def line(self, unit_id: str) -> bytes | None:
        """The unit's cached line (rank null), or None if the pack lost it."""
        return self.record(unit_id, LINE)

    def result(self, unit: Unit, rank: int | None, rescore: Callable[[], UnitResult]) -> UnitResult:
        """The unit's result with this rank, from the cache: what the index holds at once, the
        rest of its summary when first asked for and its criteria each time they are walked
        (`rescore()` makes them again if the pack lost them meanwhile)."""
        entry = self.units[unit.id]
        return LazyUnitResult.of(partial(self._summary, unit, rescore), unit, rank, entry.status, entry.total,
                                 entry.level, entry.stale_reviews)

    def _summary(self, unit: Unit, rescore: Callable[[], UnitResult]) -> dict[str, Any]:
        """Every field of the unit's result but unit and rank, from its records (see result)."""

        def criteria() -> tuple[CriterionResult, ...]:
            found = self.record(unit.id, CRITERIA)
            return loads(found) if found is not None else rescore().criteria

        record = self.record(unit.id, SUMMARY)
        summary = None if record is None else loads(record)
        if not isinstance(summary, tuple) or len(summary) != len(SUMMARY_FIELDS) + 2 or summary[-2] != unit.id:
            fresh = rescore()
            return {name: getattr(fresh, name) for name in (*SUMMARY_FIELDS, "criteria")}
        count = summary[-1]
        return {**dict(zip(SUMMARY_FIELDS, summary, strict=False)),
                "criteria": LazyCriteria(criteria, count) if count else ()}

    def put(self, unit_id: str, entry: ScoredUnit, result: UnitResult, line: str) -> None:
        self.units[unit_id] = entry
        self.pending[unit_id] = _records(result, line)
        self.changed.add(unit_id)
        if len(self.pending) >= FLUSH_EVERY:  # records go to disk as they come: a cold run holds few
            self.flush()

    def flush(self) -> None:
        stored = [pack.store({name: held[which] for name, held in self.pending.items()})
                  for which, pack in enumerate(self.packs)]
        if all(addresses is not None for addresses in stored):
            for name in self.pending:
                self.units[name] = self.units[name]._replace(addresses=tuple(a[name] for a in stored))
        else:
            self.unwritable.update(self.pending)
        self.pending.clear()

    def save(self, unit_ids: set[str]) -> None:
        """Keep the given units (drop the rest) and write what changed."""
        for gone in set(self.units) - unit_ids:
            del self.units[gone]
            self.changed.add(gone)
        self.flush()
        if not self.changed:
            return
        moved = False
        for which, pack in enumerate(self.packs):
            live = {name: e.addresses[which] for name, e in self.units.items() if e.addresses is not None}
            for name, address in pack.compact(live).items():
                addresses = list(self.units[name].addresses)
                addresses[which] = address
                self.units[name] = self.units[name]._replace(addresses=tuple(addresses))
                moved = True
        # A few entries go to the journal; many, moved records or a long journal: a new index.
        if moved or not self.journal.append(self.units, self.changed):
            # Plain tuples: pickle writes them natively, named tuples cost a Python call each.
            units = {u: tuple(e) for u, e in self.units.items()}
            self.journal.restart(lambda generation: write_pickle(self.path, {
                "context": self.context, "generation": generation, "units": units}))
        self.changed.clear()


class CachedLines(Mapping):
    """Unit id → the unit's cached JSON line (rank null), read from the pack when asked for."""

    def __init__(self, cache: UnitCache):
        self._cache = cache

    def __getitem__(self, unit_id: str) -> bytes:
        line = self._cache.line(unit_id) if unit_id in self._cache.units else None
        if line is None:
            raise KeyError(unit_id)
        return line

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache.units)

    def __len__(self) -> int:
        return len(self._cache.units)


def _score_tier(inputs: YearInputs, cache: UnitCache, tier: TierCriteria, units: tuple[Unit, ...],
                published: bool) -> tuple[TierBests, Callable[[Unit], UnitResult]]:
    """Score the tier's units whose cached line is missing or out of date; returns the tier's
    bests (evaluate.tier_bests) and how to score one again."""
    submissions, reviews = inputs.submissions, inputs.reviews
    assert isinstance(submissions, LazyItems) and isinstance(reviews, LazyItems)
    # The unit's registry entry is not in its own key: the context already holds the whole
    # registry (cache.context_key reads units/*.yaml), and writing out 12,000 units took 0.05 s.
    shas, submitted, reviewed = inputs.shas, submissions.displays, reviews.displays
    own = {u.id: f"{shas[submitted[u.id]] if u.id in submitted else ''}/{shas[reviewed[u.id]] if u.id in reviewed else ''}"
           for u in units}
    relative: dict[str, tuple[dict, dict]] = {}
    for unit in units:
        if unit.id not in submissions:
            continue
        cached = cache.units.get(unit.id)
        if cached is not None and cached.own_key == own[unit.id]:
            relative[unit.id] = cached.relative_self, cached.relative_counted
        else:
            relative[unit.id] = relative_inputs(tier, inputs.criteria_set, inputs.cycle, submissions[unit.id],
                                                reviews.get(unit.id))
    bests = tier_bests(tier, list(relative.values()), inputs.cycle.relative_best)
    tier_key = _digest(tuple(bests), published)

    def rescore(unit: Unit) -> UnitResult:
        return unit_result(unit, tier, inputs.criteria_set, submissions.get(unit.id), reviews.get(unit.id),
                           bests, inputs.cycle)

    for unit in units:
        cached = cache.units.get(unit.id)
        # Its files and its tier's values as when it was scored: the same key, not worked out again.
        if (cached is not None and cached.own_key == own[unit.id] and cached.tier_key == tier_key
                and cached.addresses is not None):
            continue
        key = hashlib.sha256(f"{own[unit.id]}/{tier_key}".encode()).hexdigest()
        result = rescore(unit)
        self_rel, counted_rel = relative.get(unit.id, ({}, {}))
        cache.put(unit.id, ScoredUnit(own[unit.id], tier_key, key, result.status, result.level, result.total,
                                      result.stale_reviews, self_rel, counted_rel, None),
                  result, unit_line(result, inputs.criteria_set))
    return bests, rescore


def _tier_ranks(cache: UnitCache, units: tuple[Unit, ...], criteria_set: CriteriaSet) -> dict[str, int]:
    """The ranks of the tier's submitted units, from their cached levels and totals."""
    entries = [cache.units[u.id] for u in units]
    return ranks([(u.id, e.level, e.total) for u, e in zip(units, entries, strict=True) if is_ranked(e.status)], criteria_set)


def iter_json(inputs: YearInputs, tiers: tuple[str, ...] = TIERS) -> Iterator[bytes]:
    """export.iter_json(score(inputs)) as UTF-8, scoring and serialising only units whose inputs changed."""
    registry, cycle, criteria_set = inputs.registry, inputs.cycle, inputs.criteria_set
    assert registry is not None and cycle is not None and criteria_set is not None
    if not isinstance(inputs.submissions, LazyItems):  # inputs not read by read_year: nothing to reuse
        yield from (piece.encode("utf-8") for piece in export.iter_json(score(inputs), tiers))
        return
    cache = UnitCache(inputs)
    published = cycle.state == "published"
    listing: list[tuple[tuple, Unit, int | None]] = []
    rescore: dict[str, Callable[[Unit], UnitResult]] = {}
    bests: dict[str, TierBests] = {}
    for tier_id in TIERS:
        if tier_id not in criteria_set.tiers:
            continue
        units = registry.in_tier(tier_id)
        bests[tier_id], rescore[tier_id] = _score_tier(inputs, cache, criteria_set.tiers[tier_id], units, published)
        if tier_id not in tiers:
            continue
        rank_of = _tier_ranks(cache, units, criteria_set)
        listing.extend((listing_key(tier_id, rank_of.get(u.id), u.name, u.id), u, rank_of.get(u.id)) for u in units)
    cache.save({u.id for tier_id in criteria_set.tiers for u in registry.in_tier(tier_id)})
    listing.sort(key=lambda item: item[0])
    yield json_head(Results(inputs.year, cycle, criteria_set, (), bests), tiers).encode("utf-8")
    separator = b"\n"
    for _, unit, rank in listing:
        line = cache.line(unit.id)
        if line is None:  # another run compacted the pack meanwhile
            line = unit_line(rescore[unit.tier](unit), criteria_set).encode("utf-8")
        yield separator + ranked_line(line, rank)
        separator = b",\n"
    yield JSON_TAIL.encode("utf-8")


def score_cached(inputs: YearInputs) -> Results:
    """evaluate.score(inputs), with the UnitResults of units whose inputs did not change read from the cache."""
    registry, cycle, criteria_set = inputs.registry, inputs.cycle, inputs.criteria_set
    assert registry is not None and cycle is not None and criteria_set is not None
    if not isinstance(inputs.submissions, LazyItems):
        return score(inputs)
    cache = UnitCache(inputs)
    published = cycle.state == "published"
    tiers = [(tier_id, registry.in_tier(tier_id)) for tier_id in TIERS if tier_id in criteria_set.tiers]
    scored = {tier_id: _score_tier(inputs, cache, criteria_set.tiers[tier_id], units, published)
              for tier_id, units in tiers}
    cache.save({u.id for _, units in tiers for u in units})
    results: list[UnitResult] = []
    for tier_id, units in tiers:
        rank_of = _tier_ranks(cache, units, criteria_set)
        results.extend(cache.result(u, rank_of.get(u.id), partial(scored[tier_id][1], u)) for u in units)
    # The key is already a digest of the unit's inputs; the context covers cqdt and the year.
    fingerprints = {r.unit.id: f"{cache.context}:{cache.units[r.unit.id].key}" for r in results}
    return Results(inputs.year, cycle, criteria_set, tuple(results), {t: bests for t, (bests, _) in scored.items()},
                   fingerprints, CachedLines(cache))


def evaluate(root: DataRoot, year: int, *, recorded: bool = True) -> Results:
    """Read, check and score a year (units whose inputs did not change come from the cache);
    raises InputError on any problem. A published year's Results are its official record
    (flow.record), unless `recorded` is false: then the year is scored from the repository."""
    if recorded and (official := read_record(root, year)) is not None:
        return official
    return score_cached(require_valid(read_year(root, year)))
