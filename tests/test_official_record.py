"""Issue 16 (the official record): publication gates, stale verification, the frozen record and
amendments. Each regression test is named after the finding it pins down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flowdata import make_data, submission, write_review, write_submission, yaml_text

from scorer.flow.publish import frozen_problems
from scorer.flow.validate import validate_all, validate_paths
from scorer.reading.cycle import check_cycle
from scorer.reading.paths import DataRoot
from scorer.reading.registry import check_registry
from scorer.shell.memo import Memo
from scorer.shell.scoring import evaluate

DECISION = ("--decision", "519/QĐ-UBND", "--date", "2025-03-08")


@pytest.fixture
def root(tmp_path: Path) -> DataRoot:
    """A year in verification: two communes and a department submitted, all verified."""
    root = make_data(tmp_path / "data", {2024: "verifying"})
    for unit_id, strength in (("xa-a1", 8), ("xa-b1", 6), ("so-noi-vu", 9)):
        write_submission(root, unit_id, strength=strength)
        write_review(root, unit_id)
    return root


def publish(cqdt, root: DataRoot, *args: str):
    return cqdt("--data", root.root, "publish", "--year", "2024", *(args or DECISION))


def written(root: DataRoot) -> tuple[bytes | None, bytes]:
    results = root.results_path(2024)
    return (results.read_bytes() if results.exists() else None), root.cycle_path(2024).read_bytes()


def edit_cycle(root: DataRoot, old: str, new: str) -> None:
    path = root.cycle_path(2024)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_to_cycle(root: DataRoot, text: str) -> None:
    path = root.cycle_path(2024)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edit_answer_note(root: DataRoot, unit_id: str, tier: str, note: str) -> Path:
    path = root.submission_path(2024, tier, unit_id)
    path.write_text(path.read_text(encoding="utf-8").replace("note: ''", f"note: {note}", 1), encoding="utf-8")
    return path


def resubmit(root: DataRoot, unit_id: str, strength: int, bandwidth: int) -> None:
    """A commune's new submission whose relative answer (ht6, bandwidth) is `bandwidth`: below
    the tier's best, it moves no other unit's points."""
    data = submission(root, unit_id, strength=strength)
    data["answers"]["ht6"]["value"] = bandwidth
    root.submission_path(2024, "xa", unit_id).write_text(yaml_text(data), encoding="utf-8")


# Finding 1: stale verification silently replaced by the self-assessment; publish accepted
# anything, from any state, at any date.

def test_stale_verification_is_never_counted_as_verified(root: DataRoot):
    edit_answer_note(root, "xa-a1", "xa", "sửa sau thẩm định")
    result = evaluate(root, 2024).unit("xa-a1")
    assert result.status == "needs_reverification"
    assert result.stale_reviews == ("district", "province") and result.review_stages == ()
    assert evaluate(root, 2024).unit("xa-b1").status == "verified"


def test_publishing_with_a_stale_verification_is_refused(cqdt, root: DataRoot):
    edit_answer_note(root, "xa-a1", "xa", "sửa sau thẩm định")
    before = written(root)
    result = publish(cqdt, root)
    assert result.exit_code == 1
    assert "xa-a1 (submissions/2024/xa/xa-a1.yaml): chờ thẩm định lại" in result.output
    assert "xa-b1" not in result.output
    assert written(root) == before, "a refused publication writes nothing"


def test_publishing_with_a_missing_verification_is_refused(cqdt, root: DataRoot):
    write_submission(root, "xa-a2", strength=7)
    write_review(root, "xa-a2", stages=("district",))
    root.review_path(2024, "so", "so-noi-vu").unlink()
    before = written(root)
    result = publish(cqdt, root)
    assert result.exit_code == 1
    assert "xa-a2 (submissions/2024/xa/xa-a2.yaml): chưa được Sở TT&TT thẩm định" in result.output
    assert "so-noi-vu (submissions/2024/so/so-noi-vu.yaml): chưa được Sở TT&TT thẩm định" in result.output
    assert written(root) == before


def test_publishing_an_open_year_before_the_deadlines_lists_every_blocker(cqdt, root: DataRoot):
    edit_cycle(root, "state: verifying", "state: open")
    write_submission(root, "xa-a2", strength=7)
    before = written(root)
    result = publish(cqdt, root, "--decision", "1/QĐ-UBND", "--date", "2024-10-20")
    assert result.exit_code == 1
    assert "9 điều kiện chưa đạt" in result.output  # five verifications are dated after the decision too
    assert "vẫn đang nhận phiếu (state: open" in result.output
    assert "phải sau hạn nộp của cấp huyện (và hạn UBND huyện thẩm định cấp xã) (31/10/2024)" in result.output
    assert "phải sau hạn nộp của cấp sở (31/10/2024)" in result.output
    assert "xa-a2 (submissions/2024/xa/xa-a2.yaml): chưa được UBND huyện và Sở TT&TT thẩm định" in result.output
    assert written(root) == before


def test_decision_dated_before_a_verification_it_relies_on_is_refused(cqdt, root: DataRoot):
    write_review(root, "xa-b1", day="2025-03-20")
    result = publish(cqdt, root)
    assert result.exit_code == 1
    assert "xa-b1: UBND huyện thẩm định ngày 20/03/2025, sau ngày quyết định 08/03/2025" in result.output


def test_excluded_and_unverified_units_are_published_only_by_a_recorded_decision(cqdt, root: DataRoot):
    write_submission(root, "xa-a2", strength=10)
    edit_answer_note(root, "so-noi-vu", "so", "sửa sau thẩm định")
    add_to_cycle(root, "unit_decisions:\n"
                       "  - {unit: xa-a2, action: exclude, decision: 12/STTTT-BCVT, reason: Nộp phiếu của năm trước}\n"
                       "  - {unit: so-noi-vu, action: count_unverified, decision: 13/STTTT-BCVT, reason: Sáp nhập giữa năm}\n")
    result = publish(cqdt, root)
    assert result.exit_code == 0, result.output
    results = evaluate(root, 2024)
    excluded, counted = results.unit("xa-a2"), results.unit("so-noi-vu")
    assert (excluded.status, excluded.rank, excluded.level) == ("excluded", None, None)
    assert counted.status == "published" and counted.rank == 1
    assert results.unit("xa-a1").rank is not None and {r.rank for r in results.tier("xa") if r.rank} == {1, 2}
    record = json.loads(root.results_path(2024).read_text(encoding="utf-8"))
    assert [d["unit"] for d in record["cycle"]["unit_decisions"]] == ["so-noi-vu", "xa-a2"]
    assert validate_all(root).ok


def test_unit_decisions_name_units_of_the_registry(root: DataRoot):
    add_to_cycle(root, "unit_decisions:\n  - {unit: xa-khong-co, action: exclude, decision: 1/STTTT, reason: Thử}\n")
    problems = validate_paths(root, [root.cycle_path(2024)]).problems
    line = root.cycle_path(2024).read_text(encoding="utf-8").splitlines().index(
        "  - {unit: xa-khong-co, action: exclude, decision: 1/STTTT, reason: Thử}") + 1
    assert [(p.path, p.line) for p in problems] == [("submissions/2024/cycle.yaml", line)]
    assert "không có đơn vị 'xa-khong-co' trong danh sách đơn vị (units/)" in problems[0].message


# Finding 2: "frozen" protected only the bytes of submission and review files; results.json
# was never read back; an amendment unfroze every file of the year.

@pytest.fixture
def published(cqdt, root: DataRoot) -> DataRoot:
    assert publish(cqdt, root).exit_code == 0
    assert validate_all(root).ok
    return root


def set_criterion_max(root: DataRoot, tier: str, criterion: str, old: str, new: str, group_old: str, group_new: str) -> Path:
    """Move points from one criterion to another of the same group: the set stays sound."""
    path = root.root / "criteria" / "qd-1609-2018" / f"{tier}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {criterion}\n")
    head, tail = text[:start], text[start:]
    tail = tail.replace(f"max: {old}", f"max: {new}", 1)
    after = tail.index(f"max: {new}") + 1
    tail = tail[:after] + tail[after:].replace(f"max: {group_old}", f"max: {group_new}", 1)
    path.write_text(head + tail, encoding="utf-8")
    return path


def test_a_criteria_edit_on_a_published_year_fails_validate(published: DataRoot):
    # ht3 (LAN, yes/no, 2 points) and ht4 (data network, ratio, 3 points): 1 point moves between them.
    set_criterion_max(published, "xa", "ht3", "2", "3", "3", "2")
    report = validate_all(published)
    assert not report.ok
    messages = [p for p in report.problems if p.path == "submissions/2024/results.json"]
    assert {m.message.split(" (")[0] for m in messages} == {"năm 2024, đơn vị xa-a1", "năm 2024, đơn vị xa-b1"}
    first = messages[0].message
    assert "kết quả tính lại khác kết quả đã công bố" in first and "tiêu chí ht3: self_points" in first
    assert "Nguyên nhân: bộ tiêu chí đã sửa (criteria/qd-1609-2018/xa.yaml)" in first
    assert messages[0].line > 1, "the problem points at the unit's entry in results.json"
    criteria = validate_paths(published, [published.root / "criteria" / "qd-1609-2018" / "xa.yaml"])
    assert any(p.path == "submissions/2024/results.json" for p in criteria.problems), "a pull request sees it too"


def test_a_criteria_edit_that_changes_no_result_passes(cqdt, published: DataRoot):
    path = published.root / "criteria" / "qd-1609-2018" / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Có mạng nội bộ (LAN)", "title: Có mạng nội bộ LAN", 1), encoding="utf-8")
    assert cqdt("--data", published.root, "schemas").exit_code == 0
    assert validate_all(published).ok, "compared by meaning, not byte for byte"


def test_a_registry_edit_on_a_published_year_fails_validate(published: DataRoot):
    path = published.units_dir / "xa.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Xã B Một", "Xã Bê Một"), encoding="utf-8")
    problems = [p for p in validate_all(published).problems if p.path == "submissions/2024/results.json"]
    assert len(problems) == 1
    assert "đơn vị xa-b1 (Xã B Một) kết quả tính lại khác kết quả đã công bố: tên “Xã B Một” → “Xã Bê Một”" in problems[0].message
    assert "Nguyên nhân: danh sách đơn vị đã sửa (units/xa.yaml)" in problems[0].message


def test_a_unit_removed_from_the_registry_fails_validate(published: DataRoot):
    path = published.units_dir / "huyen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - id: huyen-b")], encoding="utf-8")
    path = published.units_dir / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - id: xa-b1")], encoding="utf-8")
    published.submission_path(2024, "xa", "xa-b1").unlink()
    published.review_path(2024, "xa", "xa-b1").unlink()
    messages = [p.message for p in validate_all(published).problems if p.path == "submissions/2024/results.json"]
    assert any("đơn vị xa-b1 (Xã B Một) có trong kết quả đã công bố nhưng không còn trong danh sách đơn vị" in m
               and "danh sách đơn vị đã sửa" in m for m in messages), messages


def test_a_cycle_edit_on_a_published_year_fails_validate(published: DataRoot):
    add_to_cycle(published, "unit_decisions:\n  - {unit: xa-b1, action: exclude, decision: 2/STTTT, reason: Sau công bố}\n")
    messages = [p.message for p in validate_all(published).problems if p.path == "submissions/2024/results.json"]
    assert any("xa-b1" in m and "trạng thái Công bố → Không đánh giá" in m
               and "chu kỳ đánh giá đã sửa (cycle.yaml: unit_decisions)" in m for m in messages), messages


def test_a_change_of_cqdt_is_named_as_the_cause(published: DataRoot, monkeypatch, tmp_path: Path):
    import scorer.core.evaluate as evaluate_module
    import scorer.flow.record as record_module

    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "fresh-cache"))  # cached results are of the code as it is
    monkeypatch.setattr(record_module, "RULES_VERSION", 99)
    monkeypatch.setattr(evaluate_module, "gap_to_next", lambda *args: None)
    messages = [p.message for p in record_module.record_problems(published, 2024, check_cycle(published, 2024)[0], Memo())]
    assert messages and all("Nguyên nhân: cqdt đã đổi (khi công bố: phiên bản" in m and "quy tắc chấm 99" in m
                            for m in messages)


def test_an_edited_official_record_fails_validate(published: DataRoot):
    path = published.results_path(2024)
    document = json.loads(path.read_text(encoding="utf-8"))
    entry = next(u for u in document["results"]["units"] if u["id"] == "xa-a1")
    entry["total"] += 5
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    messages = [p.message for p in validate_all(published).problems]
    assert any("xa-a1" in m and "tổng điểm" in m and "tệp kết quả chính thức đã bị sửa trực tiếp" in m for m in messages)


def test_site_and_exports_read_the_record(cqdt, published: DataRoot):
    from scorer.flow.record import unit_entries

    recorded = {u["id"]: u for u in json.loads(published.results_path(2024).read_text(encoding="utf-8"))["results"]["units"]}
    set_criterion_max(published, "xa", "ht3", "2", "3", "3", "2")
    official = evaluate(published, 2024)
    assert unit_entries(official)["xa-a1"] == recorded["xa-a1"]
    assert evaluate(published, 2024, recorded=False).unit("xa-a1").criteria != official.unit("xa-a1").criteria
    exported = json.loads(cqdt("--data", published.root, "score", "--year", "2024", "--format", "json").output)
    assert next(u for u in exported["units"] if u["id"] == "xa-a1")["self_total"] == recorded["xa-a1"]["self_total"]


def test_the_record_reads_back_as_the_results_it_records(repo_root: Path):
    """The demo year 2023: every unit's entry, the exports' bytes, as when scored from the repository."""
    from scorer.export.results import to_csv, to_json
    from scorer.flow.record import unit_entries
    from scorer.reading.record import read_record

    root = DataRoot(repo_root)
    official, scored = read_record(root, check_cycle(root, 2023)[0], check_registry(root)[0]), evaluate(root, 2023, recorded=False)
    assert official is not None
    assert unit_entries(official) == unit_entries(scored)
    assert to_json(official) == to_json(scored) and to_csv(official) == to_csv(scored)
    assert official.bests == scored.bests


def test_an_amendment_unfreezes_only_the_units_it_names(cqdt, published: DataRoot):
    add_to_cycle(published, "amendments:\n  - {decision: 777/QĐ-UBND, date: 2025-05-02, units: [xa-a1], "
                            "reason: Xã A Một khai thiếu số liệu}\n")
    resubmit(published, "xa-a1", strength=10, bandwidth=80)
    write_review(published, "xa-a1", day="2025-04-20")
    assert frozen_problems(published, 2024, check_cycle(published, 2024)[0]) == []
    assert validate_all(published).ok, "the named unit may change, and the ranks with it"
    edit_answer_note(published, "xa-b1", "xa", "sửa khi chưa có quyết định")
    assert [p.path for p in frozen_problems(published, 2024, check_cycle(published, 2024)[0])] == ["submissions/2024/xa/xa-b1.yaml"]


def test_an_amendment_keeps_the_before_and_after_of_every_unit_it_changed(cqdt, published: DataRoot, tmp_path: Path):
    first = json.loads(published.results_path(2024).read_text(encoding="utf-8"))
    add_to_cycle(published, "amendments:\n  - {decision: 777/QĐ-UBND, date: 2025-05-02, units: [xa-b1], "
                            "reason: Xã B Một bổ sung minh chứng}\n")
    resubmit(published, "xa-b1", strength=10, bandwidth=60)
    write_review(published, "xa-b1", day="2025-04-20")
    result = publish(cqdt, published, "--decision", "777/QĐ-UBND", "--date", "2025-05-02")
    assert result.exit_code == 0, result.output
    record = json.loads(published.results_path(2024).read_text(encoding="utf-8"))
    assert record["decision"] == first["decision"]
    [amendment] = record["amendments"]
    changes = {c["unit"]: c for c in amendment["changes"]}
    assert set(changes) == {"xa-a1", "xa-b1"}, "the named unit, and the one whose rank it took"
    assert (changes["xa-b1"]["before"]["rank"], changes["xa-b1"]["after"]["rank"]) == (2, 1)
    assert changes["xa-a1"]["before"]["total"] == changes["xa-a1"]["after"]["total"]
    assert validate_all(published).ok
    from scorer.cli.site import build_site

    output = build_site(published, tmp_path / "site")
    year_page = (output / "2024" / "index.html").read_text(encoding="utf-8")
    assert "Quyết định số 777/QĐ-UBND ngày 02/05/2025" in year_page and "Xã B Một bổ sung minh chứng" in year_page
    assert "(chỉ đổi hạng)" in year_page
    unit_page = (output / "2024" / "don-vi" / "xa-b1" / "index.html").read_text(encoding="utf-8")
    assert "Kết quả đã sửa" in unit_page and "Trước: " in unit_page and "hạng 2" in unit_page


def test_an_amendment_that_would_change_units_it_does_not_name_is_refused(cqdt, published: DataRoot):
    from scorer.flow.record import record_problems

    add_to_cycle(published, "amendments:\n  - {decision: 777/QĐ-UBND, date: 2025-05-02, units: [xa-b1], "
                            "reason: Xã B Một bổ sung minh chứng}\n")
    # Its bandwidth now the tier's best, xa-b1 would move xa-a1's points: the decision must name both.
    write_submission(published, "xa-b1", strength=10)
    write_review(published, "xa-b1", day="2025-04-20")
    assert any("xa-a1" in p.message for p in record_problems(published, 2024, check_cycle(published, 2024)[0], Memo()))
    before = written(published)
    result = publish(cqdt, published, "--decision", "777/QĐ-UBND", "--date", "2025-05-02")
    assert result.exit_code == 1
    assert "- xa-a1: kết quả sẽ thay đổi (" in result.output and "quyết định sửa đổi phải nêu tên đơn vị này" in result.output
    assert written(published) == before


def test_files_of_units_an_amendment_does_not_name_block_it(cqdt, published: DataRoot):
    before = written(published)
    # A new unit's submission in a published year changes nothing unless an amendment names it.
    write_submission(published, "xa-a2", strength=10)
    write_review(published, "xa-a2", day="2025-04-20")
    result = publish(cqdt, published, "--decision", "778/QĐ-UBND", "--date", "2025-05-02",
                     "--unit", "xa-a1", "--reason", "Sửa số liệu")
    assert result.exit_code == 1
    assert "submissions/2024/xa/xa-a2.yaml" in result.output and "được thêm sau khi công bố kết quả" in result.output
    assert written(published) == before


def test_an_older_record_is_written_again_only_when_its_results_are_unchanged(cqdt, published: DataRoot):
    from scorer.flow.record import record_problems

    path = published.results_path(2024)
    document = json.loads(path.read_text(encoding="utf-8"))
    old = {"format": 1, "year": 2024, "decision": document["decision"], "amendments": [], "files": document["files"],
           "results": document["results"]}
    for unit in old["results"]["units"]:
        for key in ("stale_reviews", "changed_since_review", "flags"):
            del unit[key]
    path.write_text(json.dumps(old, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    [problem] = record_problems(published, 2024, check_cycle(published, 2024)[0], Memo())
    assert "theo định dạng cũ (format 1)" in problem.message and '--decision "519/QĐ-UBND" --date 2025-03-08' in problem.message
    assert publish(cqdt, published).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == 2 and validate_all(published).ok


def test_pull_request_summary_says_what_changed_since_verification(tmp_path: Path):
    from flowdata import Repo

    from scorer.flow.pr_summary import run_checks, summary_markdown

    repo = Repo(tmp_path / "repo")
    root = make_data(repo.path, {2024: "open"})
    write_submission(root, "xa-a1", strength=8)
    write_review(root, "xa-a1")
    repo.commit("sotttt-admin", "xa-a1 submitted and verified")
    repo.branch("edit")
    path = root.submission_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("numerator: 8", "numerator: 9", 1), encoding="utf-8")
    repo.commit("xaa1-clerk", "xa-a1 edits an answer after verification")
    text = summary_markdown(run_checks(root, "main", "xaa1-clerk"))
    assert "- **Mức đạt được:** Mức II · **Trạng thái:** Chờ thẩm định lại" in text
    assert "- **⚠️ `Chờ thẩm định lại: phiếu đã sửa sau khi UBND huyện và Sở TT&TT thẩm định" in text
    assert "- **Số liệu sửa so với nhánh gốc:** ht1: `8/10` → `9/10`\n" in text
