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
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from . import export
from .cache import cache_path, code_version, loads, read_pickle, write_pickle
from .evaluate import (
    best_values,
    counted_values,
    ranks,
    relative_values,
    score,
    self_values,
    unit_result,
    with_ranks,
)
from .export import JSON_TAIL, json_head, listing_key, unit_line
from .model import TIERS, Results, TierCriteria, Unit, UnitResult
from .pack import Address, Pack
from .year import LazyItems, YearInputs

FORMAT = 3
# Modules whose code decides a unit's line, besides those that decide a file's check.
SCORING_MODULES = ("evaluate", "export", "levels", "model", "rules")
RANK_PLACEHOLDER = b'"rank":null'
FLUSH_EVERY = 500


class ScoredUnit(NamedTuple):
    """What the cache keeps of one unit's result."""

    own_key: str  # the unit and its files
    key: str  # own_key with the tier's best values and the publication state
    submitted: bool
    level: int | None
    total: Decimal
    relative_self: dict[str, Decimal | None]
    relative_counted: dict[str, Decimal | None]
    address: Address | None  # of the JSON line (rank null) in the lines pack
    result_address: Address | None  # of the pickled UnitResult (rank None) in the results pack


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class UnitCache:
    """Scored units of one year, by unit id; their lines sit in a pack beside the index."""

    def __init__(self, inputs: YearInputs):
        assert inputs.criteria_set is not None
        self.path = cache_path(inputs.root, inputs.year).with_suffix(".units")
        self.pack = Pack(self.path.with_suffix(".units-pack"))
        self.results_pack = Pack(self.path.with_suffix(".results-pack"))
        self.context = _digest(FORMAT, inputs.context, code_version(SCORING_MODULES))
        stored = read_pickle(self.path)
        fits = isinstance(stored, dict) and stored.get("context") == self.context
        self.units = {unit_id: ScoredUnit._make(entry) for unit_id, entry in stored["units"].items()} if fits else {}
        if not self.units:  # nothing indexes their records any more
            self.pack.clear()
            self.results_pack.clear()
        self.pending: dict[str, tuple[bytes, bytes]] = {}  # line and result not yet appended to the packs
        self.unwritable: dict[str, tuple[bytes, bytes]] = {}  # what the packs could not take (read-only cache)
        self.changed = False

    def _record(self, unit_id: str, which: int) -> bytes | None:
        entry = self.units[unit_id]
        held = self.pending.get(unit_id) or self.unwritable.get(unit_id)
        if held is not None:
            return held[which]
        address = entry.result_address if which else entry.address
        return None if address is None else (self.results_pack if which else self.pack).read(address)

    def line(self, unit_id: str) -> bytes | None:
        """The unit's cached line (rank null), or None if the pack lost it."""
        return self._record(unit_id, 0)

    def result(self, unit_id: str) -> UnitResult | None:
        """The unit's cached UnitResult (rank None), or None if the pack lost it."""
        record = self._record(unit_id, 1)
        return None if record is None else loads(record)

    def put(self, unit_id: str, entry: ScoredUnit, result: UnitResult, line: str) -> None:
        self.units[unit_id] = entry
        self.pending[unit_id] = line.encode("utf-8"), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self.changed = True
        if len(self.pending) >= FLUSH_EVERY:  # records go to disk as they come: a cold run holds few
            self.flush()

    def flush(self) -> None:
        lines = self.pack.store({name: held[0] for name, held in self.pending.items()})
        results = self.results_pack.store({name: held[1] for name, held in self.pending.items()})
        if lines is not None and results is not None:
            for name in self.pending:
                self.units[name] = self.units[name]._replace(address=lines[name], result_address=results[name])
        else:
            self.unwritable.update(self.pending)
        self.pending.clear()

    def save(self, unit_ids: set[str]) -> None:
        """Keep the given units (drop the rest) and write what changed."""
        for gone in set(self.units) - unit_ids:
            del self.units[gone]
            self.changed = True
        self.flush()
        if not self.changed:
            return
        for pack, field in ((self.pack, "address"), (self.results_pack, "result_address")):
            live = {name: getattr(e, field) for name, e in self.units.items() if getattr(e, field) is not None}
            for name, address in pack.compact(live).items():
                self.units[name] = self.units[name]._replace(**{field: address})
        # Plain tuples: pickle writes them natively, named tuples cost a Python call each.
        write_pickle(self.path, {"context": self.context, "units": {u: tuple(e) for u, e in self.units.items()}})


def _file_sha(inputs: YearInputs, items: LazyItems, unit_id: str) -> str:
    return inputs.shas[items.displays[unit_id]] if unit_id in items else ""


def _score_tier(inputs: YearInputs, cache: UnitCache, tier: TierCriteria, units: tuple[Unit, ...],
                published: bool) -> Callable[[Unit], UnitResult]:
    """Score the tier's units whose cached line is missing or out of date; returns how to score one again."""
    submissions, reviews = inputs.submissions, inputs.reviews
    assert isinstance(submissions, LazyItems) and isinstance(reviews, LazyItems)
    own = {u.id: _digest(u, _file_sha(inputs, submissions, u.id), _file_sha(inputs, reviews, u.id)) for u in units}
    relative: dict[str, tuple[dict, dict]] = {}
    for unit in units:
        if unit.id not in submissions:
            continue
        cached = cache.units.get(unit.id)
        if cached is not None and cached.own_key == own[unit.id]:
            relative[unit.id] = cached.relative_self, cached.relative_counted
        else:
            submission = submissions[unit.id]
            relative[unit.id] = (relative_values(tier, self_values(submission)),
                                 relative_values(tier, counted_values(submission, reviews.get(unit.id))))
    best_self = best_values(tier, [r[0] for r in relative.values()])
    best_counted = best_values(tier, [r[1] for r in relative.values()])
    tier_key = _digest(sorted(best_self.items()), sorted(best_counted.items()), published)
    for unit in units:
        key = _digest(own[unit.id], tier_key)
        cached = cache.units.get(unit.id)
        if cached is not None and cached.key == key and cached.address is not None \
                and cached.result_address is not None:
            continue
        result = unit_result(unit, tier, inputs.criteria_set, submissions.get(unit.id), reviews.get(unit.id),
                             best_self, best_counted, published)
        self_rel, counted_rel = relative.get(unit.id, ({}, {}))
        cache.put(unit.id, ScoredUnit(own[unit.id], key, result.submitted, result.level, result.total,
                                      self_rel, counted_rel, None, None), result, unit_line(result, inputs.criteria_set))
    return lambda unit: unit_result(unit, tier, inputs.criteria_set, submissions.get(unit.id), reviews.get(unit.id),
                                    best_self, best_counted, published)


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
    for tier_id in TIERS:
        if tier_id not in criteria_set.tiers:
            continue
        units = registry.in_tier(tier_id)
        rescore[tier_id] = _score_tier(inputs, cache, criteria_set.tiers[tier_id], units, published)
        if tier_id not in tiers:
            continue
        entries = [cache.units[u.id] for u in units]
        rank_of = ranks([(u.id, e.level, e.total) for u, e in zip(units, entries, strict=True) if e.submitted],
                        criteria_set)
        listing.extend((listing_key(tier_id, rank_of.get(u.id), u.id), u, rank_of.get(u.id)) for u in units)
    cache.save({u.id for tier_id in criteria_set.tiers for u in registry.in_tier(tier_id)})
    listing.sort(key=lambda item: item[0])
    yield json_head(Results(inputs.year, cycle, criteria_set, ()), tiers).encode("utf-8")
    separator = b"\n"
    for _, unit, rank in listing:
        line = cache.line(unit.id)
        if line is None:  # another run compacted the pack meanwhile
            line = unit_line(rescore[unit.tier](unit), criteria_set).encode("utf-8")
        if rank is not None:
            line = line.replace(RANK_PLACEHOLDER, b'"rank":%d' % rank, 1)
        yield separator + line
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
    results: list[UnitResult] = []
    for tier_id in TIERS:
        if tier_id not in criteria_set.tiers:
            continue
        units = registry.in_tier(tier_id)
        rescore = _score_tier(inputs, cache, criteria_set.tiers[tier_id], units, published)
        results.extend(with_ranks([cache.result(u.id) or rescore(u) for u in units], criteria_set))
    cache.save({u.id for tier_id in criteria_set.tiers for u in registry.in_tier(tier_id)})
    fingerprints = {r.unit.id: _digest(cache.context, cache.units[r.unit.id].key) for r in results}
    return Results(inputs.year, cycle, criteria_set, tuple(results), fingerprints)
