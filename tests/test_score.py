"""`cqdt score`: every unit listed, sums exact, levels as Điều 7 gives, ranks with ties."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator
from test_levels import expected_level

from scorer.core.evaluate import score as score_inputs
from scorer.export.results import to_json
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry
from scorer.shell.memo import Memo
from scorer.shell.scoring import evaluate
from scorer.shell.year import read_year, require_valid

YEARS = (2023, 2024)


@pytest.fixture(scope="module", params=YEARS)
def scored(request, repo_root):
    from click.testing import CliRunner

    from scorer.cli import main

    result = CliRunner().invoke(main, ["--data", str(repo_root), "score", "--year", str(request.param), "--format", "json"])
    assert result.exit_code == 0, result.output[-2000:]
    return request.param, result.stdout


def test_json_conforms_to_the_results_schema(scored, repo_root):
    _, text = scored
    schema = json.loads((repo_root / "schema/results.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(json.loads(text, parse_float=Decimal)))
    assert errors == []


def test_every_registry_unit_is_listed_once(scored, repo_root):
    _, text = scored
    units = json.loads(text)["units"]
    registry = load_registry(DataRoot(repo_root))
    assert sorted(u["id"] for u in units) == sorted(u.id for u in registry.units)


def test_sums_and_levels_are_what_the_decision_gives(scored):
    _, text = scored
    data = json.loads(text, parse_float=Decimal)
    on_threshold = 0
    for unit in data["units"]:
        groups = {int(g): v for g, v in unit["groups"].items()}
        for group_id, value in groups.items():
            assert value == sum((c["points"] for c in unit["criteria"] if c["group"] == group_id), Decimal(0))
        assert unit["total"] == sum(groups.values(), Decimal(0))
        if unit["status"] == "not_submitted":
            assert unit["rank"] is None and unit["level"] is None
            continue
        assert unit["level"] == expected_level(unit["tier"], groups)
        tier = next(t for t in data["tiers"] if t["id"] == unit["tier"])
        minimums = {g["id"]: {Decimal(str(v)) for v in g["minimums"].values()} for g in tier["groups"]}
        on_threshold += sum(1 for g, v in groups.items() if v > 0 and v in minimums[g])
    assert on_threshold >= 10  # the demo data puts units exactly on Điều 7 minimums


def test_numbers_read_back_exactly_with_decimal(scored, repo_root):
    year, text = scored
    results = evaluate(DataRoot(repo_root), year)
    data = json.loads(text, parse_float=Decimal)
    by_id = {u["id"]: u for u in data["units"]}
    for r in results.units:
        assert by_id[r.unit.id]["total"] == r.total
        assert {int(k): v for k, v in by_id[r.unit.id]["groups"].items()} == r.group_scores
        for row, c in zip(by_id[r.unit.id]["criteria"], r.criteria, strict=True):
            assert row["points"] == c.counted_points and row["self_points"] == c.self_points


def test_ranks_are_competition_ranks_by_level_then_total(scored):
    _, text = scored
    data = json.loads(text, parse_float=Decimal)
    for tier in ("so", "huyen", "xa"):
        ranked = [u for u in data["units"] if u["tier"] == tier and u["rank"] is not None]
        assert ranked, tier
        key = [((u["level"] or 5), -u["total"]) for u in ranked]
        assert key == sorted(key)
        for position, unit in enumerate(ranked):
            if position and key[position] == key[position - 1]:
                assert unit["rank"] == ranked[position - 1]["rank"]
            else:
                assert unit["rank"] == position + 1


def test_gap_lists_the_groups_below_the_next_level(scored):
    _, text = scored
    data = json.loads(text, parse_float=Decimal)
    minimums = {t["id"]: {g["id"]: g["minimums"] for g in t["groups"]} for t in data["tiers"]}
    for unit in data["units"]:
        if unit["status"] == "not_submitted" or unit["level"] == 1:
            assert unit["gap"] is None
            continue
        target = 4 if unit["level"] is None else unit["level"] - 1
        assert unit["gap"]["level"] == target
        below = [g for g, v in unit["groups"].items()
                 if v < Decimal(str(minimums[unit["tier"]][int(g)][str(target)]))]
        assert [str(s["group"]) for s in unit["gap"]["shortfalls"]] == below
        assert all(s["missing"] == s["minimum"] - s["score"] for s in unit["gap"]["shortfalls"])


def test_csv_and_table_list_the_same_units(repo_root, cqdt):
    result = cqdt("--data", repo_root, "score", "--year", "2024", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    results = evaluate(DataRoot(repo_root), 2024)
    assert len(rows) == len(results.units)
    first = next(r for r in rows if r["tier"] == "so" and r["rank"] == "1")
    assert Decimal(first["total"]) == max(r.total for r in results.tier("so") if r.rank == 1)
    table = cqdt("--data", repo_root, "score", "--year", "2024", "--tier", "huyen").stdout
    assert "Cấp huyện (tối đa 150 điểm)" in table and "Cấp xã" not in table
    assert "Thành phố Việt Trì" in table


def test_output_is_identical_cold_warm_and_serial(repo_root, tmp_path, monkeypatch):
    root = DataRoot(repo_root)
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "cache"))
    cold = to_json(score_inputs(require_valid(read_year(root, 2024))))
    warm_inputs = read_year(root, 2024)
    assert warm_inputs.files_from_cache == warm_inputs.files_checked
    warm = to_json(score_inputs(require_valid(warm_inputs)))
    serial = to_json(score_inputs(require_valid(read_year(root, 2024, memo=Memo(keep=False), jobs=1))))
    assert cold == warm == serial


def test_unknown_year_is_a_clear_error(repo_root, cqdt):
    result = cqdt("--data", repo_root, "score", "--year", "1999")
    assert result.exit_code == 1
    assert "chưa có chu kỳ đánh giá năm 1999" in result.stderr


def test_new_writes_a_valid_empty_submission_and_never_overwrites(tmp_path, cqdt):
    from conftest import copy_data

    data = copy_data(tmp_path / "data", years=(2024,))
    (data / "submissions/2024/xa/xa-bang-luan.yaml").unlink()
    result = cqdt("--data", data, "new", "--unit", "xa-bang-luan", "--year", "2024")
    assert result.exit_code == 0
    path = data / result.stdout.strip()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schema/submission.qd-1609-2018.xa.schema.json")
    assert "# ht1. Tỷ lệ" in text and "(tối đa 5 điểm)" in text
    assert cqdt("--data", data, "validate", path).exit_code == 0
    again = cqdt("--data", data, "new", "--unit", "xa-bang-luan", "--year", "2024")
    assert again.exit_code != 0 and "không ghi đè" in again.output
    assert path.read_text(encoding="utf-8") == text
    unknown = cqdt("--data", data, "new", "--unit", "khong-co", "--year", "2024")
    assert unknown.exit_code != 0 and "Không có đơn vị 'khong-co'" in unknown.output


def test_committed_schemas_are_fresh(repo_root, cqdt):
    result = cqdt("--data", repo_root, "schemas", "--check")
    assert result.exit_code == 0, result.output


def test_stale_schema_is_detected(tmp_path, cqdt):
    from conftest import copy_data

    data = copy_data(tmp_path / "data", years=(2024,))
    schema = data / "schema/submission.qd-1609-2018.xa.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("tối đa 5 điểm", "tối đa 6 điểm", 1), encoding="utf-8")
    assert cqdt("--data", data, "schemas", "--check").exit_code == 1
    result = cqdt("--data", data, "validate")
    assert "schema/submission.qd-1609-2018.xa.schema.json:1:1: bản lược đồ trong thư mục schema/ đã cũ" in result.stderr
    assert cqdt("--data", data, "schemas").exit_code == 0
    assert cqdt("--data", data, "schemas", "--check").exit_code == 0


def test_demo_generator_is_seeded(tmp_path, repo_root):
    from conftest import copy_data

    from scorer.generators.demo import write_demo
    from scorer.reading.catalogue import load_criteria_set

    data = DataRoot(copy_data(tmp_path / "data", years=()))
    written = write_demo(data, load_registry(data), load_criteria_set(data, "qd-1609-2018"))
    assert written
    for path in written:
        rel = path.relative_to(data.root)
        assert path.read_bytes() == (repo_root / rel).read_bytes(), rel
    committed = sorted(p.relative_to(repo_root) for p in (repo_root / "submissions").rglob("*") if p.is_file())
    assert sorted(p.relative_to(data.root) for p in written) == committed


def test_static_schemas_are_cqdts_own_and_their_copies_are_kept_in_step(tmp_path, cqdt):
    """A data root whose schema/ lacks cqdt's static schemas (or holds an old copy) is checked by
    cqdt's own; `cqdt schemas` writes the copies a repository publishes."""
    from conftest import copy_data

    data = copy_data(tmp_path / "data", years=(2024,))
    (data / "schema" / "criteria-set.schema.json").unlink()
    (data / "schema" / "cycle.schema.json").write_text("{}", encoding="utf-8")  # would accept anything
    cycle = data / "submissions" / "2024" / "cycle.yaml"
    cycle.write_text(cycle.read_text(encoding="utf-8").replace("state: verifying", "state: halfway"), encoding="utf-8")
    result = cqdt("--data", data, "validate")
    assert result.exit_code == 1
    assert "schema/criteria-set.schema.json:1:1: bản lược đồ" in result.stderr
    assert "schema/cycle.schema.json:1:1: bản lược đồ" in result.stderr
    assert "submissions/2024/cycle.yaml" in result.stderr  # "halfway" is no state, by cqdt's own schema
    assert cqdt("--data", data, "schemas").exit_code == 0
    assert (data / "schema" / "criteria-set.schema.json").is_file()
    assert cqdt("--data", data, "schemas", "--check").exit_code == 0
