"""The results document from the unit cache: the same bytes as scoring everything, less work."""

from __future__ import annotations

import pickle
import re
from dataclasses import replace

import pytest
from conftest import copy_data

from scorer.core.evaluate import score
from scorer.core.model import LazyCriteria, UnitResult
from scorer.export.results import to_json
from scorer.reading.paths import DataRoot
from scorer.shell import cache as cache_module
from scorer.shell import scoring as incremental
from scorer.shell.cache import append_pickles, read_pickles
from scorer.shell.year import read_year, require_valid


def full_json(root: DataRoot, year: int, tiers=("so", "huyen", "xa")) -> str:
    """The reference: every unit scored and written, no unit cache involved."""
    return to_json(score(require_valid(read_year(root, year, use_cache=False))), tiers)


def cached_json(root: DataRoot, year: int, tiers=("so", "huyen", "xa")) -> str:
    return b"".join(incremental.iter_json(require_valid(read_year(root, year)), tiers)).decode("utf-8")


@pytest.fixture
def scored_units(monkeypatch) -> list[str]:
    """Ids of the units scored again (not taken from the cache) during a test."""
    calls: list[str] = []
    real = incremental.unit_result

    def counting(unit, *args, **kwargs):
        calls.append(unit.id)
        return real(unit, *args, **kwargs)

    monkeypatch.setattr(incremental, "unit_result", counting)
    return calls


def set_answer(root: DataRoot, unit_id: str, criterion: str, value: str) -> None:
    path = root.submission_path(2024, "xa", unit_id)
    text = path.read_text(encoding="utf-8")
    changed = re.sub(rf"(\n  {criterion}:\n    value: )[^\n]+", rf"\g<1>{value}", text, count=1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


@pytest.mark.parametrize("year", [2023, 2024])
def test_cold_and_warm_documents_equal_scoring_everything(tmp_path, year, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(year,)))
    expected = full_json(root, year)
    assert cached_json(root, year) == expected
    cold = len(scored_units)
    assert cold > 200
    assert cached_json(root, year) == expected
    assert len(scored_units) == cold  # the warm run scored nobody


def test_one_changed_answer_rescores_one_unit(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cached_json(root, 2024)
    scored_units.clear()
    set_answer(root, "xa-bang-luan", "ht1", "{numerator: 40, denominator: 80}")
    assert cached_json(root, 2024) == full_json(root, 2024)
    assert scored_units == ["xa-bang-luan"]


def test_a_run_that_scored_a_few_units_journals_their_entries_and_the_next_run_reads_them(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cached_json(root, 2024)
    cache = incremental.UnitCache(require_valid(read_year(root, 2024)))
    index = cache.path.read_bytes()
    for value in (40, 30):
        set_answer(root, "xa-bang-luan", "ht1", f"{{numerator: {value}, denominator: 80}}")
        scored_units.clear()
        assert cached_json(root, 2024) == full_json(root, 2024)
        assert scored_units == ["xa-bang-luan"]
    assert cache.path.read_bytes() == index  # the index was not written again
    assert len(read_pickles(cache.journal.path)) == 2
    scored_units.clear()
    assert cached_json(root, 2024) == full_json(root, 2024)
    assert scored_units == []  # the journaled entry was read back
    # A journal cut short: the unit whose entry is lost is scored again, the result is the same.
    cache.journal.path.write_bytes(cache.journal.path.read_bytes()[:-5])
    assert cached_json(root, 2024) == full_json(root, 2024)
    assert scored_units == ["xa-bang-luan"]


def test_many_changed_entries_write_a_new_index_and_drop_the_journal(tmp_path, scored_units, monkeypatch):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cached_json(root, 2024)
    set_answer(root, "xa-bang-luan", "ht1", "{numerator: 40, denominator: 80}")
    cached_json(root, 2024)
    cache = incremental.UnitCache(require_valid(read_year(root, 2024)))
    assert cache.journal.path.is_file()
    index, generation = cache.path.read_bytes(), cache.journal.generation
    monkeypatch.setattr(cache_module, "journal_limit", lambda entries: 0)
    set_answer(root, "xa-bang-luan", "ht1", "{numerator: 30, denominator: 80}")
    assert cached_json(root, 2024) == full_json(root, 2024)
    assert not cache.journal.path.exists() and cache.path.read_bytes() != index
    again = incremental.UnitCache(require_valid(read_year(root, 2024)))
    assert again.journal.generation != generation and again.journal.count == 0
    # Entries journaled against the older index are ignored, whatever the journal holds.
    append_pickles(cache.journal.path, [(generation, "xa-bang-luan", None)])
    assert "xa-bang-luan" in incremental.UnitCache(require_valid(read_year(root, 2024))).units


def test_a_new_best_relative_value_rescores_the_whole_tier(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    before = cached_json(root, 2024)
    scored_units.clear()
    set_answer(root, "xa-bang-luan", "ht6", "900")  # a new self-assessed best: everyone else's self points fall
    after = cached_json(root, 2024)
    assert after == full_json(root, 2024) and after != before
    communes = {u.id for u in require_valid(read_year(root, 2024)).registry.in_tier("xa")}
    assert set(scored_units) == communes


def test_a_changed_review_record_and_a_removed_submission(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cached_json(root, 2024)
    reviews = sorted(root.year_dir(2024).glob("xa/*.review.yaml"))
    assert reviews
    reviews[0].unlink()
    root.submission_path(2024, "xa", "xa-bang-luan").unlink()
    (root.year_dir(2024) / "xa" / "xa-bang-luan.review.yaml").unlink(missing_ok=True)
    assert cached_json(root, 2024) == full_json(root, 2024)


def test_only_some_tiers(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    cached_json(root, 2024)
    assert cached_json(root, 2024, ("huyen",)) == full_json(root, 2024, ("huyen",))


def test_a_damaged_cache_costs_time_not_correctness(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    expected = cached_json(root, 2024)
    cache = incremental.UnitCache(require_valid(read_year(root, 2024)))
    lines = cache.packs[incremental.LINE].path
    data = lines.read_bytes()
    lines.write_bytes(data[: len(data) // 2] + b"x" * (len(data) - len(data) // 2))
    scored_units.clear()
    assert cached_json(root, 2024) == expected
    assert 0 < len(scored_units) < 400  # the units whose lines were damaged, not every unit
    cache.path.write_bytes(b"not a pickle")
    assert cached_json(root, 2024) == expected


def test_cached_results_equal_scoring_everything_cold_warm_and_after_changes(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))

    def both():
        inputs = require_valid(read_year(root, 2024))
        return incremental.score_cached(inputs), score(require_valid(read_year(root, 2024, use_cache=False)))

    cached, full = both()
    assert cached == full
    assert both()[0] == full  # warm: every unit from the cache
    set_answer(root, "xa-bang-luan", "ht6", "900")
    cached, full = both()
    assert cached == full and cached.unit("xa-bang-luan").rank == full.unit("xa-bang-luan").rank


def test_cached_criteria_are_read_when_walked_and_made_again_if_their_pack_is_lost(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    full = score(require_valid(read_year(root, 2024, use_cache=False)))
    expected = full.unit("xa-bang-luan")
    incremental.score_cached(require_valid(read_year(root, 2024)))
    scored_units.clear()
    warm = incremental.score_cached(require_valid(read_year(root, 2024)))
    assert scored_units == []  # nothing scored again: every result is the cache's
    commune = warm.unit("xa-bang-luan")
    assert isinstance(commune.criteria, LazyCriteria) and len(commune.criteria) == len(expected.criteria) > 0
    assert commune.criteria == expected.criteria and commune.criteria[0] == expected.criteria[0]
    assert pickle.loads(pickle.dumps(commune)) == expected
    again = incremental.score_cached(require_valid(read_year(root, 2024)))
    criteria = incremental.UnitCache(require_valid(read_year(root, 2024))).packs[incremental.CRITERIA].path
    criteria.unlink()  # as another run's compaction does: the file is replaced, not rewritten in place
    criteria.write_bytes(b"garbage")
    assert again == full and "xa-bang-luan" in scored_units


def test_cached_results_read_a_units_summary_only_when_a_field_beyond_the_index_is_asked(tmp_path, monkeypatch):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    full = score(require_valid(read_year(root, 2024, use_cache=False)))
    incremental.score_cached(require_valid(read_year(root, 2024)))
    read: list[str] = []
    real = incremental.UnitCache.record

    def spy(self, unit_id, which):
        if which == incremental.SUMMARY:
            read.append(unit_id)
        return real(self, unit_id, which)

    monkeypatch.setattr(incremental.UnitCache, "record", spy)
    warm = incremental.score_cached(require_valid(read_year(root, 2024)))
    expected = full.unit("xa-bang-luan")
    commune = warm.unit("xa-bang-luan")
    # What ranking and counting every unit needs comes from the index alone.
    assert [(r.rank, r.level, r.total, r.submitted, r.needs_reverification) for r in warm.units] == [
        (r.rank, r.level, r.total, r.submitted, r.needs_reverification) for r in full.units]
    assert read == []
    assert commune.group_scores == expected.group_scores and read == ["xa-bang-luan"]
    assert commune.gap == expected.gap and read == ["xa-bang-luan"]  # read once
    assert commune == expected and expected == commune
    moved = replace(commune, rank=99)  # a plain result of the same values
    assert type(moved) is UnitResult and moved.group_scores == expected.group_scores and moved.rank == 99


def test_a_lost_summary_is_scored_again_when_a_field_beyond_the_index_is_asked(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    full = score(require_valid(read_year(root, 2024, use_cache=False)))
    incremental.score_cached(require_valid(read_year(root, 2024)))
    warm = incremental.score_cached(require_valid(read_year(root, 2024)))
    summaries = incremental.UnitCache(require_valid(read_year(root, 2024))).packs[incremental.SUMMARY].path
    summaries.unlink()  # as another run's compaction does: the file is replaced, not rewritten in place
    summaries.write_bytes(b"garbage")
    scored_units.clear()
    commune = warm.unit("xa-bang-luan")
    assert commune.rank == full.unit("xa-bang-luan").rank and scored_units == []  # from the index
    assert commune.group_scores == full.unit("xa-bang-luan").group_scores and scored_units == ["xa-bang-luan"]
    assert commune == full.unit("xa-bang-luan")


def test_fingerprints_stay_while_inputs_stay_and_follow_what_a_result_depends_on(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))

    def fingerprints():
        return incremental.score_cached(require_valid(read_year(root, 2024))).fingerprints

    cold = fingerprints()
    registry = require_valid(read_year(root, 2024)).registry
    assert set(cold) == {u.id for u in registry.units} and fingerprints() == cold
    set_answer(root, "xa-bang-luan", "ht1", "{numerator: 40, denominator: 80}")
    changed = fingerprints()
    assert {u for u in cold if cold[u] != changed[u]} == {"xa-bang-luan"}
    set_answer(root, "xa-bang-luan", "ht6", "900")  # a new self-assessed best: every commune's result depends on it
    communes = {u.id for u in registry.in_tier("xa")}
    again = fingerprints()
    assert {u for u in cold if again[u] != changed[u]} == communes


def test_a_lazy_result_made_by_of_is_the_one_made_by_keywords():
    from decimal import Decimal

    from scorer.core.model import LazyUnitResult, Unit, UnitResult

    unit = Unit(id="xa-a", name="Xã A", tier="xa", kind="xa", district="huyen-b")
    eager = {"unit": unit, "rank": 3, "status": "verified", "total": Decimal("25.2"), "level": 4, "stale_reviews": ()}
    made = {"group_scores": {1: Decimal("3")}, "criteria": ()}
    rest = {f: made.get(f, UnitResult.__dataclass_fields__[f].default) for f in UnitResult.__dataclass_fields__
            if f not in eager}
    by_keywords = LazyUnitResult(lambda: rest, **eager)
    by_of = LazyUnitResult.of(lambda: rest, *eager.values())
    assert by_of == by_keywords and by_of.rank == 3 and by_of.total == Decimal("25.2")
    assert by_of.group_scores == {1: Decimal("3")}
