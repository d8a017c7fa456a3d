"""`cqdt review`: a verification entry for a reviewer, valid as written, appended to an existing record."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flowdata import make_data, write_submission

from scorer.flow.validate import validate_paths
from scorer.reading.paths import DataRoot


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    root = make_data(tmp_path / "data", {2024: "verifying"})
    write_submission(root, "xa-a1", strength=7)
    return root


def _review(cqdt, root: DataRoot, *args: str):
    return cqdt("--data", root.root, "review", "--unit", "xa-a1", "--year", "2024", *args)


def test_new_record_names_the_submission_version(cqdt, root: DataRoot):
    result = _review(cqdt, root, "--reviewer", "huyena-reviewer", "--date", "2024-10-20")
    assert result.exit_code == 0, result.output
    path = root.review_path(2024, "xa", "xa-a1")
    text = path.read_text(encoding="utf-8")
    sha = hashlib.sha256(root.submission_path(2024, "xa", "xa-a1").read_bytes()).hexdigest()
    assert f"submission_sha256: {sha}" in text
    assert "stage: district" in text and "reviewer: huyena-reviewer" in text and "date: '2024-10-20'" in text
    assert "#   ht1: {numerator: 7, denominator: 10}  (Tỷ lệ cán bộ, công chức cấp xã" in text
    assert validate_paths(root, [path]).ok


def test_second_stage_is_appended_and_comments_kept(cqdt, root: DataRoot):
    _review(cqdt, root, "--reviewer", "huyena-reviewer", "--date", "2024-10-20")
    path = root.review_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("note: ''", "note: huyện đã kiểm tra  # ghi chú tay", 1),
                    encoding="utf-8")
    result = _review(cqdt, root, "--reviewer", "sotttt-reviewer", "--date", "2024-11-20")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "note: huyện đã kiểm tra  # ghi chú tay" in text
    assert text.index("stage: district") < text.index("stage: province")
    assert validate_paths(root, [path]).ok


@pytest.mark.parametrize(("args", "message"), [
    (("--reviewer", "huyenb-reviewer", "--stage", "district"), "không có tên trong danh sách người thẩm định của Huyện A"),
    (("--reviewer", "huyena-reviewer", "--stage", "province"), "không có tên trong tổ thẩm định của Sở TT&TT"),
    (("--reviewer", "xaa1-clerk"), "không có tên trong tổ thẩm định của Sở TT&TT"),
])
def test_unassigned_reviewer_is_refused(cqdt, root: DataRoot, args, message):
    result = _review(cqdt, root, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert not root.review_path(2024, "xa", "xa-a1").exists()


def test_unit_without_submission(cqdt, root: DataRoot):
    result = cqdt("--data", root.root, "review", "--unit", "xa-a2", "--year", "2024", "--reviewer", "sotttt-reviewer")
    assert result.exit_code == 1
    assert "chưa nộp bài năm 2024" in result.output
