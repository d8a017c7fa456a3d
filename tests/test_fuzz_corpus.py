"""The hostile corpus (tests/fuzz_corpus, one file per case of issue 17) through every command
that reads what a stranger can send, as real processes: validate, fmt, check-pr, pr-summary
and import. See fuzzing.py for what every run must keep to."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
from flowdata import Repo, admin_repo
from fuzzing import CANARY, assert_inert_markdown, cqdt, named, one_by_one, tally, tree_digest

from scorer.reading.yaml import ADMIN, load_file

CORPUS = Path(__file__).parent / "fuzz_corpus"
CASES = load_file(CORPUS / "cases.yaml", limits=ADMIN)[1]
TALLY = tally("fuzz corpus")

# Names a pull request can give its files: each must be refused or named, never obeyed.
HOSTILE_NAMES = [
    "submissions/２０２４/xa/xa-a1.yaml",  # full-width digits: passed check-pr, skipped by validate
    "submissions/2024/xa/xa-a1.yaml\n",
    f"evidence/2024/xa-a1/[{CANARY}](https:%2F%2Fevil.example).pdf",
    f"evidence/2024/xa-a1/a\n::add-mask::{CANARY}.pdf",
    f"evidence/2024/xa-a1/##[warning]{CANARY}.pdf",
    f"evidence/2024/xa-a1/<img src={CANARY}>.pdf",
    f"evidence/2024/xa-a1/\u202e{CANARY}.pdf",
    f"::error file=README.md::{CANARY}.yaml",
    os.fsdecode(b"evidence/2024/xa-a1/\xff\xfe" + CANARY.encode() + b".pdf"),
]


def _place(name: str, folder: Path) -> Path:
    """The corpus file as a submission of the unit named after it."""
    stem = name.removesuffix(".gz").removesuffix(".yaml")
    target = folder / f"{stem}.yaml"
    data = (CORPUS / name).read_bytes()
    target.write_bytes(gzip.decompress(data) if name.endswith(".gz") else data)
    return target


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory) -> tuple[Repo, list[str]]:
    """A clerk's pull request that adds every hostile YAML file and every hostile name."""
    repo = admin_repo(tmp_path_factory.mktemp("corpus") / "repo")
    repo.branch("hostile")
    folder = repo.path / "submissions" / "2024" / "xa"
    folder.mkdir(parents=True, exist_ok=True)
    displays = [f"submissions/2024/xa/{_place(name, folder).name}" for name in CASES["yaml"]]
    for name in HOSTILE_NAMES:
        path = repo.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"unit: xa-a1\n")
        displays.append(name)
    repo.commit("xaa1-clerk", "hostile files")
    TALLY.inputs += len(displays)
    return repo, displays


def _message_of(run, display: str, words: str) -> bool:
    return any(line.startswith(display + ":") and words in line for line in (run.stdout + run.stderr).splitlines())


def test_validate_names_every_hostile_file_with_its_message(tmp_path, pull_request):
    repo, _ = pull_request
    before = tree_digest(repo.path)
    files = {f"submissions/2024/xa/{name.removesuffix('.gz')}": words["message"] for name, words in CASES["yaml"].items()}

    def check(displays: list[str]) -> None:
        run = cqdt(repo.path, "validate", *(str(repo.path / d) for d in displays), tally=TALLY)
        assert run.code == 1
        for display in displays:
            assert _message_of(run, display, files[display]), (display, files[display], run.stderr[-3000:])

    one_by_one(sorted(files), check)
    assert tree_digest(repo.path) == before


def test_fmt_check_refuses_or_lists_every_hostile_file_and_changes_none(pull_request):
    repo, _ = pull_request
    before = tree_digest(repo.path)
    displays = sorted(f"submissions/2024/xa/{name.removesuffix('.gz')}" for name in CASES["yaml"])

    def check(chosen: list[str]) -> None:
        run = cqdt(repo.path, "fmt", "--check", *(str(repo.path / d) for d in chosen), tally=TALLY)
        assert run.code == 1
        for display in chosen:
            assert named(run, display), (display, run.stderr[-2000:])

    one_by_one(displays, check)
    assert tree_digest(repo.path) == before


def test_check_pr_refuses_every_hostile_file_and_name(pull_request):
    repo, displays = pull_request
    before = tree_digest(repo.path)
    run = cqdt(repo.path, "check-pr", "--base", "main", "--actor", "xaa1-clerk", tally=TALLY,
               env={"GITHUB_ACTIONS": "true"})
    assert run.code == 1
    for display in displays:
        assert named(run, display), display
    assert tree_digest(repo.path) == before


def test_pr_summary_checks_every_hostile_file_and_its_summary_is_inert(tmp_path, pull_request):
    repo, displays = pull_request
    before = tree_digest(repo.path)
    summary = tmp_path / "summary.md"
    run = cqdt(repo.path, "pr-summary", "--base", "main", "--actor", "xaa1-clerk", "--summary", str(summary),
               tally=TALLY, env={"GITHUB_ACTIONS": "true"})
    assert run.code == 1
    for display in displays:
        assert named(run, display), display
    for name, words in CASES["yaml"].items():
        assert _message_of(run, f"submissions/2024/xa/{name.removesuffix('.gz')}", words["message"]), name
    text = summary.read_text(encoding="utf-8")
    assert CANARY in text
    assert_inert_markdown(text)
    assert tree_digest(repo.path) == before


@pytest.mark.parametrize("name", sorted(CASES["xlsx"]))
def test_import_refuses_every_hostile_workbook_and_writes_nothing(tmp_path, pull_request, name):
    repo, _ = pull_request
    workbook = tmp_path / name
    shutil.copyfile(CORPUS / name, workbook)
    before = tree_digest(repo.path)
    run = cqdt(repo.path, "import", str(workbook), tally=TALLY)
    TALLY.inputs += 1
    assert run.code == 1
    assert run.stderr.startswith(f"{name}: ") and CASES["xlsx"][name]["message"] in run.stderr, run.stderr
    assert tree_digest(repo.path) == before


@pytest.mark.parametrize("name", sorted(CASES["json"]))
def test_a_hostile_official_record_is_a_message(tmp_path, name):
    """A pull request can carry a results.json; reading it (validate, pr-summary) never crashes."""
    from flowdata import make_data

    from scorer.core.problems import InputError
    from scorer.reading.record import load_record

    root = make_data(tmp_path / "data")
    root.results_path(2024).write_bytes(gzip.decompress((CORPUS / name).read_bytes()))
    with pytest.raises(InputError) as err:
        load_record(root, 2024)
    assert err.value.problems[0].path == "submissions/2024/results.json"
    assert CASES["json"][name]["message"] in err.value.problems[0].message
