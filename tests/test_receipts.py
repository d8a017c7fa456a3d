"""Receipts: when GitHub received each version of a submission, from GitHub's clock, never from
commit dates; recorded in a ledger by `cqdt receipts record` from the workflow's saved answers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flowdata import Repo, make_data, submission, write_submission, yaml_text
from githubsim import check_run, head, merge, pulls_answer, push_event, save_answers

from scorer.reading.paths import DataRoot

pytestmark = pytest.mark.git

OWN = "submissions/2024/xa/xa-a1.yaml"
LEDGER = "submissions/2024/receipts.jsonl"


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    make_data(repo.path)
    repo.commit("sotttt-admin", "setup", date="2024-09-01T08:00:00+07:00")
    return repo


def _record(cqdt, repo: Repo, folder: Path, event: dict, pulls: list, runs: list[dict]):
    result = cqdt("--data", repo.path, "receipts", "record", *save_answers(folder, event, pulls, runs))
    assert result.exit_code == 0, result.output
    return result


def _ledger(repo: Repo) -> list[dict]:
    path = repo.path / LEDGER
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []


def _status(cqdt, repo: Repo) -> dict[str, dict]:
    result = cqdt("--data", repo.path, "status", "--year", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    return {u["id"]: u for t in json.loads(result.output)["tiers"] for u in t["units"]}


def _merge_pull_request(cqdt, repo: Repo, tmp_path: Path, number: int, how: str, checks: list[tuple[str, str]],
                        merged: str = "2024-10-21T09:00:00+07:00"):
    """Merge the branch `topic` (each commit checked at the given times: (ref, started_at)), then
    record the push as the workflow does."""
    runs = [check_run(head(repo, ref), started) for ref, started in checks]
    before, after = merge(repo, "topic", how, number, merged)
    pushed = datetime.fromisoformat(merged).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _record(cqdt, repo, tmp_path / f"answers-{number}", push_event(before, after, epoch(pushed)),
                   pulls_answer(number, after), runs)


@pytest.mark.parametrize("how", ["squash", "rebase", "merge"])
def test_a_squash_merged_on_time_submission_merged_after_review_is_on_time(cqdt, repo: Repo, tmp_path: Path, how: str):
    """Sent on 14/10 (checked by GitHub that morning), reviewed and merged on 21/10, after the
    15/10 deadline: received on time, however the button merges it."""
    root = DataRoot(repo.path)
    repo.branch("topic")
    write_submission(root, "xa-a1")
    repo.commit("xaa1-clerk", "xa-a1 submits", date="2024-10-14T09:30:00+07:00")
    first = head(repo)
    (repo.path / "evidence/2024/xa-a1").mkdir(parents=True)
    (repo.path / "evidence/2024/xa-a1/bien-ban.txt").write_text("biên bản\n", encoding="utf-8")
    repo.commit("xaa1-clerk", "evidence the reviewer asked for", date="2024-10-20T15:00:00+07:00")
    second = head(repo)
    output = _merge_pull_request(cqdt, repo, tmp_path, 7, how,
                                 [(first, "2024-10-14T02:31:07Z"), (second, "2024-10-20T08:00:02Z")]).output
    assert _ledger(repo) == [{"path": OWN, "sha256": _sha(root), "received_at": "2024-10-14T02:31:07Z", "pull_request": 7}]
    assert f"{OWN}: nhận lúc 09:31:07 ngày 14/10/2024 giờ Việt Nam (yêu cầu #7)" in output
    unit = _status(cqdt, repo)["xa-a1"]
    assert (unit["received_on"], unit["late"], unit["pull_request"]) == ("2024-10-14", False, 7)


def _sha(root: DataRoot, unit: str = "xa-a1") -> str:
    return hashlib.sha256(root.submission_path(2024, "xa", unit).read_bytes()).hexdigest()


def test_a_backdated_commit_after_the_deadline_is_still_late(cqdt, repo: Repo, tmp_path: Path):
    """The commit claims 10/10; GitHub first checked it on 20/10: received 20/10, late."""
    root = DataRoot(repo.path)
    repo.branch("topic")
    write_submission(root, "xa-a1")
    repo.commit("xaa1-clerk", "backdated", date="2024-10-10T09:00:00+07:00")
    _merge_pull_request(cqdt, repo, tmp_path, 8, "merge", [("topic", "2024-10-20T01:00:00Z")])
    unit = _status(cqdt, repo)["xa-a1"]
    assert (unit["received_on"], unit["late"]) == ("2024-10-20", True)


def test_an_empty_file_committed_before_the_deadline_does_not_make_later_answers_on_time(cqdt, repo: Repo, tmp_path: Path):
    root = DataRoot(repo.path)
    empty = submission(root, "xa-a1")
    for answer in empty["answers"].values():
        answer.update(value=None, evidence=[])
    repo.branch("topic")
    root.submission_path(2024, "xa", "xa-a1").parent.mkdir(parents=True, exist_ok=True)
    root.submission_path(2024, "xa", "xa-a1").write_text(yaml_text(empty), encoding="utf-8")
    repo.commit("xaa1-clerk", "an empty form, early", date="2024-10-01T09:00:00+07:00")
    _merge_pull_request(cqdt, repo, tmp_path, 3, "merge", [("topic", "2024-10-01T02:00:00Z")],
                        merged="2024-10-02T09:00:00+07:00")
    assert _status(cqdt, repo)["xa-a1"]["state"] == "empty"
    repo.branch("topic")
    write_submission(root, "xa-a1")
    repo.commit("xaa1-clerk", "the answers, late", date="2024-10-01T10:00:00+07:00")
    _merge_pull_request(cqdt, repo, tmp_path, 9, "merge", [("topic", "2024-10-18T03:00:00Z")])
    assert [(r["received_at"], r["pull_request"]) for r in _ledger(repo)] == [
        ("2024-10-01T02:00:00Z", 3), ("2024-10-18T03:00:00Z", 9)]
    unit = _status(cqdt, repo)["xa-a1"]
    assert (unit["state"], unit["received_on"], unit["late"]) == ("submitted", "2024-10-18", True)


def test_only_github_actions_own_pull_request_check_counts(cqdt, repo: Repo, tmp_path: Path):
    """A check run of another name, or made by another app, cannot vouch for a time: the
    version counts as received when the merge was pushed."""
    repo.branch("topic")
    write_submission(DataRoot(repo.path), "xa-a1")
    repo.commit("xaa1-clerk", "submits", date="2024-10-01T09:00:00+07:00")
    sha = head(repo, "topic")
    before, after = merge(repo, "topic", "squash", 4, "2024-10-16T09:00:00+07:00")
    runs = [check_run(sha, "2024-10-01T02:00:00Z", name="Kiểm tra bài nộp (bản sao)"),
            check_run(sha, "2024-10-02T02:00:00Z", app="some-other-app")]
    _record(cqdt, repo, tmp_path / "answers", push_event(before, after, epoch("2024-10-16T02:00:05Z")),
            pulls_answer(4, after), runs)
    assert [(r["received_at"], r["pull_request"]) for r in _ledger(repo)] == [("2024-10-16T02:00:05Z", 4)]


def test_a_direct_push_is_received_when_github_received_the_push(cqdt, repo: Repo, tmp_path: Path):
    before = head(repo)
    write_submission(DataRoot(repo.path), "so-noi-vu")
    repo.commit("sotttt-admin", "typed in for the department", date="2024-09-01T08:00:00+07:00")
    _record(cqdt, repo, tmp_path / "answers", push_event(before, head(repo), epoch("2024-10-30T10:00:00Z")), [], [])
    assert [(r["path"], r["received_at"], r["pull_request"]) for r in _ledger(repo)] == [
        ("submissions/2024/so/so-noi-vu.yaml", "2024-10-30T10:00:00Z", None)]
    assert cqdt("--data", repo.path, "receipts", "pull-request", "--event", tmp_path / "answers/event.json",
                "--pulls", tmp_path / "answers/pulls.json").output == ""


def test_a_version_is_received_once_and_earlier_lines_stay(cqdt, repo: Repo, tmp_path: Path):
    """A file changed and changed back keeps its first receipt; every line already written stays byte for byte."""
    root = DataRoot(repo.path)
    receipts = []
    for number, (strength, when) in enumerate([(10, "2024-10-01T02:00:00Z"), (9, "2024-10-05T02:00:00Z"),
                                                (10, "2024-10-09T02:00:00Z")], start=1):
        repo.branch("topic")
        write_submission(root, "xa-a1", strength=strength)
        repo.commit("xaa1-clerk", f"version {number}")
        _merge_pull_request(cqdt, repo, tmp_path, number, "squash", [("topic", when)])
        receipts.append((repo.path / LEDGER).read_text(encoding="utf-8"))
    assert set(receipts[0].splitlines()) < set(receipts[1].splitlines())
    assert receipts[2] == receipts[1]
    assert [r["pull_request"] for r in _ledger(repo)] == [1, 2]
    assert _status(cqdt, repo)["xa-a1"]["pull_request"] == 1


def test_pull_request_command_names_the_merged_pull_request(cqdt, tmp_path: Path):
    event = push_event("a" * 40, "b" * 40, 0)
    pulls = [{"number": 5, "merged_at": None, "merge_commit_sha": "b" * 40, "base": {"ref": "main"}},
             {"number": 6, "merged_at": "2024-10-21T02:00:00Z", "merge_commit_sha": "b" * 40, "base": {"ref": "main"}},
             {"number": 4, "merged_at": "2024-10-20T02:00:00Z", "merge_commit_sha": "c" * 40, "base": {"ref": "main"}}]
    options = save_answers(tmp_path, event, pulls, [])
    result = cqdt("receipts", "pull-request", *options[:4])
    assert (result.exit_code, result.output) == (0, "6\n")


# --- the ledger as cqdt validate sees it -----------------------------------------------------------

def _line(path: str, sha: str, at: str, number: int | None = 1) -> str:
    return json.dumps({"path": path, "sha256": sha, "received_at": at, "pull_request": number}, ensure_ascii=False)


_BAD_TIME = _line(OWN, "a" * 64, "2024-10-01 00:00")
_BAD_TIME_COL = _BAD_TIME.index('"2024-10-01 00:00') + 1


@pytest.mark.parametrize(("lines", "expected"), [
    ([_line(OWN, "a" * 64, "2024-10-02T00:00:00Z"), _line(OWN, "b" * 64, "2024-10-01T00:00:00Z")],
     [f"{LEDGER}:2:1: các dòng phải theo thứ tự tệp, rồi thời điểm nhận; hãy để quy trình tự động ghi sổ"]),
    ([_line(OWN, "a" * 64, "2024-10-01T00:00:00Z"), _line(OWN, "a" * 64, "2024-10-02T00:00:00Z")],
     [f"{LEDGER}:2:1: phiên bản này của {OWN} đã có biên nhận ở dòng 1; mỗi phiên bản chỉ được nhận một lần"]),
    ([_line(OWN, "a" * 64, "2024-10-01T00:00:00Z"), '{"path": "x"'],
     [f"{LEDGER}:2:13: dòng không phải JSON hợp lệ (Expecting ',' delimiter)"]),
    ([_BAD_TIME], [f"{LEDGER}:1:{_BAD_TIME_COL}: "
                   "trường 'received_at' không đúng định dạng: \"2024-10-01 00:00\""]),
    ([_line("submissions/2023/xa/xa-a1.yaml", "a" * 64, "2024-10-01T00:00:00Z")],
     [f"{LEDGER}:1:1: biên nhận của tệp submissions/2023/xa/xa-a1.yaml không thuộc năm 2024"]),
])
def test_validate_refuses_a_ledger_that_is_not_a_sorted_list_of_receipts(cqdt, tmp_path: Path, lines, expected):
    root = make_data(tmp_path / "data")
    (root.year_dir(2024) / "receipts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args in ([], [root.year_dir(2024) / "receipts.jsonl"]):
        result = cqdt("--data", root.root, "validate", *args)
        assert result.exit_code == 1
        assert [line for line in result.output.splitlines() if line.startswith(LEDGER)] == expected


def test_the_demo_ledgers_validate(data_root: DataRoot):
    from scorer.flow.receipts import read_ledger

    for year in (2023, 2024):
        receipts, problems = read_ledger(data_root, year)
        assert problems == [] and receipts


@pytest.mark.parametrize(("received_at", "late"), [("2024-10-15T16:59:59Z", False), ("2024-10-15T17:00:00Z", True)])
def test_the_deadline_ends_at_midnight_in_vietnam(received_at: str, late: bool):
    from scorer.flow.receipts import Receipt, is_late, parse_time

    assert is_late(Receipt(OWN, parse_time(received_at), "a" * 64, 1), datetime(2024, 10, 15).date()) is late
