"""One path grammar, ASCII only, for validate, check-pr and the site: a year folder written in
full-width digits (２０２５) is neither taken for 2025 nor skipped in silence."""

from __future__ import annotations

import pytest
from flowdata import admin_repo, make_data, submission, yaml_text

from scorer.flow.ownership import RULE_ADMIN, RULE_PATH, check_pull_request
from scorer.flow.validate import NOT_DATA, validate_all
from scorer.reading.paths import CYCLE_RE, EVIDENCE_RE, LEDGER_RE, SUBMISSION_RE, YEAR_RE, DataRoot

FULL_WIDTH = "submissions/２０２４/xa/xa-a1.yaml"


@pytest.mark.parametrize("path", [
    FULL_WIDTH, "submissions/٢٠٢٤/xa/xa-a1.yaml", "submissions/2024/xa/xa-a1.yaml\n", "submissions/2024/xa/Xa-A1.yaml",
    "submissions/2024/xa/xa-ａ1.yaml", "submissions/2024/xã/xa-a1.yaml", "submissions/2024/xa/-xa.yaml",
    "/submissions/2024/xa/xa-a1.yaml", "submissions/2024/xa/xa-a1.yaml.bak",
])
def test_the_grammar_takes_only_ascii_paths_whole(path):
    assert SUBMISSION_RE.match(path) is None


def test_the_grammar_reads_what_cqdt_writes():
    assert SUBMISSION_RE.match("submissions/2024/xa/xa-a1.review.yaml").groupdict() == {
        "year": "2024", "tier": "xa", "unit": "xa-a1", "review": ".review"}
    assert CYCLE_RE.match("submissions/2024/cycle.yaml")["year"] == "2024"
    assert EVIDENCE_RE.match("evidence/2024/xa-a1/Biên bản họp.pdf")["file"] == "Biên bản họp.pdf"
    assert EVIDENCE_RE.match("evidence/２０２４/xa-a1/a.pdf") is None
    assert LEDGER_RE.match("submissions/2024/receipts.jsonl")["year"] == "2024"
    assert LEDGER_RE.match("submissions/２０２４/receipts.jsonl") is None
    assert YEAR_RE.match("2024") and not YEAR_RE.match("２０２４") and not YEAR_RE.match("20245")


def test_a_full_width_year_folder_is_no_year_and_validate_names_its_files(tmp_path):
    root = make_data(tmp_path)
    for year in ("２０２４", "2025"):
        folder = tmp_path / "submissions" / year / "xa"
        folder.mkdir(parents=True)
        (folder / "xa-a1.yaml").write_text(yaml_text(submission(root, "xa-a1")), encoding="utf-8")
    assert root.years() == [2024]
    problems = {p.path: p.message for p in validate_all(root).problems}
    assert problems[FULL_WIDTH] == NOT_DATA
    assert problems["submissions/2025/xa/xa-a1.yaml"].startswith("năm 2025 chưa có chu kỳ đánh giá")


@pytest.mark.git
def test_check_pr_refuses_a_clerks_submission_in_a_full_width_year(tmp_path):
    repo = admin_repo(tmp_path / "repo")
    repo.branch("full-width")
    path = repo.path / FULL_WIDTH
    path.parent.mkdir(parents=True)
    path.write_text(yaml_text(submission(DataRoot(repo.path), "xa-a1")), encoding="utf-8")
    repo.commit("xaa1-clerk", "submits")
    verdict = check_pull_request(repo.path, "main", "xaa1-clerk")
    assert {(v.path, v.rule) for v in verdict.violations} == {(FULL_WIDTH, RULE_ADMIN)}


@pytest.mark.git
def test_check_pr_refuses_control_characters_in_any_path(tmp_path):
    repo = admin_repo(tmp_path / "repo")
    repo.branch("names")
    names = ["evidence/2024/xa-a1/a\n::add-mask::x.pdf", "evidence/2024/xa-a1/b\x1b[2J.pdf"]
    for name in names:
        (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / name).write_bytes(b"%PDF-1.4\n")
    repo.commit("sotttt-admin", "names")
    verdict = check_pull_request(repo.path, "main", "sotttt-admin")
    assert {(v.path, v.rule) for v in verdict.violations} == {(name, RULE_PATH) for name in names}
