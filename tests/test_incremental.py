"""Scores from the memo: the same Results and the same bytes as scoring everything, less work."""

from __future__ import annotations

import pickle
import re
import sqlite3

import pytest
from conftest import copy_data

from scorer.core.evaluate import score
from scorer.export.results import to_json
from scorer.reading.paths import DataRoot
from scorer.shell import scoring as incremental
from scorer.shell.memo import Memo
from scorer.shell.scoring import StoredCriteria, evaluate, json_pieces
from scorer.shell.year import read_year, require_valid


@pytest.fixture(autouse=True)
def own_memo(tmp_path, monkeypatch):
    """A memo of each test's own: what another test scored (the same inputs) would be a hit."""
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "cache"))


def fresh(root: DataRoot, year: int):
    """The reference: every file checked and every unit scored, nothing from the memo."""
    return score(require_valid(read_year(root, year, memo=Memo(keep=False))))


def full_json(root: DataRoot, year: int, tiers=("so", "huyen", "xa")) -> str:
    return to_json(fresh(root, year), tiers)


def cached_json(root: DataRoot, year: int, tiers=("so", "huyen", "xa")) -> str:
    return b"".join(json_pieces(evaluate(root, year, recorded=False), tiers)).decode("utf-8")


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


def test_a_damaged_memo_costs_time_not_correctness(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    expected = cached_json(root, 2024)
    store = tmp_path / "cache" / "memo.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("UPDATE memo SET value = X'00' WHERE rowid % 3 = 0")
    scored_units.clear()
    assert cached_json(root, 2024) == expected
    assert 0 < len(scored_units) < 400  # the units whose entries were damaged, not every unit
    for suffix in ("", "-wal", "-shm"):
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    store.write_bytes(b"not a database")
    assert cached_json(root, 2024) == expected


def test_results_from_the_memo_equal_scoring_everything_cold_warm_and_after_changes(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    assert evaluate(root, 2024) == fresh(root, 2024)
    assert evaluate(root, 2024) == fresh(root, 2024)  # warm: every unit from the memo
    set_answer(root, "xa-bang-luan", "ht6", "900")
    cached, full = evaluate(root, 2024), fresh(root, 2024)
    assert cached == full and cached.unit("xa-bang-luan").rank == full.unit("xa-bang-luan").rank
    assert [r.digest for r in cached.units] == [r.digest for r in full.units]


def test_criteria_from_the_memo_are_read_when_walked_and_scored_again_if_lost(tmp_path, scored_units):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))
    expected = fresh(root, 2024).unit("xa-bang-luan")
    evaluate(root, 2024)
    scored_units.clear()
    warm = evaluate(root, 2024)
    assert scored_units == []  # nothing scored again: every result is the memo's
    commune = warm.unit("xa-bang-luan")
    assert isinstance(commune.criteria, StoredCriteria) and len(commune.criteria) == len(expected.criteria) > 0
    assert commune.criteria == expected.criteria and commune.criteria[0] == expected.criteria[0]
    assert pickle.loads(pickle.dumps(commune)) == expected
    with sqlite3.connect(tmp_path / "cache" / "memo.sqlite3") as db:
        db.execute("DELETE FROM memo WHERE key LIKE '% criteria %'")
    assert commune == expected and "xa-bang-luan" in scored_units


def test_a_digest_follows_the_result_not_how_it_is_held(tmp_path):
    root = DataRoot(copy_data(tmp_path / "data", years=(2024,)))

    def digests():
        return {r.unit.id: r.digest for r in evaluate(root, 2024).units}

    cold = digests()
    assert cold == {r.unit.id: r.digest for r in fresh(root, 2024).units} and digests() == cold
    set_answer(root, "xa-bang-luan", "ht1", "{numerator: 40, denominator: 80}")
    changed = digests()
    assert {u for u in cold if cold[u] != changed[u]} == {"xa-bang-luan"}
