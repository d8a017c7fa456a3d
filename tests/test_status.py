"""`cqdt status`: submission dates from git, late marks, verification states, outstanding units."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from flowdata import Repo, make_data, write_submission, yaml_text

from scorer.flow.status import status_text, year_status
from scorer.reading.paths import DataRoot


def _review(root: DataRoot, unit: str, tier: str, stage: str, reviewer: str) -> None:
    sha = hashlib.sha256(root.submission_path(2024, tier, unit).read_bytes()).hexdigest()
    record = {"unit": unit, "year": 2024, "reviews": [
        {"stage": stage, "reviewer": reviewer, "date": "2024-11-05", "submission_sha256": sha, "answers": {}}]}
    root.review_path(2024, tier, unit).write_text(yaml_text(record), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    root = make_data(repo.path, {2024: "verifying"})
    repo.commit("sotttt-admin", "setup", date="2024-09-01T08:00:00+07:00")
    write_submission(root, "xa-a1")
    repo.commit("xaa1-clerk", "on time", date="2024-10-14T16:00:00+07:00")
    write_submission(root, "xa-a2")
    repo.commit("xaa2-clerk", "late", date="2024-10-16T08:00:00+07:00")
    write_submission(root, "so-noi-vu")
    repo.commit("noivu-clerk", "on time", date="2024-10-31T17:00:00+07:00")
    _review(root, "xa-a1", "xa", "district", "huyena-reviewer")
    _review(root, "so-noi-vu", "so", "province", "sotttt-reviewer")
    _review(root, "xa-a2", "xa", "province", "sotttt-reviewer")
    repo.commit("sotttt-reviewer", "verified", date="2024-11-05T08:00:00+07:00")
    write_submission(root, "xa-a2", strength=9)
    repo.commit("xaa2-clerk", "changed after verification", date="2024-11-06T08:00:00+07:00")
    path = root.submission_path(2024, "huyen", "huyen-a")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("unit: huyen-a\nyear: 2024\nanswers: {}\n", encoding="utf-8")
    repo.commit("huyena-clerk", "incomplete", date="2024-10-30T08:00:00+07:00")
    return repo


def test_states_and_dates(repo: Repo):
    status = year_status(DataRoot(repo.path), 2024)
    units = {u.unit.id: u for t in status.tiers for u in t.units}
    assert {k: (u.state, u.submitted_on and u.submitted_on.isoformat(), u.late) for k, u in units.items()} == {
        "so-noi-vu": ("verified", "2024-10-31", False),
        "huyen-a": ("invalid", "2024-10-30", False),
        "huyen-b": ("not_submitted", None, False),
        "xa-a1": ("district_verified", "2024-10-14", False),
        "xa-a2": ("needs_reverification", "2024-10-16", True),
        "xa-b1": ("not_submitted", None, False),
    }
    xa = next(t for t in status.tiers if t.tier == "xa")
    assert xa.verification_due.isoformat() == "2025-01-24"
    assert (xa.late, xa.count("not_submitted")) == (1, 1)


def test_text_report(repo: Repo, cqdt):
    result = cqdt("--data", repo.path, "status", "--year", "2024")
    assert result.exit_code == 0, result.output
    assert "Cấp xã: hạn nộp 15/10/2024; hạn thẩm định của Sở TT&TT 24/01/2025 (60 ngày làm việc)" in result.output
    assert "Đã nộp 2/3 (nộp muộn 1)" in result.output
    assert "xa-a2                        16/10/2024  bài nộp đã sửa sau thẩm định, cần thẩm định lại (nộp muộn)" in result.output
    assert result.output == status_text(year_status(DataRoot(repo.path), 2024))


def test_json_report(repo: Repo, cqdt):
    data = json.loads(cqdt("--data", repo.path, "status", "--year", "2024", "--format", "json").output)
    xa = next(t for t in data["tiers"] if t["tier"] == "xa")
    assert [u["id"] for u in xa["units"] if u["late"]] == ["xa-a2"]
    assert data["dates_known"] is True


def test_without_git_history(tmp_path: Path):
    root = make_data(tmp_path / "plain")
    write_submission(root, "xa-a1")
    status = year_status(root, 2024)
    assert status.dates_known is False
    unit = next(u for t in status.tiers for u in t.units if u.unit.id == "xa-a1")
    assert (unit.state, unit.submitted_on, unit.late) == ("submitted", None, False)
    assert "chưa biết ngày nộp" in status_text(status)
