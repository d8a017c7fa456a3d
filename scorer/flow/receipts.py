"""Receipts: when GitHub received each version of a submission, kept in a ledger nobody can backdate.

A commit's dates are whatever its author's machine says, so they never decide lateness.
Instead, when main changes, the merge workflow asks GitHub when it first checked each new
version of a submission: the earliest start of the pull-request check ("Kiểm tra bài nộp",
run by GitHub Actions) on a commit of the merged pull request whose tree held exactly that
file. Squash, rebase and merge commits all keep the pull request's own commits, so a version
sent on time stays on time however and whenever it is merged. A version that reached main
without such a check (an admin's direct push) is received when GitHub received the push.

Each year's ledger, submissions/<year>/receipts.jsonl, holds one receipt per line (path,
SHA-256 of the file, received-at in UTC, pull request), sorted, never edited: a version is
received once, and later receipts are only added. Only the workflow and admins may write it
(`cqdt check-pr` refuses anyone else). The commands here read GitHub's answers from files the
workflow fetched (the pushed commit's pull requests; the check runs of that pull request's
commits, which git fetched from refs/pull/<n>/head), so they run, and are tested, without a
network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..core.dates import province_day
from ..core.problems import InputError, Problem
from ..reading.paths import SUBMISSION_RE, DataRoot, write_atomic
from ..reading.submissions import sha256_hex
from ..reading.yaml import ADMIN, Positions, read_text
from .gitread import REGULAR_MODE, GitError, blob_ids, changes_between, data_prefix, show_files

LEDGER_NAME = "receipts.jsonl"
CHECK_NAME = "Kiểm tra bài nộp"  # the job of .github/workflows/pull-request.yml
CHECK_APP = "github-actions"  # only GitHub Actions' own check runs count
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_NO_COMMIT = "0" * 40
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, order=True)
class Receipt:
    """One version of a submission file and when GitHub received it (fields in the order the
    ledger is sorted by: file, then time received)."""

    path: str
    received_at: datetime  # aware, UTC
    sha256: str
    pull_request: int | None

    @property
    def received_on(self) -> date:
        """The day it was received, in Vietnam."""
        return province_day(self.received_at)

    def to_dict(self) -> dict[str, Any]:
        """The receipt as the ledger writes it (schema/receipt.schema.json)."""
        return {"path": self.path, "sha256": self.sha256,
                "received_at": self.received_at.astimezone(UTC).strftime(_TIME_FORMAT),
                "pull_request": self.pull_request}

    def to_line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def ledger_path(root: DataRoot, year: int) -> Path:
    return root.year_dir(year) / LEDGER_NAME


def parse_time(text: str) -> datetime:
    """GitHub's time stamps ("2024-10-14T02:12:33Z") as aware UTC datetimes."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- reading the ledger ---------------------------------------------------------------------------

def read_ledger(root: DataRoot, year: int) -> tuple[list[Receipt] | None, list[Problem]]:
    """A year's receipts in ledger order (None when the year has no ledger yet), and every
    problem of the file: lines that are not receipts, out of order or receiving a version twice."""
    path = ledger_path(root, year)
    if not path.is_file():
        return None, []
    display = root.relative(path)
    try:
        text = read_text(path, display, ADMIN)
    except InputError as err:
        return [], err.problems
    from ..reading.messages import schema_problems
    from ..reading.schemas import static_validator

    validator = static_validator("receipt")
    receipts: list[Receipt] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            problems.append(Problem(display, number, 1, "dòng trống trong sổ biên nhận"))
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem(display, number, err.colno, f"dòng không phải JSON hợp lệ ({err.msg})"))
            continue
        errors = list(validator.iter_errors(data))
        if errors:
            problems += [Problem(display, number, p.col, p.message) for p in schema_problems(errors, Positions(line), display)]
            continue
        receipt = Receipt(data["path"], parse_time(data["received_at"]), data["sha256"], data["pull_request"])
        if not receipt.path.startswith(f"submissions/{year}/"):
            problems.append(Problem(display, number, 1, f"biên nhận của tệp {receipt.path} không thuộc năm {year}"))
        if receipts and receipt <= receipts[-1]:
            problems.append(Problem(display, number, 1, "các dòng phải theo thứ tự tệp, rồi thời điểm nhận; "
                                                         "hãy để quy trình tự động ghi sổ"))
        version = (receipt.path, receipt.sha256)
        if version in seen:
            problems.append(Problem(display, number, 1, f"phiên bản này của {receipt.path} đã có biên nhận ở dòng {seen[version]}; "
                                                         "mỗi phiên bản chỉ được nhận một lần"))
        seen.setdefault(version, number)
        receipts.append(receipt)
    return receipts, problems


def ledger_problems(root: DataRoot, year: int) -> list[Problem]:
    """What `cqdt validate` reports of a year's ledger."""
    return read_ledger(root, year)[1]


def first_receipts(receipts: Iterable[Receipt]) -> dict[tuple[str, str], Receipt]:
    """The receipt of each version of a file, by (path, SHA-256): the first time GitHub received it."""
    found: dict[tuple[str, str], Receipt] = {}
    for receipt in sorted(receipts, key=lambda r: r.received_at):
        found.setdefault((receipt.path, receipt.sha256), receipt)
    return found


def is_late(receipt: Receipt, deadline: date) -> bool:
    """Received after the deadline's day ended in Vietnam."""
    return receipt.received_on > deadline


# --- writing receipts from GitHub's answers -------------------------------------------------------

def json_values(text: str, display: str) -> list[Any]:
    """Every JSON value of a file: one value, or several one after another (`gh api --paginate`
    writes each page's answer in turn)."""
    decoder = json.JSONDecoder()
    values = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError as err:
            line = text.count("\n", 0, position) + 1
            raise InputError([Problem(display, line, 1, f"không đọc được câu trả lời của GitHub: {err}")]) from err
        values.append(value)


def _items(values: list[Any], key: str | None = None) -> list[dict]:
    """The objects of a paginated answer: lists, or objects holding the list under key."""
    found: list[dict] = []
    for value in values:
        if key is not None and isinstance(value, dict) and isinstance(value.get(key), list):
            value = value[key]
        found.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict))
    return found


@dataclass(frozen=True)
class Push:
    """What GitHub says about one push to a branch, and the pull request it merged (if any)."""

    before: str
    after: str
    pushed_at: datetime  # GitHub's clock
    pull_request: int | None
    first_checked: dict[str, datetime]  # a pull request commit → earliest start of the check on it


def merged_pull_request(event: dict, pulls: list[Any]) -> int | None:
    """The pull request whose merge made this push (squash, rebase or merge commit: GitHub sets
    its merge_commit_sha to the commit the branch moved to), from the answer of
    GET /repos/{repo}/commits/{after}/pulls; None for a direct push."""
    after = str(event.get("after", ""))
    branch = str(event.get("ref", "")).removeprefix("refs/heads/")
    merged = sorted(int(p["number"]) for p in _items(pulls)
                    if p.get("merged_at") and p.get("merge_commit_sha") == after
                    and (p.get("base") or {}).get("ref") == branch and isinstance(p.get("number"), int))
    return merged[0] if merged else None


def read_push(event: dict, pulls: list[Any], check_runs: list[Any]) -> Push:
    """The push from the workflow's event and the REST API's answers (already parsed): the pull
    requests of the pushed commit, and GET /repos/{repo}/commits/{sha}/check-runs for each commit
    of the merged pull request. Only GitHub Actions' own runs of the pull-request check count."""
    pushed = (event.get("repository") or {}).get("pushed_at")
    pushed_at = datetime.fromtimestamp(pushed, UTC) if isinstance(pushed, int | float) else parse_time(str(pushed))
    number = merged_pull_request(event, pulls)
    first: dict[str, datetime] = {}
    for run in _items(check_runs, "check_runs") if number is not None else []:
        app = (run.get("app") or {}).get("slug")
        head = run.get("head_sha")
        if run.get("name") != CHECK_NAME or app != CHECK_APP or not run.get("started_at") or not isinstance(head, str):
            continue
        started = parse_time(str(run["started_at"]))
        first[head] = min(started, first.get(head, started))
    return Push(str(event.get("before") or _NO_COMMIT), str(event["after"]), pushed_at, number, first)


def _changed_submissions(cwd: Path, prefix: str, before: str, after: str) -> list[str]:
    """Submission files (data-root paths) that a push added or changed, as regular files."""
    found = []
    for change in changes_between(cwd, before if before != _NO_COMMIT else _EMPTY_TREE, after):
        if change.status == "D" or change.new_mode != REGULAR_MODE or not change.path.startswith(prefix):
            continue
        match = SUBMISSION_RE.match(change.path[len(prefix):])
        if match and not match["review"]:
            found.append(change.path[len(prefix):])
    return sorted(found)


def new_receipts(root: DataRoot, push: Push) -> list[Receipt]:
    """Receipts for the versions of submissions this push brought that the ledgers lack."""
    prefix = data_prefix(root.root)
    if prefix is None:
        raise GitError(f"{root.root} không nằm trong một kho git")
    cwd = root.root
    paths = _changed_submissions(cwd, prefix, push.before, push.after)
    contents = show_files(cwd, push.after, [prefix + p for p in paths])
    commits = sorted(push.first_checked)
    blobs = blob_ids(cwd, [(push.after, prefix + p) for p in paths])
    held = blob_ids(cwd, [(commit, prefix + p) for p in paths for commit in commits])
    ledgers: dict[int, dict[tuple[str, str], Receipt]] = {}
    found = []
    for index, path in enumerate(paths):
        year = int(SUBMISSION_RE.match(path)["year"])
        if year not in ledgers:
            receipts, problems = read_ledger(root, year)
            if problems:
                raise InputError(problems)
            ledgers[year] = first_receipts(receipts or [])
        raw = contents[prefix + path]
        assert raw is not None
        sha = sha256_hex(raw)
        if (path, sha) in ledgers[year]:
            continue  # this version was received before (e.g. a file changed back)
        at_commits = held[index * len(commits):(index + 1) * len(commits)]
        checked = [push.first_checked[c] for c, blob in zip(commits, at_commits, strict=True) if blob == blobs[index]]
        found.append(Receipt(path, min(checked) if checked else push.pushed_at, sha, push.pull_request))
    return sorted(found)


def add_receipts(root: DataRoot, receipts: list[Receipt]) -> list[Path]:
    """Add receipts to their years' ledgers (kept sorted, earlier lines untouched); returns the
    ledgers written."""
    by_year: dict[int, list[Receipt]] = {}
    for receipt in receipts:
        by_year.setdefault(int(SUBMISSION_RE.match(receipt.path)["year"]), []).append(receipt)
    written = []
    for year, added in sorted(by_year.items()):
        current, problems = read_ledger(root, year)
        if problems:
            raise InputError(problems)
        path = ledger_path(root, year)
        write_atomic(path, ledger_text([*(current or []), *added]))
        written.append(path)
    return written


def ledger_text(receipts: Iterable[Receipt]) -> str:
    """A ledger's text: one receipt per line, sorted."""
    return "".join(r.to_line() + "\n" for r in sorted(set(receipts)))


def read_answers(path: Path) -> list[Any]:
    """The JSON values of a file the workflow saved from GitHub."""
    return json_values(read_text(path, path.name, ADMIN), path.name)


def read_event(path: Path) -> dict:
    """The push event the workflow runs for ($GITHUB_EVENT_PATH)."""
    values = read_answers(path)
    if len(values) != 1 or not isinstance(values[0], dict) or not isinstance(values[0].get("after"), str):
        raise InputError([Problem(path.name, 1, 1, "tệp sự kiện phải là sự kiện push của GitHub (có trường 'after')")])
    return values[0]


def record_push(root: DataRoot, event_path: Path, pulls_path: Path, check_runs_path: Path) -> list[Receipt]:
    """Read GitHub's answers from files, add the push's receipts to the ledgers; returns them."""
    push = read_push(read_event(event_path), read_answers(pulls_path), read_answers(check_runs_path))
    receipts = new_receipts(root, push)
    add_receipts(root, receipts)
    return receipts
