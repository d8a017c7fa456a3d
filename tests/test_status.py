"""`cqdt status`: receipts, late marks, verification states, overdue verification, outstanding units."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from flowdata import make_data, submission, write_submission, yaml_text

from scorer.flow.receipts import Receipt, ledger_path, ledger_text
from scorer.flow.status import status_text, status_to_dict, year_status
from scorer.reading.paths import DataRoot


def _sha(root: DataRoot, tier: str, unit: str) -> str:
    return hashlib.sha256(root.submission_path(2024, tier, unit).read_bytes()).hexdigest()


def _review(root: DataRoot, unit: str, tier: str, *stages: tuple[str, str], sha: str | None = None) -> None:
    sha = sha or _sha(root, tier, unit)
    record = {"unit": unit, "year": 2024, "reviews": [
        {"stage": stage, "reviewer": reviewer, "date": "2024-11-05", "submission_sha256": sha, "answers": {}}
        for stage, reviewer in stages]}
    root.review_path(2024, tier, unit).write_text(yaml_text(record), encoding="utf-8")


def _receipt(root: DataRoot, tier: str, unit: str, at: str, number: int) -> Receipt:
    path = f"submissions/2024/{tier}/{unit}.yaml"
    return Receipt(path, datetime.fromisoformat(at), _sha(root, tier, unit), number)


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    """xa-a1 on time, district-verified; xa-a2 late, province-verified, then edited (the edit
    received later still); so-noi-vu verified on its last day; huyen-a a broken file."""
    root = make_data(tmp_path / "data", {2024: "verifying"})
    receipts = []
    write_submission(root, "xa-a1")
    receipts.append(_receipt(root, "xa", "xa-a1", "2024-10-15T16:59:59+00:00", 3))  # 23:59:59 on 15/10 in Vietnam
    write_submission(root, "xa-a2")
    receipts.append(_receipt(root, "xa", "xa-a2", "2024-10-15T17:00:00+00:00", 4))  # 00:00 on 16/10 in Vietnam
    _review(root, "xa-a2", "xa", ("district", "huyena-reviewer"), ("province", "sotttt-reviewer"))
    write_submission(root, "xa-a2", strength=9)
    receipts.append(_receipt(root, "xa", "xa-a2", "2024-11-06T01:00:00+00:00", 6))
    write_submission(root, "so-noi-vu")
    receipts.append(_receipt(root, "so", "so-noi-vu", "2024-10-31T09:00:00+07:00", 5))
    _review(root, "xa-a1", "xa", ("district", "huyena-reviewer"))
    _review(root, "so-noi-vu", "so", ("province", "sotttt-reviewer"))
    path = root.submission_path(2024, "huyen", "huyen-a")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("unit: huyen-a\nyear: 2024\nanswers: {}\n", encoding="utf-8")
    ledger_path(root, 2024).write_text(ledger_text(receipts), encoding="utf-8")
    return root


def _units(status) -> dict:
    return {u.unit.id: u for t in status.tiers for u in t.units}


def test_states_receipts_and_late_marks(root: DataRoot):
    units = _units(year_status(root, 2024, date(2024, 11, 20)))
    assert {k: (u.state, u.receipt and u.receipt.received_on.isoformat(), u.late) for k, u in units.items()} == {
        "so-noi-vu": ("verified", "2024-10-31", False),
        "huyen-a": ("invalid", None, None),
        "huyen-b": ("not_submitted", None, None),
        "xa-a1": ("partly_verified", "2024-10-15", False),
        "xa-a2": ("needs_reverification", "2024-11-06", True),
        "xa-b1": ("not_submitted", None, None),
    }
    assert (units["xa-a2"].stale, units["xa-a2"].waiting_for) == (("district", "province"), ("district", "province"))


def test_overdue_verification_is_flagged(root: DataRoot):
    before = year_status(root, 2024, date(2024, 10, 31))
    assert not any(u.overdue for u in _units(before).values())
    after = year_status(root, 2024, date(2025, 1, 27))  # past 24/01/2025, Sở TT&TT's 60 working days
    units = _units(after)
    assert {k: u.overdue for k, u in units.items() if u.overdue} == {
        "xa-a1": ("province",), "xa-a2": ("district", "province")}
    xa = next(t for t in after.tiers if t.tier == "xa")
    assert [(s.stage.id, s.due.isoformat(), s.overdue) for s in xa.stages] == [
        ("district", "2024-10-31", True), ("province", "2025-01-24", True)]


def test_a_published_year_has_nothing_overdue(root: DataRoot):
    path = root.cycle_path(2024)
    path.write_text(path.read_text(encoding="utf-8").replace("state: verifying", "state: published\n"
                    "publication: {decision: 1/QĐ-UBND, date: '2025-03-01'}"), encoding="utf-8")
    assert not any(u.overdue for u in _units(year_status(root, 2024, date(2025, 6, 1))).values())


def test_text_report_names_units_and_flags_what_is_late_or_overdue(root: DataRoot, cqdt):
    result = cqdt("--data", root.root, "status", "--year", "2024", "--today", "2025-01-27")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "Năm 2024: đang thẩm định",
        "Tính đến ngày 27/01/2025.",
        "Thời điểm nộp theo sổ biên nhận submissions/2024/receipts.jsonl (đồng hồ của GitHub, không theo ngày ghi trong commit).",
    ]
    assert ("Cấp xã: hạn nộp 15/10/2024; UBND huyện thẩm định trước 31/10/2024 (đã quá hạn); "
            "Sở TT&TT thẩm định trước 24/01/2025 (đã quá hạn)") in lines
    assert ("  Đã nộp 2/3 (nộp muộn 1); đã thẩm định 0; chờ thẩm định lại 1; quá hạn thẩm định 2; "
            "có lỗi 0; chưa nộp 1") in lines
    assert "  Xã A Một  15/10/2024  UBND huyện đã thẩm định, chờ Sở TT&TT; quá hạn thẩm định: Sở TT&TT" in lines
    assert ("  Xã A Hai  06/11/2024  chờ thẩm định lại: bài nộp đã sửa sau thẩm định của UBND huyện, Sở TT&TT "
            "(nộp muộn); quá hạn thẩm định: UBND huyện, Sở TT&TT") in lines
    assert "  Xã B Một  –           chưa nộp" in lines
    assert "xa-a1" not in result.output, "units are shown by name"
    assert result.output == status_text(year_status(root, 2024, date(2025, 1, 27)))


def test_json_report_is_the_library_status(root: DataRoot, cqdt):
    result = cqdt("--data", root.root, "status", "--year", "2024", "--format", "json", "--today", "2024-11-20")
    data = json.loads(result.output)
    assert data == json.loads(json.dumps(status_to_dict(year_status(root, 2024, date(2024, 11, 20)))))
    xa = next(t for t in data["tiers"] if t["tier"] == "xa")
    assert [u["id"] for u in xa["units"] if u["late"]] == ["xa-a2"]
    assert xa["units"][0] == {"id": "xa-a1", "name": "Xã A Một", "state": "partly_verified",
                              "received_at": "2024-10-15T16:59:59Z", "received_on": "2024-10-15", "pull_request": 3,
                              "late": False, "verified_by": ["district"], "stale": [], "overdue": []}
    assert data["receipts"] == "submissions/2024/receipts.jsonl"


def test_a_version_without_receipt_is_said_plainly(root: DataRoot):
    write_submission(root, "xa-a1", strength=7)  # changed here, never received through GitHub
    status = year_status(root, 2024, date(2024, 11, 20))
    unit = _units(status)["xa-a1"]
    assert (unit.receipt, unit.late) == (None, None)
    assert "Xã A Một  –           chờ thẩm định lại: bài nộp đã sửa sau thẩm định của UBND huyện " \
           "(phiên bản này chưa có biên nhận)" in status_text(status)


def test_without_a_ledger_nobody_is_marked_late(tmp_path: Path):
    root = make_data(tmp_path / "plain")
    write_submission(root, "xa-a1")
    status = year_status(root, 2024, date(2024, 12, 1))
    unit = _units(status)["xa-a1"]
    assert (unit.state, unit.receipt, unit.late) == ("submitted", None, None)
    assert ("Chưa có sổ biên nhận (submissions/2024/receipts.jsonl): chưa biết thời điểm nộp, "
            "chưa xác định ai nộp muộn.") in status_text(status)


def test_a_file_answering_no_criterion_is_not_a_submission(tmp_path: Path):
    root = make_data(tmp_path / "data")
    empty = submission(root, "xa-a1")
    for answer in empty["answers"].values():
        answer.update(value=None, evidence=[])
    path = root.submission_path(2024, "xa", "xa-a1")
    path.parent.mkdir(parents=True)
    path.write_text(yaml_text(empty), encoding="utf-8")
    status = year_status(root, 2024, date(2024, 10, 1))
    assert _units(status)["xa-a1"].state == "empty"
    assert next(t for t in status.tiers if t.tier == "xa").count("not_submitted", "empty") == 3
