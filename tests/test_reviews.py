"""`cqdt validate` on review records: every entry checked against the registry (the reviewer
holds that stage for that unit), the order of the stages, and its date."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flowdata import make_data, write_submission, yaml_text

from scorer.reading.paths import DataRoot

REVIEW = "submissions/2024/xa/xa-a1.review.yaml"


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    root = make_data(tmp_path / "data", {2024: "verifying"})
    write_submission(root, "xa-a1")
    return root


def _sha(root: DataRoot) -> str:
    return hashlib.sha256(root.submission_path(2024, "xa", "xa-a1").read_bytes()).hexdigest()


def _entry(stage: str, reviewer: str, sha: str, day: str = "2024-11-05") -> dict:
    return {"stage": stage, "reviewer": reviewer, "date": day, "submission_sha256": sha, "answers": {}}


def _problems(cqdt, root: DataRoot, *entries: dict) -> list[str]:
    """What validate says of the review record, checked alone and with the whole data root."""
    (root.root / REVIEW).write_text(yaml_text({"unit": "xa-a1", "year": 2024, "reviews": list(entries)}), encoding="utf-8")
    found = []
    for args in ([REVIEW], []):
        result = cqdt("--data", root.root, "validate", *[root.root / a for a in args])
        found.append([line for line in result.output.splitlines() if line.startswith(REVIEW)])
        assert result.exit_code == (1 if found[-1] else 0), result.output
    assert found[0] == found[1]
    return found[0]


def test_entries_in_stage_order_by_their_holders_validate(cqdt, root: DataRoot):
    sha = _sha(root)
    assert _problems(cqdt, root, _entry("district", "HuyenA-Reviewer", sha), _entry("province", "sotttt-reviewer", sha)) == []


def test_validate_refuses_an_entry_whose_reviewer_does_not_hold_the_stage(cqdt, root: DataRoot):
    sha = _sha(root)
    assert _problems(cqdt, root, _entry("district", "huyenb-reviewer", sha), _entry("province", "huyena-reviewer", sha)) == [
        f"{REVIEW}:5:15: 'huyenb-reviewer' không được thẩm định đơn vị xa-a1 ở bước UBND huyện (district): "
        "không có tên trong danh sách người thẩm định của Huyện A (units/huyen.yaml)",
        f"{REVIEW}:10:15: 'huyena-reviewer' không được thẩm định đơn vị xa-a1 ở bước Sở TT&TT (province): "
        "không có tên trong tổ thẩm định của Sở TT&TT (units/roles.yaml)",
    ]


def test_validate_refuses_a_province_entry_before_the_districts(cqdt, root: DataRoot):
    sha = _sha(root)
    message = ("bước Sở TT&TT thẩm định phiên bản bài nộp này trước bước UBND huyện: "
               "cần một mục 'stage: district' cùng submission_sha256 ở phía trên")
    assert _problems(cqdt, root, _entry("province", "sotttt-reviewer", sha)) == [f"{REVIEW}:4:12: {message}"]
    assert _problems(cqdt, root, _entry("province", "sotttt-reviewer", sha), _entry("district", "huyena-reviewer", sha)) == [
        f"{REVIEW}:4:12: {message}",
        f"{REVIEW}:9:12: bước UBND huyện ghi thẩm định sau khi bước Sở TT&TT đã thẩm định cùng phiên bản bài nộp; "
        "các bước phải theo thứ tự",
    ]
    # The district verified an earlier version only: the province may not verify this one yet.
    assert _problems(cqdt, root, _entry("district", "huyena-reviewer", "0" * 64), _entry("province", "sotttt-reviewer", sha)) == [
        f"{REVIEW}:9:12: {message}"]


def test_validate_refuses_a_review_dated_in_the_future(cqdt, root: DataRoot):
    sha = _sha(root)
    assert _problems(cqdt, root, _entry("district", "huyena-reviewer", sha, "2099-01-02")) == [
        f"{REVIEW}:6:11: ngày thẩm định 02/01/2099 ở tương lai"]


def test_validate_refuses_a_review_dated_before_the_evaluation_year(cqdt, root: DataRoot):
    sha = _sha(root)
    assert _problems(cqdt, root, _entry("district", "huyena-reviewer", sha, "2023-12-31")) == [
        f"{REVIEW}:6:11: ngày thẩm định 31/12/2023 trước năm đánh giá 2024"]


def test_a_stage_the_tier_does_not_have_is_refused_by_its_schema(cqdt, tmp_path: Path):
    root = make_data(tmp_path / "data", {2024: "verifying"})
    write_submission(root, "so-noi-vu")
    path = "submissions/2024/so/so-noi-vu.review.yaml"
    sha = hashlib.sha256(root.submission_path(2024, "so", "so-noi-vu").read_bytes()).hexdigest()
    (root.root / path).write_text(yaml_text({"unit": "so-noi-vu", "year": 2024, "reviews": [
        _entry("district", "huyena-reviewer", sha)]}), encoding="utf-8")
    result = cqdt("--data", root.root, "validate", root.root / path)
    assert result.exit_code == 1
    assert f"{path}:4:12: trường 'reviews[0].stage' phải là một trong các giá trị: province; đang là \"district\"" in result.output
