"""GitHub's side of a merge, stood in for: pull requests merged three ways into a real git
repository, and the REST API's answers (the pushed commit's pull requests, check runs) as the
receipts workflow saves them to files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowdata import Repo

CHECK = "Kiểm tra bài nộp"


def head(repo: Repo, ref: str = "HEAD") -> str:
    return repo.run("rev-parse", ref).strip()


def check_run(sha: str, started_at: str, name: str = CHECK, app: str = "github-actions") -> dict[str, Any]:
    """A check run as GET /repos/{repo}/commits/{sha}/check-runs lists it (the fields cqdt reads)."""
    return {"head_sha": sha, "name": name, "status": "completed",
            "conclusion": "success", "started_at": started_at, "completed_at": started_at, "app": {"slug": app}}


def merge(repo: Repo, branch: str, how: str, number: int, date: str) -> tuple[str, str]:
    """Merge a pull request branch into main as GitHub's button does; the branch's own commits stay
    reachable as refs/pull/<number>/head. Returns main's commit before and after."""
    pr_head = head(repo, branch)
    repo.run("update-ref", f"refs/pull/{number}/head", pr_head)
    repo.run("checkout", "-q", "main")
    before = head(repo)
    github = ["-c", "user.name=GitHub", "-c", "user.email=noreply@github.com"]
    if how == "merge":
        repo.run(*github, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}", branch, date=date)
    elif how == "squash":
        repo.run("merge", "-q", "--squash", branch, date=date)
        repo.run(*github, "commit", "-q", "-m", f"Pull request #{number} (#{number})", date=date)
    elif how == "rebase":
        for commit in repo.run("rev-list", "--reverse", branch, "--not", before).split():
            repo.run(*github, "cherry-pick", "--allow-empty", commit, date=date)
    else:
        raise ValueError(how)
    return before, head(repo)


def push_event(before: str, after: str, pushed_at: int) -> dict[str, Any]:
    return {"ref": "refs/heads/main", "before": before, "after": after,
            "repository": {"full_name": "so-tttt/cqdt", "pushed_at": pushed_at}}


def pulls_answer(number: int | None, after: str, merged_at: str = "2024-10-21T02:00:00Z") -> list[dict[str, Any]]:
    if number is None:
        return []
    return [{"number": number, "state": "closed", "merged_at": merged_at, "merge_commit_sha": after,
             "base": {"ref": "main"}}]


def save_answers(folder: Path, event: dict, pulls: list, runs: list[dict]) -> list[str]:
    """The workflow's files; returns the `cqdt receipts record` options naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
    (folder / "pulls.json").write_text(json.dumps(pulls), encoding="utf-8")
    # One answer per commit, one after another, as the workflow's loop appends them.
    by_commit: dict[str, list[dict]] = {}
    for run in runs:
        by_commit.setdefault(run["head_sha"], []).append(run)
    text = "".join(json.dumps({"total_count": len(found), "check_runs": found}) + "\n" for found in by_commit.values())
    (folder / "runs.json").write_text(text, encoding="utf-8")
    return ["--event", str(folder / "event.json"), "--pulls", str(folder / "pulls.json"),
            "--check-runs", str(folder / "runs.json")]
