"""`cqdt check-pr` on real git repositories: branches and commits made as different actors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from flowdata import Repo, cycle, make_data, write_submission, yaml_text

from scorer.flow.ownership import (
    RULE_ADMIN,
    RULE_LEDGER,
    RULE_NO_DELETE,
    RULE_ONE_UNIT,
    RULE_OPEN_CYCLE,
    RULE_OWN_SUBMISSION,
    RULE_PATH,
    RULE_REGULAR,
    RULE_REVIEW,
    RULE_REVIEW_APPEND,
    RULE_REVIEW_ENTRY,
    check_pull_request,
)

pytestmark = pytest.mark.git

OWN = "submissions/2024/xa/xa-a1.yaml"
OTHER = "submissions/2024/xa/xa-a2.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """main: the data as the admin committed it, with xa-a2 already submitted by its clerk."""
    repo = Repo(tmp_path / "repo")
    root = make_data(repo.path, {2024: "open", 2023: "published"})
    repo.commit("sotttt-admin", "Registry, criteria and cycles")
    write_submission(root, "xa-a2", strength=6)
    repo.commit("xaa2-clerk", "xa-a2 submits")
    return repo


def _review(unit: str, reviewer: str, stage: str, sha: str = "0" * 64) -> dict:
    return {"unit": unit, "year": 2024, "reviews": [
        {"stage": stage, "reviewer": reviewer, "date": "2024-10-20", "submission_sha256": sha,
         "answers": {"ht3": {"value": False, "reason": "Không có sơ đồ mạng"}}},
    ]}


def _messages(verdict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for violation in verdict.violations:
        found.setdefault(violation.path, set()).add(violation.rule)
    return found


def test_owner_adds_own_submission(repo: Repo):
    repo.branch("xa-a1")
    write_submission(make_root(repo), "xa-a1")
    repo.commit("xaa1-clerk", "xa-a1 submits")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk", today=date(2024, 10, 15))
    assert verdict.ok, verdict.violations
    assert verdict.units == ["xa-a1"]
    assert verdict.late == []


def test_owner_changes_another_units_file(repo: Repo):
    repo.branch("edit-other")
    (repo.path / OTHER).write_text((repo.path / OTHER).read_text().replace("note: ''", "note: sửa hộ"), encoding="utf-8")
    repo.commit("xaa1-clerk", "edit xa-a2")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert _messages(verdict) == {OTHER: {RULE_OWN_SUBMISSION}}
    assert "xa-a2" in verdict.violations[0].detail and "@xaa1-clerk" in verdict.violations[0].detail


def test_owner_changes_criteria(repo: Repo):
    repo.branch("criteria")
    path = repo.path / "criteria/qd-1609-2018/xa.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max: 5", "max: 50", 1), encoding="utf-8")
    repo.commit("xaa1-clerk", "more points")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert _messages(verdict) == {"criteria/qd-1609-2018/xa.yaml": {RULE_ADMIN}}


def _merge_own_submission(repo: Repo) -> None:
    """xa-a1's clerk submits and the pull request is merged into main."""
    repo.branch("own")
    write_submission(make_root(repo), "xa-a1")
    repo.commit("xaa1-clerk", "xa-a1 submits")
    repo.run("checkout", "-q", "main")
    repo.run("merge", "-q", "--ff-only", "own")


def test_rename_onto_another_units_path(repo: Repo):
    _merge_own_submission(repo)
    repo.branch("rename")
    neighbour = "submissions/2024/xa/xa-b1.yaml"
    repo.run("mv", OWN, neighbour)
    repo.commit("xaa1-clerk", "submit for xa-b1 instead")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert [(c.status, c.old_path, c.path) for c in verdict.changes] == [("R", OWN, neighbour)]
    rules = _messages(verdict)
    assert rules[OWN] == {RULE_NO_DELETE}
    assert RULE_OWN_SUBMISSION in rules[neighbour]
    assert any(f"đổi tên từ {OWN}" in v.detail for v in verdict.violations if v.path == neighbour)


def test_move_over_an_existing_submission(repo: Repo):
    """git may see this as a deletion plus a rewrite rather than a rename: both halves fail."""
    _merge_own_submission(repo)
    repo.branch("overwrite")
    repo.run("rm", "-q", OTHER)
    repo.run("mv", OWN, OTHER)
    repo.commit("xaa1-clerk", "take over xa-a2")
    rules = _messages(check_pull_request(repo.path, "main", "xaa1-clerk"))
    assert RULE_NO_DELETE in rules[OWN]
    assert RULE_OWN_SUBMISSION in rules[OTHER]


def test_deletion(repo: Repo):
    repo.branch("delete")
    repo.run("rm", "-q", OTHER)
    repo.commit("xaa2-clerk", "withdraw")
    verdict = check_pull_request(repo.path, "main", "xaa2-clerk")
    assert _messages(verdict) == {OTHER: {RULE_NO_DELETE}}
    assert "xóa tệp" in verdict.violations[0].detail


def test_symlink_at_own_path(repo: Repo):
    repo.branch("symlink")
    target = repo.path / OWN
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink("xa-a2.yaml", target)
    repo.commit("xaa1-clerk", "link to a neighbour's answers")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert _messages(verdict) == {OWN: {RULE_REGULAR}}
    assert "symlink" in verdict.violations[0].detail


def test_executable_mode_change(repo: Repo):
    repo.branch("chmod")
    (repo.path / OTHER).chmod(0o755)
    repo.commit("xaa2-clerk", "chmod")
    verdict = check_pull_request(repo.path, "main", "xaa2-clerk")
    assert _messages(verdict) == {OTHER: {RULE_REGULAR}}
    assert "100755" in verdict.violations[0].detail


def test_review_record_written_by_the_unit(repo: Repo):
    repo.branch("self-review")
    (repo.path / "submissions/2024/xa/xa-a2.review.yaml").write_text(
        yaml_text(_review("xa-a2", "xaa2-clerk", "district")), encoding="utf-8")
    repo.commit("xaa2-clerk", "verify myself")
    verdict = check_pull_request(repo.path, "main", "xaa2-clerk")
    assert _messages(verdict) == {"submissions/2024/xa/xa-a2.review.yaml": {RULE_REVIEW}}


def test_district_reviewer_verifies_own_commune(repo: Repo):
    repo.branch("review")
    (repo.path / "submissions/2024/xa/xa-a2.review.yaml").write_text(
        yaml_text(_review("xa-a2", "huyena-reviewer", "district")), encoding="utf-8")
    repo.commit("huyena-reviewer", "district verification")
    assert check_pull_request(repo.path, "main", "huyena-reviewer").ok


def test_district_reviewer_of_another_district(repo: Repo):
    repo.branch("review")
    path = "submissions/2024/xa/xa-a2.review.yaml"
    (repo.path / path).write_text(yaml_text(_review("xa-a2", "huyenb-reviewer", "district")), encoding="utf-8")
    repo.commit("huyenb-reviewer", "not my commune")
    assert _messages(check_pull_request(repo.path, "main", "huyenb-reviewer")) == {path: {RULE_REVIEW}}


def test_review_entry_signed_with_another_login(repo: Repo):
    repo.branch("review")
    path = "submissions/2024/xa/xa-a2.review.yaml"
    (repo.path / path).write_text(yaml_text(_review("xa-a2", "sotttt-reviewer", "province")), encoding="utf-8")
    repo.commit("huyena-reviewer", "sign as the province")
    verdict = check_pull_request(repo.path, "main", "huyena-reviewer")
    assert _messages(verdict) == {path: {RULE_REVIEW_ENTRY}}
    assert "sotttt-reviewer" in verdict.violations[0].detail


REVIEW = "submissions/2024/xa/xa-a2.review.yaml"


@pytest.fixture
def reviewed(repo: Repo) -> Repo:
    """main also holds the district's verification of xa-a2."""
    (repo.path / REVIEW).write_text(yaml_text(_review("xa-a2", "huyena-reviewer", "district")), encoding="utf-8")
    repo.commit("huyena-reviewer", "district verification")
    return repo


def _entries_after(repo: Repo, actor: str, edit) -> set:
    from scorer.reading.yaml import parse

    repo.branch("review")
    data = parse((repo.path / REVIEW).read_text(encoding="utf-8"), REVIEW)
    edit(data["reviews"])
    (repo.path / REVIEW).write_text(yaml_text(json.loads(json.dumps(data))), encoding="utf-8")  # no shared parts: no YAML aliases
    repo.commit(actor, "review record")
    return _messages(check_pull_request(repo.path, "main", actor)).get(REVIEW, set())


def _province_entry(reviews: list) -> dict:
    return {**reviews[0], "stage": "province", "reviewer": "sotttt-reviewer", "date": "2024-11-02"}


def test_reviewer_appends_after_the_existing_entries(reviewed: Repo):
    assert _entries_after(reviewed, "sotttt-reviewer", lambda reviews: reviews.append(_province_entry(reviews))) == set()


@pytest.mark.parametrize(("actor", "edit"), [
    ("sotttt-reviewer", lambda reviews: reviews.insert(0, _province_entry(reviews))),  # reordered
    ("huyena-reviewer", lambda reviews: reviews.append(dict(reviews[0]))),  # duplicated
    ("sotttt-reviewer", lambda reviews: reviews[0]["answers"].clear()),  # edited another's entry
    ("huyena-reviewer", lambda reviews: reviews[0].update(date="2024-10-19")),  # edited one's own entry
    ("huyena-reviewer", lambda reviews: reviews.append({**reviews.pop(), "date": "2024-10-21"})),  # replaced
], ids=["reordered", "duplicated", "edited-another", "edited-own", "replaced"])
def test_reviewer_who_duplicates_reorders_or_edits_entries_is_refused(reviewed: Repo, actor: str, edit):
    assert RULE_REVIEW_APPEND in _entries_after(reviewed, actor, edit)


def test_reviewer_who_signs_another_login_is_refused(reviewed: Repo):
    def sign_as_province(reviews: list) -> None:
        reviews.append({**_province_entry(reviews), "stage": "district", "reviewer": "sotttt-reviewer"})

    assert _entries_after(reviewed, "huyena-reviewer", sign_as_province) == {RULE_REVIEW_ENTRY}


def test_pull_request_touching_the_ledger_by_a_non_admin_is_refused(repo: Repo):
    ledger = "submissions/2024/receipts.jsonl"
    line = ('{"path": "submissions/2024/xa/xa-a1.yaml", "sha256": "' + "a" * 64
            + '", "received_at": "2024-10-01T00:00:00Z", "pull_request": 1}\n')
    repo.branch("backdate")
    write_submission(make_root(repo), "xa-a1")
    (repo.path / ledger).write_text(line, encoding="utf-8")
    repo.commit("xaa1-clerk", "my own receipt")
    assert _messages(check_pull_request(repo.path, "main", "xaa1-clerk")) == {ledger: {RULE_LEDGER}}
    assert ledger not in _messages(check_pull_request(repo.path, "main", "sotttt-admin"))


def test_adding_oneself_to_the_registry_gains_nothing(repo: Repo):
    repo.branch("grab")
    units = repo.path / "units/xa.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("xaa2-clerk", "xaa2-clerk\n      - xaa1-clerk"), encoding="utf-8")
    (repo.path / OTHER).write_text((repo.path / OTHER).read_text().replace("note: ''", "note: của tôi"), encoding="utf-8")
    repo.commit("xaa1-clerk", "own xa-a2 too")
    assert "xaa1-clerk" in (repo.path / "units/xa.yaml").read_text()
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert _messages(verdict) == {"units/xa.yaml": {RULE_ADMIN}, OTHER: {RULE_OWN_SUBMISSION}}


def test_a_backdated_commit_after_the_deadline_is_still_late(repo: Repo):
    """The commit says 10/10; the check runs on 20/10: late by the runner's clock, and accepted."""
    repo.branch("late")
    write_submission(make_root(repo), "xa-a1")
    repo.commit("xaa1-clerk", "backdated", date="2024-10-10T09:00:00+07:00")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk", today=date(2024, 10, 20))
    assert verdict.ok
    assert verdict.late == [f"{OWN}: nộp muộn (hạn 15/10/2024, ghi nhận 20/10/2024)"]
    assert check_pull_request(repo.path, "main", "xaa1-clerk").late, "by default, this machine's clock (after 2024)"


def test_published_year_is_closed_to_owners(repo: Repo):
    repo.branch("old-year")
    write_submission(make_root(repo), "xa-a1", year=2023)
    repo.commit("xaa1-clerk", "rewrite history")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert _messages(verdict) == {"submissions/2023/xa/xa-a1.yaml": {RULE_OPEN_CYCLE}}


def test_one_unit_per_pull_request(repo: Repo):
    repo.branch("two")
    root = make_root(repo)
    write_submission(root, "xa-a1")
    (repo.path / "submissions/2024/xa/xa-a2.review.yaml").write_text(
        yaml_text(_review("xa-a2", "sotttt-reviewer", "province")), encoding="utf-8")
    repo.commit("sotttt-reviewer", "two units at once")
    rules = _messages(check_pull_request(repo.path, "main", "sotttt-reviewer"))
    assert rules[OWN] == {RULE_OWN_SUBMISSION}
    assert rules["submissions/2024/xa/xa-a2.review.yaml"] == {RULE_ONE_UNIT}


def test_path_with_dot_dot(repo: Repo):
    """git refuses such paths in the index, so the tree is written by hand with mktree."""
    blob = repo.run("hash-object", "-w", "units/xa.yaml").strip()
    inner = subprocess.run(["git", "mktree", "--missing"], cwd=repo.path, input=f"100644 blob {blob}\tunits.yaml\n",
                           capture_output=True, text=True, check=True).stdout.strip()
    listing = repo.run("ls-tree", "HEAD")
    tree_input = listing + f"040000 tree {inner}\t..\n"
    tree = subprocess.run(["git", "mktree", "--missing"], cwd=repo.path, input=tree_input,
                          capture_output=True, text=True, check=True).stdout.strip()
    commit = subprocess.run(["git", "commit-tree", tree, "-p", "HEAD", "-m", "sneaky"], cwd=repo.path,
                            capture_output=True, text=True, check=True).stdout.strip()
    verdict = check_pull_request(repo.path, "main", "sotttt-admin", head=commit)
    assert _messages(verdict) == {"../units.yaml": {RULE_PATH}}


def test_admin_changes_criteria_and_cycle(repo: Repo):
    repo.branch("admin")
    path = repo.path / "submissions/2024/cycle.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("state: open", "state: verifying"), encoding="utf-8")
    repo.commit("sotttt-admin", "close submissions")
    assert check_pull_request(repo.path, "main", "sotttt-admin").ok


def test_cli_names_path_and_rule(repo: Repo):
    """The command as CI runs it: a separate process, defaults from the environment."""
    repo.branch("edit-other")
    (repo.path / OTHER).write_text((repo.path / OTHER).read_text().replace("note: ''", "note: x"), encoding="utf-8")
    repo.commit("xaa1-clerk", "edit xa-a2")
    env = {**os.environ, "GITHUB_BASE_REF": "main", "GITHUB_ACTOR": "xaa1-clerk", "GITHUB_ACTIONS": "true"}
    done = subprocess.run([sys.executable, "-m", "scorer", "--data", str(repo.path), "check-pr"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert f"{OTHER}: @xaa1-clerk sửa tệp của đơn vị xa-a2" in done.stderr
    assert RULE_OWN_SUBMISSION in done.stderr
    assert f"::error file={OTHER}::" in done.stdout


def make_root(repo: Repo):
    from scorer.reading.paths import DataRoot

    return DataRoot(repo.path)


def test_verification_changes_the_counted_score_until_the_submission_changes(repo: Repo, cqdt):
    """Clerk submits, district reviewer verifies in a later pull request, clerk edits: re-verification needed."""
    from scorer.flow.pr_summary import run_checks, summary_markdown
    from scorer.shell.scoring import evaluate

    root = make_root(repo)
    repo.branch("submit")
    write_submission(root, "xa-a1", strength=10)
    repo.commit("xaa1-clerk", "xa-a1 submits", date="2024-10-10T09:00:00+07:00")
    assert check_pull_request(repo.path, "main", "xaa1-clerk").ok
    repo.run("checkout", "-q", "main")
    repo.run("merge", "-q", "--ff-only", "submit")
    before = evaluate(root, 2024).unit("xa-a1")
    assert (before.total, before.level, before.status) == (before.self_total, 1, "submitted")

    repo.branch("verify")
    result = cqdt("--data", repo.path, "review", "--unit", "xa-a1", "--year", "2024",
                  "--reviewer", "huyena-reviewer", "--date", "2024-10-25")
    assert result.exit_code == 0, result.output
    record = repo.path / "submissions/2024/xa/xa-a1.review.yaml"
    text = record.read_text(encoding="utf-8")
    assert "stage: district" in text and "answers: {}" in text
    record.write_text(text.replace("    answers: {}", "    answers:\n      ht1:\n        value: {numerator: 2, denominator: 10}\n"
                                   "        reason: Chỉ 2 trong 10 công chức có máy tính riêng\n"), encoding="utf-8")
    repo.commit("huyena-reviewer", "district verification of xa-a1", date="2024-10-25T09:00:00+07:00")
    check = run_checks(root, "main", "huyena-reviewer")
    assert check.ok, (check.verdict.violations, check.problems)
    summary = summary_markdown(check)
    assert "| `ht1` | 5 | 1 | `Chỉ 2 trong 10 công chức có máy tính riêng` |" in summary
    assert "**Đã thẩm định:** UBND huyện" in summary
    repo.run("checkout", "-q", "main")
    repo.run("merge", "-q", "--ff-only", "verify")
    verified = evaluate(root, 2024).unit("xa-a1")
    assert verified.self_total == before.self_total
    assert verified.total == before.total - 4
    assert verified.group_scores[1] == before.group_scores[1] - 4
    # A commune verified by its district alone is partly verified: Sở TT&TT has not verified it yet.
    assert (verified.level, verified.status, verified.needs_reverification) == (2, "partly_verified", False)
    assert f"(ghi vào `submission_sha256` khi thẩm định): `{verified.submission_sha256}`" in summary

    repo.branch("edit")
    path = root.submission_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("note: ''", "note: bổ sung máy tính", 1), encoding="utf-8")
    repo.commit("xaa1-clerk", "edit after verification", date="2024-10-28T09:00:00+07:00")
    assert check_pull_request(repo.path, "main", "xaa1-clerk").ok
    edited = evaluate(root, 2024).unit("xa-a1")
    assert edited.needs_reverification and edited.stale_reviews == ("district",)
    assert (edited.total, edited.level) == (before.total, 1)
    assert edited.status == "needs_reverification"
    summary = summary_markdown(run_checks(root, "main", "xaa1-clerk"))
    assert "**⚠️ `Chờ thẩm định lại: phiếu đã sửa sau khi UBND huyện thẩm định" in summary
    # The edit changed a note, no answer: nothing is listed as changed since the base branch.
    assert "Số liệu sửa so với nhánh gốc" not in summary


def test_project_data_repository(tmp_path: Path, cqdt):
    """The repository's own registry and data: a new cycle, a commune's submission and its verification."""
    from conftest import copy_data

    from scorer.reading.registry import load_registry

    repo = Repo(tmp_path / "province")
    copy_data(repo.path, years=(2024,))
    repo.commit("setup", "the province's data")
    registry = load_registry(make_root(repo))
    admin, province = registry.admins[0], registry.province_reviewers[0]
    commune, neighbour = next(u for u in registry.in_tier("xa") if u.owners), registry.in_tier("xa")[-1]
    district_reviewer = registry.by_id[commune.district].reviewers[0]
    clerk = commune.owners[0]

    def merge(branch: str) -> None:
        repo.run("checkout", "-q", "main")
        repo.run("merge", "-q", "--ff-only", branch)

    repo.branch("cycle-2025")
    (repo.path / "submissions/2025").mkdir()
    (repo.path / "submissions/2025/cycle.yaml").write_text(yaml_text(cycle(2025)), encoding="utf-8")
    repo.commit(admin, "open 2025")
    assert check_pull_request(repo.path, "main", admin).ok
    assert not check_pull_request(repo.path, "main", clerk).ok
    merge("cycle-2025")

    repo.branch("submit")
    assert cqdt("--data", repo.path, "new", "--unit", commune.id, "--year", "2025").exit_code == 0
    repo.commit(clerk, f"{commune.id} submits", date="2025-10-01T09:00:00+07:00")
    assert check_pull_request(repo.path, "main", clerk).ok
    intruder = check_pull_request(repo.path, "main", neighbour.owners[0])
    assert [v.path for v in intruder.violations] == [f"submissions/2025/xa/{commune.id}.yaml"]
    merge("submit")

    repo.branch("verify")
    result = cqdt("--data", repo.path, "review", "--unit", commune.id, "--year", "2025", "--reviewer", district_reviewer,
                  "--date", "2025-10-20")
    assert result.exit_code == 0, result.output
    repo.commit(district_reviewer, "district verification", date="2025-10-20T09:00:00+07:00")
    assert check_pull_request(repo.path, "main", district_reviewer).ok
    assert not check_pull_request(repo.path, "main", province + "-not").ok
    changed = [repo.path / f"submissions/2025/xa/{commune.id}{suffix}.yaml" for suffix in ("", ".review")]
    assert cqdt("--data", repo.path, "validate", *changed).exit_code == 0

    repo.branch("neighbour-2024", "main")
    path = repo.path / f"submissions/2024/xa/{neighbour.id}.yaml"
    if path.is_file():
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        repo.commit(clerk, "touch a neighbour's 2024 file")
        rules = _messages(check_pull_request(repo.path, "main", clerk))
        assert rules == {f"submissions/2024/xa/{neighbour.id}.yaml": {RULE_OWN_SUBMISSION}}
