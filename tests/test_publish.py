"""`cqdt publish`: the official results file, the freeze, and amendments by a new decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flowdata import make_data, write_review, write_submission

from scorer.flow.publish import frozen_problems
from scorer.flow.validate import validate_all, validate_paths
from scorer.reading.cycle import check_cycle
from scorer.reading.paths import DataRoot


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    root = make_data(tmp_path / "data", {2024: "verifying"})
    write_submission(root, "xa-a1", strength=8)
    write_submission(root, "so-noi-vu", strength=9)
    write_review(root, "xa-a1")
    write_review(root, "so-noi-vu")
    return root


def _publish(cqdt, root: DataRoot, decision: str = "519/QĐ-UBND", day: str = "2025-03-08", *more: str):
    return cqdt("--data", root.root, "publish", "--year", "2024", "--decision", decision, "--date", day, *more)


def test_publish_writes_official_results(cqdt, root: DataRoot):
    result = _publish(cqdt, root)
    assert result.exit_code == 0, result.output
    official = json.loads(root.results_path(2024).read_text(encoding="utf-8"))
    assert official["decision"] == {"decision": "519/QĐ-UBND", "date": "2025-03-08"}
    assert sorted(official["files"]) == ["submissions/2024/so/so-noi-vu.review.yaml", "submissions/2024/so/so-noi-vu.yaml",
                                         "submissions/2024/xa/xa-a1.review.yaml", "submissions/2024/xa/xa-a1.yaml"]
    assert official["results"]["state"] == "published"
    assert {u["status"] for u in official["results"]["units"] if u["id"] in ("xa-a1", "so-noi-vu")} == {"published"}
    cycle = root.cycle_path(2024).read_text(encoding="utf-8")
    assert "state: published" in cycle and "519/QĐ-UBND" in cycle
    assert validate_all(root).ok


def test_publishing_again_is_byte_identical(cqdt, root: DataRoot):
    _publish(cqdt, root)
    first = root.results_path(2024).read_bytes(), root.cycle_path(2024).read_bytes()
    assert _publish(cqdt, root).exit_code == 0
    assert (root.results_path(2024).read_bytes(), root.cycle_path(2024).read_bytes()) == first


def test_change_after_publication_fails_validation(cqdt, root: DataRoot):
    _publish(cqdt, root)
    path = root.submission_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("note: ''", "note: sửa sau", 1), encoding="utf-8")
    report = validate_paths(root, [path])
    assert [p.path for p in report.problems] == ["submissions/2024/xa/xa-a1.yaml"]
    assert "đã thay đổi sau khi công bố" in report.problems[0].message
    assert "519/QĐ-UBND" in report.problems[0].message
    assert not validate_all(root).ok
    result = cqdt("--data", root.root, "validate")
    assert result.exit_code == 1


def test_added_and_deleted_files_after_publication(cqdt, root: DataRoot):
    _publish(cqdt, root)
    write_submission(root, "xa-a2", strength=5)
    root.submission_path(2024, "so", "so-noi-vu").unlink()
    problems = {p.path: p.message for p in frozen_problems(root, 2024, check_cycle(root, 2024)[0])}
    assert "được thêm sau khi công bố" in problems["submissions/2024/xa/xa-a2.yaml"]
    assert "đã bị xóa sau khi công bố" in problems["submissions/2024/so/so-noi-vu.yaml"]


def test_amendment_by_a_new_decision(cqdt, root: DataRoot):
    _publish(cqdt, root)
    before = json.loads(root.results_path(2024).read_text(encoding="utf-8"))
    cycle = root.cycle_path(2024)
    cycle.write_text(cycle.read_text(encoding="utf-8") + "amendments:\n  - {decision: 777/QĐ-UBND, date: 2025-05-02, "
                     "units: [xa-a1], reason: Xã A Một khai thiếu số liệu}\n", encoding="utf-8")
    write_submission(root, "xa-a1", strength=3)
    write_review(root, "xa-a1", day="2025-04-20")
    assert frozen_problems(root, 2024, check_cycle(root, 2024)[0]) == [], "a pending amendment lets the units it names change"
    result = _publish(cqdt, root, "777/QĐ-UBND", "2025-05-02")
    assert result.exit_code == 0, result.output
    after = json.loads(root.results_path(2024).read_text(encoding="utf-8"))
    assert after["decision"] == before["decision"]
    assert [{k: a[k] for k in ("decision", "date", "units")} for a in after["amendments"]] == [
        {"decision": "777/QĐ-UBND", "date": "2025-05-02", "units": ["xa-a1"]}]
    total = {u["id"]: u["total"] for u in after["results"]["units"]}
    assert total["xa-a1"] < {u["id"]: u["total"] for u in before["results"]["units"]}["xa-a1"]
    assert validate_all(root).ok
    change = next(c for c in after["amendments"][0]["changes"] if c["unit"] == "xa-a1")
    assert change["before"]["total"] > change["after"]["total"]
    write_submission(root, "xa-a1", strength=4)
    assert [p.path for p in frozen_problems(root, 2024, check_cycle(root, 2024)[0])] == ["submissions/2024/xa/xa-a1.yaml"]


def test_amendment_added_by_the_command(cqdt, root: DataRoot):
    _publish(cqdt, root)
    amend = ("--unit", "so-noi-vu", "--reason", "Sửa lỗi đánh máy")
    assert _publish(cqdt, root, "800/QĐ-UBND", "2025-06-01", *amend).exit_code == 0
    assert ("{decision: 800/QĐ-UBND, date: '2025-06-01', units: [so-noi-vu], reason: Sửa lỗi đánh máy}"
            in root.cycle_path(2024).read_text(encoding="utf-8"))
    result = _publish(cqdt, root, "801/QĐ-UBND", "2025-01-01", *amend)
    assert result.exit_code == 1
    assert "phải có ngày từ 01/06/2025" in result.output


def test_same_decision_with_another_date(cqdt, root: DataRoot):
    _publish(cqdt, root)
    result = _publish(cqdt, root, day="2025-03-09")
    assert result.exit_code == 1
    assert "đã ghi ngày 08/03/2025" in result.output


def test_reopening_a_published_year(cqdt, root: DataRoot):
    _publish(cqdt, root)
    cycle = root.cycle_path(2024)
    cycle.write_text(cycle.read_text(encoding="utf-8").replace("state: published", "state: open"), encoding="utf-8")
    problems = validate_paths(root, [cycle]).problems
    assert any("không được mở lại năm đã công bố" in p.message for p in problems)


def test_published_without_results_file(root: DataRoot):
    cycle = root.cycle_path(2024)
    cycle.write_text(cycle.read_text(encoding="utf-8").replace("state: verifying", "state: published")
                     + "publication: {decision: 1/QĐ-UBND, date: 2025-01-02}\n", encoding="utf-8")
    problems = frozen_problems(root, 2024, check_cycle(root, 2024)[0])
    assert [p.path for p in problems] == ["submissions/2024/cycle.yaml"]
    assert 'cqdt publish --year 2024 --decision "1/QĐ-UBND" --date 2025-01-02' in problems[0].message


def test_invalid_data_publishes_nothing(cqdt, root: DataRoot):
    path = root.submission_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2024", "year: 2023"), encoding="utf-8")
    cycle_before = root.cycle_path(2024).read_bytes()
    result = _publish(cqdt, root)
    assert result.exit_code == 1
    assert "xa-a1.yaml" in result.output
    assert not root.results_path(2024).exists()
    assert root.cycle_path(2024).read_bytes() == cycle_before
