"""The ownership rules on their own: each kind of change judged for each role, without git."""

from __future__ import annotations

from datetime import date

import pytest

from scorer.core.model import Stage, Unit
from scorer.flow.gitread import Change
from scorer.flow.ownership import (
    RULE_ADMIN,
    RULE_FROZEN,
    RULE_LEDGER,
    RULE_NO_DELETE,
    RULE_OPEN_CYCLE,
    RULE_OWN_SUBMISSION,
    RULE_PATH,
    RULE_REGULAR,
    RULE_REVIEW,
    RULE_REVIEW_APPEND,
    RULE_REVIEW_ENTRY,
    Judge,
    Permissions,
)

UNITS = {
    "huyen-a": Unit("huyen-a", "Huyện A", "huyen", "district", owners=("HuyenA-Clerk",), reviewers=("huyena-reviewer",)),
    "xa-a1": Unit("xa-a1", "Xã A Một", "xa", "commune", district="huyen-a", owners=("xaa1-clerk",)),
    "so-x": Unit("so-x", "Sở X", "so", "department", owners=("sox-clerk",)),
}
OPEN = {"state": "open", "deadlines": {"xa": "2024-10-15", "huyen": "2024-10-31", "so": "2024-10-31"}}
STAGES = (Stage("district", "UBND huyện", "district_reviewers", ("xa",), "huyen"),
          Stage("province", "Sở TT&TT", "province_reviewers", ("so", "huyen", "xa"), "verification"))


def permissions(**cycles) -> Permissions:
    found = Permissions(UNITS, frozenset({"admin"}), frozenset({"province"}))
    found.cycles = {2024: OPEN, **{int(k[1:]): v for k, v in cycles.items()}}
    found.stages = {year: STAGES for year in found.cycles}
    return found


def judge(actor: str, *changes: Change, perms: Permissions | None = None, today: date = date(2024, 10, 1), prefix: str = "") -> Judge:
    result = Judge(perms or permissions(), actor, prefix, today)
    for change in changes:
        result.judge(change)
    result.one_unit()
    return result


def added(path: str, mode: str = "100644") -> Change:
    return Change("A", path, "000000", mode)


def rules(result: Judge) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for violation in result.violations:
        found.setdefault(violation.path, set()).add(violation.rule)
    return found


def test_logins_compare_without_case():
    assert rules(judge("XAA1-CLERK", added("submissions/2024/xa/xa-a1.yaml"))) == {}
    assert rules(judge("huyena-clerk", added("submissions/2024/huyen/huyen-a.yaml"))) == {}


def test_submission_in_the_wrong_tier_folder():
    result = judge("xaa1-clerk", added("submissions/2024/huyen/xa-a1.yaml"))
    assert rules(result) == {"submissions/2024/huyen/xa-a1.yaml": {RULE_OWN_SUBMISSION}}
    assert "thuộc cấp 'xa'" in result.violations[0].detail


@pytest.mark.parametrize(("cycle", "reason"), [
    ({"state": "verifying"}, "trạng thái 'verifying'"),
    (None, "chưa có chu kỳ đánh giá"),
])
def test_owner_outside_an_open_cycle(cycle, reason):
    perms = permissions()
    if cycle is None:
        del perms.cycles[2024]
    else:
        perms.cycles[2024] = cycle
    result = judge("xaa1-clerk", added("submissions/2024/xa/xa-a1.yaml"), perms=perms)
    assert rules(result) == {"submissions/2024/xa/xa-a1.yaml": {RULE_OPEN_CYCLE}}
    assert reason in result.violations[0].detail


def test_late_is_marked_not_refused():
    result = judge("sox-clerk", added("submissions/2024/so/so-x.yaml"), today=date(2024, 11, 1))
    assert result.violations == []
    assert result.late == ["submissions/2024/so/so-x.yaml: nộp muộn (hạn 31/10/2024, ghi nhận 01/11/2024)"]


def test_evidence_files_of_own_unit():
    assert rules(judge("xaa1-clerk", added("evidence/2024/xa-a1/bien-ban.pdf"))) == {}
    assert rules(judge("xaa1-clerk", Change("D", "evidence/2024/xa-a1/cu.pdf", "100644", "000000"))) == {}
    assert rules(judge("sox-clerk", added("evidence/2024/xa-a1/x.pdf"))) == {"evidence/2024/xa-a1/x.pdf": {RULE_OWN_SUBMISSION}}


@pytest.mark.parametrize("path", ["units/../criteria/x.yaml", "submissions//2024/x.yaml", "a\\b.yaml",
                                  ".git/hooks/pre-commit", "submissions/./2024/xa/xa-a1.yaml"])
def test_unsafe_paths(path):
    assert rules(judge("admin", added(path))) == {path: {RULE_PATH}}


def test_symlinks_and_submodules():
    assert rules(judge("admin", added("units/xa.yaml", "120000"))) == {"units/xa.yaml": {RULE_REGULAR}}
    assert rules(judge("admin", added("vendor/lib", "160000"))) == {}
    assert rules(judge("xaa1-clerk", added("docs/link", "120000"))) == {"docs/link": {RULE_REGULAR}}
    assert rules(judge("admin", added("scripts/run.sh", "100755"))) == {}


def test_type_change_to_symlink_is_judged_by_its_new_mode():
    change = Change("T", "submissions/2024/xa/xa-a1.yaml", "100644", "120000")
    assert rules(judge("xaa1-clerk", change)) == {"submissions/2024/xa/xa-a1.yaml": {RULE_REGULAR}}


def test_admin_may_not_write_submissions_or_delete_reviews():
    result = judge("admin", added("submissions/2024/xa/xa-a1.yaml"),
                   Change("D", "submissions/2024/xa/xa-a1.review.yaml", "100644", "000000"))
    assert rules(result) == {"submissions/2024/xa/xa-a1.yaml": {RULE_OWN_SUBMISSION},
                             "submissions/2024/xa/xa-a1.review.yaml": {RULE_NO_DELETE}}


def test_reviewers_by_stage():
    perms = permissions()
    assert perms.stages_for("huyena-reviewer", UNITS["xa-a1"], 2024) == ("district",)
    assert perms.stages_for("province", UNITS["xa-a1"], 2024) == ("province",)
    assert perms.stages_for("huyena-reviewer", UNITS["huyen-a"], 2024) == ()
    assert rules(judge("huyena-reviewer", added("submissions/2024/huyen/huyen-a.review.yaml"))) == {
        "submissions/2024/huyen/huyen-a.review.yaml": {RULE_REVIEW}}


def test_stages_come_from_the_years_criteria_set():
    """A province whose communes are verified by the province alone: the district's reviewers hold no stage."""
    perms = permissions()
    perms.stages[2024] = (Stage("province", "Sở TT&TT", "province_reviewers", ("so", "xa"), "verification"),)
    assert perms.stages_for("huyena-reviewer", UNITS["xa-a1"], 2024) == ()
    assert perms.stages_for("province", UNITS["xa-a1"], 2024) == ("province",)
    assert rules(judge("huyena-reviewer", added("submissions/2024/xa/xa-a1.review.yaml"), perms=perms)) == {
        "submissions/2024/xa/xa-a1.review.yaml": {RULE_REVIEW}}


def _entry(stage: str, reviewer: str, day: str = "2024-10-20", **answers) -> dict:
    return {"stage": stage, "reviewer": reviewer, "date": day, "submission_sha256": "a" * 64, "answers": answers}


DISTRICT = _entry("district", "huyena-reviewer")
PROVINCE = _entry("province", "province", "2024-11-02")


def _entries_judged(actor: str, before: list[dict], after: list[dict]) -> Judge:
    result = judge(actor)
    result.review_entries({"reviews": before} if before else None, {"reviews": after}, "r.review.yaml", UNITS["xa-a1"], 2024)
    return result


def test_reviewer_appends_own_entry():
    assert _entries_judged("province", [DISTRICT], [DISTRICT, PROVINCE]).violations == []
    assert _entries_judged("huyena-reviewer", [], [DISTRICT]).violations == []


@pytest.mark.parametrize(("after", "detail"), [
    ([PROVINCE, DISTRICT], "sửa, xóa hoặc đổi chỗ mục thẩm định thứ 1 đã có (của 'huyena-reviewer', bước UBND huyện)"),
    ([PROVINCE], "sửa, xóa hoặc đổi chỗ mục thẩm định thứ 1 đã có (của 'huyena-reviewer', bước UBND huyện)"),
    ([{**DISTRICT, "answers": {"ht1": {"value": True, "reason": "x"}}}, PROVINCE],
     "sửa, xóa hoặc đổi chỗ mục thẩm định thứ 1 đã có (của 'huyena-reviewer', bước UBND huyện)"),
])
def test_existing_entries_may_not_be_changed_removed_or_reordered(after, detail):
    result = _entries_judged("province", [DISTRICT], after)
    assert RULE_REVIEW_APPEND in {v.rule for v in result.violations}
    assert f"@province {detail}" in {v.detail for v in result.violations}


def test_reviewer_who_duplicates_an_entry_is_refused():
    own = _entry("province", "province")
    result = _entries_judged("province", [DISTRICT, own], [DISTRICT, own, own])
    assert [(v.rule, v.detail) for v in result.violations] == [
        (RULE_REVIEW_APPEND, "@province thêm mục thẩm định thứ 3 trùng hệt một mục đã có")]


def test_reviewer_who_signs_another_login_is_refused():
    result = _entries_judged("huyena-reviewer", [], [DISTRICT, _entry("province", "province")])
    assert [(v.rule, v.detail) for v in result.violations] == [
        (RULE_REVIEW_ENTRY, "@huyena-reviewer thêm mục thẩm định thứ 2 mang tên 'province' (bước Sở TT&TT)")]


def test_reviewer_at_a_stage_not_given_to_them_is_refused():
    result = _entries_judged("huyena-reviewer", [], [_entry("province", "huyena-reviewer")])
    assert [(v.rule, v.detail) for v in result.violations] == [
        (RULE_REVIEW_ENTRY, "@huyena-reviewer không được giao thẩm định ở bước 'province' cho đơn vị xa-a1")]


def test_admins_may_correct_review_records():
    assert _entries_judged("admin", [DISTRICT, PROVINCE], [PROVINCE]).violations == []
    assert rules(judge("admin", Change("M", "submissions/2024/xa/xa-a1.review.yaml", "100644", "100644"))) == {}


@pytest.mark.parametrize("change", [added("submissions/2024/receipts.jsonl"),
                                    Change("M", "submissions/2024/receipts.jsonl", "100644", "100644"),
                                    Change("D", "submissions/2024/receipts.jsonl", "100644", "000000")])
def test_pull_request_touching_the_receipt_ledger_by_a_non_admin_is_refused(change):
    for actor in ("xaa1-clerk", "province", "huyena-reviewer"):
        result = judge(actor, change)
        assert rules(result) == {"submissions/2024/receipts.jsonl": {RULE_LEDGER}}
    assert rules(judge("admin", change)) == {}


def test_published_year_opens_to_reviewers_only_with_a_pending_amendment():
    path = "submissions/2024/xa/xa-a1.review.yaml"
    perms = permissions(y2024={"state": "published"})
    assert rules(judge("province", added(path), perms=perms)) == {path: {RULE_FROZEN}}
    perms.cycles[2024] = {"state": "published", "amendments": [
        {"decision": "9/QĐ-UBND", "date": "2025-05-01", "units": ["xa-a1"], "reason": "Sai số liệu"}]}
    assert rules(judge("province", added(path), perms=perms)) == {}
    perms.applied_amendments[2024] = {"9/QĐ-UBND"}
    assert rules(judge("province", added(path), perms=perms)) == {path: {RULE_FROZEN}}


def test_an_amendment_unfreezes_only_the_units_it_names():
    """Finding 2 of issue 16: an amendment entry unfroze every file of the year."""
    named, other = "submissions/2024/xa/xa-a1.review.yaml", "submissions/2024/so/so-x.review.yaml"
    perms = permissions(y2024={"state": "published", "amendments": [
        {"decision": "9/QĐ-UBND", "date": "2025-05-01", "units": ["xa-a1"], "reason": "Sai số liệu"}]})
    assert rules(judge("province", added(named), perms=perms)) == {}
    assert rules(judge("province", added(other), perms=perms)) == {other: {RULE_FROZEN}}


def test_data_root_in_a_subfolder():
    """Paths outside the data root are code: admins only."""
    result = judge("xaa1-clerk", added("data/submissions/2024/xa/xa-a1.yaml"), added("README.md"), prefix="data/")
    assert rules(result) == {"README.md": {RULE_ADMIN}}


def test_roles_are_described():
    perms = permissions()
    assert perms.roles("huyena-reviewer") == ["thẩm định các xã của huyen-a"]
    assert perms.roles("nobody") == []
    assert perms.roles("ADMIN") == ["quản trị viên Sở TT&TT"]
