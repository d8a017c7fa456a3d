"""Every pusher is judged: the author and, when someone else pushed the commits, that pusher
(unless an admin, who may fix anyone's pull request within what its author may change).
Real git repositories; commits made as the named people."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flowdata import Repo, admin_repo, write_submission

from scorer.flow.ownership import RULE_ADMIN, RULE_OWN_SUBMISSION, check_pull_request
from scorer.flow.pr_summary import run_checks, summary_markdown
from scorer.reading.paths import DataRoot

pytestmark = pytest.mark.git

OWN = "submissions/2024/xa/xa-a1.yaml"
CRITERIA = "criteria/qd-1609-2018/xa.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return admin_repo(tmp_path / "repo")


def _clerk_submits_then(repo: Repo, pusher: str, change) -> None:
    """A clerk's pull request for xa-a1, with a later commit pushed by `pusher`."""
    repo.branch("xa-a1")
    write_submission(DataRoot(repo.path), "xa-a1", strength=6)
    repo.commit("xaa1-clerk", "xa-a1 submits")
    change(repo.path)
    repo.commit(pusher, "a later push")


def _fix_note(root: Path) -> None:
    path = root / OWN
    path.write_text(path.read_text(encoding="utf-8").replace("note: ''", "note: sửa lỗi chính tả", 1), encoding="utf-8")


def _raise_points(root: Path) -> None:
    path = root / CRITERIA
    path.write_text(path.read_text(encoding="utf-8").replace("max: 5", "max: 50", 1), encoding="utf-8")


def _rules(verdict) -> set[tuple[str, str]]:
    return {(v.path, v.rule) for v in verdict.violations}


def test_an_admin_may_push_a_fix_to_a_clerks_pull_request(repo: Repo):
    _clerk_submits_then(repo, "sotttt-admin", _fix_note)
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk", pusher="sotttt-admin")
    assert verdict.ok, verdict.violations
    assert verdict.pusher == "sotttt-admin" and verdict.pusher_roles == ["quản trị viên Sở TT&TT"]


def test_another_clerk_pushing_to_a_clerks_pull_request_is_refused(repo: Repo):
    _clerk_submits_then(repo, "xaa2-clerk", _fix_note)
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk", pusher="xaa2-clerk")
    assert _rules(verdict) == {(OWN, RULE_OWN_SUBMISSION)}
    assert "@xaa2-clerk" in verdict.violations[0].detail
    assert check_pull_request(repo.path, "main", "xaa1-clerk").ok  # judged as the author alone, it would pass


def test_a_reviewer_pushing_to_a_clerks_pull_request_is_refused(repo: Repo):
    _clerk_submits_then(repo, "huyena-reviewer", _fix_note)
    assert _rules(check_pull_request(repo.path, "main", "xaa1-clerk", pusher="huyena-reviewer")) == {(OWN, RULE_OWN_SUBMISSION)}


def test_an_admins_fix_stays_within_what_the_author_may_change(repo: Repo):
    _clerk_submits_then(repo, "sotttt-admin", _raise_points)
    assert _rules(check_pull_request(repo.path, "main", "xaa1-clerk", pusher="sotttt-admin")) == {(CRITERIA, RULE_ADMIN)}


def test_a_clerk_pushing_to_an_admins_pull_request_is_refused(repo: Repo):
    repo.branch("criteria")
    _raise_points(repo.path)
    repo.commit("sotttt-admin", "criteria")
    assert check_pull_request(repo.path, "main", "sotttt-admin").ok
    verdict = check_pull_request(repo.path, "main", "sotttt-admin", pusher="xaa1-clerk")
    assert _rules(verdict) == {(CRITERIA, RULE_ADMIN)}
    assert "@xaa1-clerk" in verdict.violations[0].detail


def test_the_same_login_in_another_case_is_one_person(repo: Repo):
    _clerk_submits_then(repo, "xaa1-clerk", _fix_note)
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk", pusher="XAA1-Clerk")
    assert verdict.ok and verdict.pusher is None


def test_check_pr_and_the_summary_take_the_pusher_from_github_actor(repo: Repo):
    _clerk_submits_then(repo, "xaa2-clerk", _fix_note)
    env = {**os.environ, "GITHUB_BASE_REF": "main", "GITHUB_ACTOR": "xaa2-clerk", "GITHUB_ACTIONS": "true"}
    done = subprocess.run([sys.executable, "-m", "scorer", "--data", str(repo.path), "check-pr", "--actor", "xaa1-clerk"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Người đẩy commit @xaa2-clerk: chủ đơn vị xa-a2" in done.stdout
    assert f"{OWN}: @xaa2-clerk thêm tệp của đơn vị xa-a1" in done.stderr
    summary = summary_markdown(run_checks(DataRoot(repo.path), "main", "xaa1-clerk", pusher="xaa2-clerk"))
    assert "Người đẩy commit: `@xaa2-clerk` (`chủ đơn vị xa-a2`)" in summary
    assert "### Quyền sửa đổi: ❌ 1 thay đổi vượt quyền" in summary
