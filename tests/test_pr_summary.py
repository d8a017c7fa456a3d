"""The pull-request summary: every problem listed, the first ten annotated, submitter text made inert."""

from __future__ import annotations

from scorer.core.problems import Problem
from scorer.flow.ownership import RULE_ADMIN, Verdict, Violation
from scorer.flow.pr_summary import MAX_ANNOTATIONS, PullRequestCheck, annotations, summary_markdown


def _check(violations: int, problems: int) -> PullRequestCheck:
    verdict = Verdict("someone", [], [], [Violation(f"criteria/x{i:02}.yaml", RULE_ADMIN, "sửa tệp") for i in range(violations)], [], [])
    found = [Problem(f"submissions/2024/xa/u{i:02}.yaml", i + 1, 3, f"lỗi số {i}") for i in range(problems)]
    return PullRequestCheck(verdict, found)


def test_summary_lists_all_annotations_only_the_first_ten():
    check = _check(4, 12)
    lines = annotations(check)
    assert len(lines) == MAX_ANNOTATIONS == 10
    assert lines[0] == f"::error file=criteria/x00.yaml::sửa tệp (quy tắc: {RULE_ADMIN})"
    assert lines[4] == "::error file=submissions/2024/xa/u00.yaml,line=1,col=3::lỗi số 0"
    summary = summary_markdown(check)
    assert "### Quyền sửa đổi: ❌ 4 thay đổi vượt quyền" in summary
    assert "### Kiểm tra dữ liệu: ❌ 12 lỗi" in summary
    assert "| `submissions/2024/xa/u11.yaml` | 12 | 3 | `lỗi số 11` |" in summary
    assert summary.startswith("## Kiểm tra yêu cầu hợp nhất: ❌ Chưa hợp lệ")


def test_clean_check():
    summary = summary_markdown(_check(0, 0))
    assert summary.startswith("## Kiểm tra yêu cầu hợp nhất: ✅ Hợp lệ")
    assert "### Kiểm tra dữ liệu: ✅ không có lỗi" in summary
