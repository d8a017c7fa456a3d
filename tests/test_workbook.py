"""The Excel survey form: template → filled with openpyxl → import → validate → score."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from scorer.core.model import Criterion
from scorer.core.rules import points
from scorer.forms.excel_form import COLUMN, HEADER_ROW, META_SHEET, SHEET, build_template
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry
from scorer.shell.scoring import evaluate

REPO = Path(__file__).resolve().parent.parent
YEAR = 2031
UNITS = {
    "so": "tier: so\nunits:\n  - {id: so-thu, name: Sở Thử nghiệm, kind: department, owners: [clerk-so], reviewers: []}\n",
    "huyen": "tier: huyen\nunits:\n  - {id: huyen-thu, name: Huyện Thử, kind: district, owners: [clerk-huyen], reviewers: [rv-huyen]}\n",
    "xa": "tier: xa\nunits:\n  - {id: xa-thu, name: Xã Thử, kind: commune, district: huyen-thu, owners: [clerk-xa], reviewers: []}\n",
}
UNIT_OF = {"so": "so-thu", "huyen": "huyen-thu", "xa": "xa-thu"}
ANSWER, DENOMINATOR, EVIDENCE = (get_column_letter(COLUMN[key]) for key in ("answer", "denominator", "evidence"))


@pytest.fixture
def small_root(tmp_path: Path) -> DataRoot:
    """Criteria and schemas from the repository, one unit per tier, an open year."""
    root = tmp_path / "data"
    for folder in ("criteria", "schema"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "units").mkdir()
    for tier, text in UNITS.items():
        (root / "units" / f"{tier}.yaml").write_text(text, encoding="utf-8")
    (root / "units" / "roles.yaml").write_text("admins: [admin]\nprovince_reviewers: [rv-so]\n", encoding="utf-8")
    (root / "submissions" / str(YEAR)).mkdir(parents=True)
    (root / "submissions" / str(YEAR) / "cycle.yaml").write_text(
        f"year: {YEAR}\ncriteria: qd-1609-2018\ndemo: true\n"
        f"deadlines: {{xa: {YEAR}-10-15, huyen: {YEAR}-10-31, so: {YEAR}-10-31}}\n"
        "verification_working_days: 60\nstate: open\n", encoding="utf-8")
    return DataRoot(root)


def _answer(criterion: Criterion, index: int):
    """A varied, valid answer per kind: (answer and denominator cells as typed, expected YAML value)."""
    if criterion.kind == "yes_no":
        return ("Có", None, True) if index % 3 else ("Không", None, False)
    if criterion.kind == "ratio":
        if index % 4 == 0:
            return (7.5, 12, {"numerator": Decimal("7.5"), "denominator": 12})
        return (index % 9 + 1, 10, {"numerator": index % 9 + 1, "denominator": 10})
    if criterion.kind == "count":
        return (index % 5, None, index % 5)
    if criterion.kind == "choice":
        option = criterion.options[index % len(criterion.options)]
        return (option.label, None, option.id)
    return ("12,75", None, Decimal("12.75"))


def _template(root: DataRoot, tier: str, path: Path) -> tuple[list[Criterion], Path]:
    criteria_set = load_criteria_set(root, "qd-1609-2018")
    unit = load_registry(root).by_id[UNIT_OF[tier]]
    path.write_bytes(build_template(criteria_set, unit, YEAR))
    return list(criteria_set.tiers[tier].criteria), path


def _rows(ws) -> dict[str, int]:
    """The row of each criterion, found by its id in the first column (groups have heading rows)."""
    return {ws.cell(row=r, column=COLUMN["id"]).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}


def _fill(path: Path, criteria: list[Criterion]) -> dict[str, object]:
    wb = load_workbook(path)
    ws = wb[SHEET]
    expected = {}
    rows = _rows(ws)
    for index, criterion in enumerate(criteria):
        row = rows[criterion.id]
        answer, denominator, value = _answer(criterion, index)
        ws.cell(row=row, column=COLUMN["answer"], value=answer)
        if denominator is not None:
            ws.cell(row=row, column=COLUMN["denominator"], value=denominator)
        ws.cell(row=row, column=COLUMN["evidence"],
                value=f"https://phutho.gov.vn/minh-chung/{criterion.id}.pdf\nhttps://phutho.gov.vn/anh/{criterion.id}")
        ws.cell(row=row, column=COLUMN["note"], value=f"Ghi chú cho {criterion.id}: đã kiểm tra" if index % 2 else None)
        expected[criterion.id] = value
    wb.save(path)
    return expected


def test_template_is_byte_identical_across_runs(small_root, tmp_path):
    _, first = _template(small_root, "xa", tmp_path / "a.xlsx")
    _, second = _template(small_root, "xa", tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()


def test_template_locks_everything_but_the_answer_cells(small_root, tmp_path):
    criteria, path = _template(small_root, "huyen", tmp_path / "h.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    assert ws.protection.sheet and wb.security.lockStructure
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert ws.cell(row=HEADER_ROW, column=COLUMN["title"]).value == "Tiêu chí"
    rows = _rows(ws)
    for criterion in criteria:
        row = rows[criterion.id]
        assert ws.cell(row=row, column=COLUMN["id"]).protection.locked
        assert ws.cell(row=row, column=COLUMN["max"]).value == criterion.max
        assert not ws.cell(row=row, column=COLUMN["answer"]).protection.locked
        assert ws.cell(row=row, column=COLUMN["denominator"]).protection.locked is (criterion.kind != "ratio")
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"list", "whole", "decimal"}


@pytest.mark.parametrize("tier", ["so", "huyen", "xa"])
def test_round_trip_validates_and_scores_as_filled(small_root, tmp_path, cqdt, tier):
    criteria, path = _template(small_root, tier, tmp_path / f"{tier}.xlsx")
    expected = _fill(path, criteria)
    result = cqdt("--data", small_root.root, "import", path)
    assert result.exit_code == 0, result.output
    target = small_root.submission_path(YEAR, tier, UNIT_OF[tier])
    assert result.output.strip() == small_root.relative(target)
    assert cqdt("--data", small_root.root, "validate", target).exit_code == 0
    assert cqdt("--data", small_root.root, "fmt", "--check", target).exit_code == 0
    results = evaluate(small_root, YEAR)
    unit = results.unit(UNIT_OF[tier])
    criteria_set = results.criteria_set
    for row, criterion in zip(unit.criteria, criteria, strict=True):
        assert row.self_value == expected[criterion.id]
        best = expected[criterion.id] if criterion.kind == "relative" else None
        assert row.self_points == points(criterion, expected[criterion.id], criteria_set.decimals, best)
    assert unit.self_total == sum(r.self_points for r in unit.criteria)
    assert unit.criteria[1].note == ("Ghi chú cho " + criteria[1].id + ": đã kiểm tra")


def _filled(root: DataRoot, tmp_path: Path, tier: str):
    """A template of the tier filled with valid answers, opened for one more edit."""
    criteria, path = _template(root, tier, tmp_path / f"{tier}.xlsx")
    _fill(path, criteria)
    return criteria, path, load_workbook(path)


def _import_problems(cqdt, root: DataRoot, path: Path, *extra: str) -> str:
    result = cqdt("--data", root.root, "import", *extra, path)
    assert result.exit_code == 1
    assert not list(root.year_dir(YEAR).glob("*/*.yaml")), "nothing may be written on failure"
    return result.output


def _row_of(wb, criteria: list[Criterion], kind: str) -> tuple[int, Criterion]:
    criterion = next(c for c in criteria if c.kind == kind)
    return _rows(wb[SHEET])[criterion.id], criterion


def test_text_in_a_number_cell_names_the_cell(small_root, tmp_path, cqdt):
    criteria, path, wb = _filled(small_root, tmp_path, "xa")
    row, criterion = _row_of(wb, criteria, "count")
    yes_row, yes_no = _row_of(wb, criteria, "yes_no")
    wb[SHEET].cell(row=row, column=COLUMN["answer"], value="mười hai")
    wb[SHEET].cell(row=yes_row, column=COLUMN["answer"], value="Có")
    wb[SHEET].cell(row=yes_row, column=COLUMN["evidence"]).value = None
    wb.save(path)
    output = _import_problems(cqdt, small_root, path)
    assert f"ô {ANSWER}{row} (tiêu chí {criterion.id}): phải là một số; đang là chữ 'mười hai'" in output
    # Every problem in one run: the missing evidence of another row is reported too.
    assert f"ô {ANSWER}{yes_row} (tiêu chí {yes_no.id}): tiêu chí {yes_no.id} ({yes_no.title}): câu trả lời có điểm phải kèm minh chứng" in output
    assert "Không nhập được xa.xlsx: 2 lỗi; chưa ghi tệp nào." in output


def test_missing_answer_is_refused_unless_blank_allowed(small_root, tmp_path, cqdt):
    criteria, path, wb = _filled(small_root, tmp_path, "so")
    row, criterion = _row_of(wb, criteria, "yes_no")
    ratio_row, ratio = _row_of(wb, criteria, "ratio")
    ws = wb[SHEET]
    ws.cell(row=row, column=COLUMN["answer"]).value = None
    ws.cell(row=ratio_row, column=COLUMN["denominator"]).value = None
    wb.save(path)
    output = _import_problems(cqdt, small_root, path)
    assert f"ô {ANSWER}{row} (tiêu chí {criterion.id}): chưa trả lời" in output
    assert f"ô {DENOMINATOR}{ratio_row} (tiêu chí {ratio.id}): thiếu mẫu số" in output
    output = _import_problems(cqdt, small_root, path, "--allow-blank")
    assert f"ô {ANSWER}{row}" not in output and f"ô {DENOMINATOR}{ratio_row}" in output


def test_tampered_criterion_id_is_refused(small_root, tmp_path, cqdt):
    criteria, path, wb = _filled(small_root, tmp_path, "huyen")
    row = _rows(wb[SHEET])[criteria[2].id]
    wb[SHEET].cell(row=row, column=COLUMN["id"], value="ht99")
    wb.save(path)
    output = _import_problems(cqdt, small_root, path)
    assert f"ô A{row} (tiêu chí {criteria[2].id}): mã tiêu chí đã bị sửa thành 'ht99'" in output


def test_tampered_hidden_sheet_is_refused(small_root, tmp_path, cqdt):
    _, path, wb = _filled(small_root, tmp_path, "xa")
    meta = wb[META_SHEET]
    row = next(r for r in range(1, 10) if meta.cell(row=r, column=1).value == "unit")
    meta.cell(row=row, column=2, value="xa-khac")
    wb.save(path)
    assert "thông tin ẩn của mẫu đã bị sửa" in _import_problems(cqdt, small_root, path)


def test_meaning_checks_are_those_of_validate(small_root, tmp_path, cqdt):
    criteria, path, wb = _filled(small_root, tmp_path, "xa")
    row, ratio = _row_of(wb, criteria, "ratio")
    yes_row, yes_no = next((_rows(wb[SHEET])[c.id], c) for i, c in enumerate(criteria) if c.kind == "yes_no" and i % 3)
    ws = wb[SHEET]
    ws.cell(row=row, column=COLUMN["answer"], value=20)
    ws.cell(row=row, column=COLUMN["denominator"], value=10)
    ws.cell(row=yes_row, column=COLUMN["evidence"], value="ftp://may-chu/tep.pdf")
    wb.save(path)
    output = _import_problems(cqdt, small_root, path)
    assert f"ô {ANSWER}{row} (tiêu chí {ratio.id}): tiêu chí {ratio.id} ({ratio.title}): tử số (20) lớn hơn mẫu số (10)" in output
    assert f"ô {EVIDENCE}{yes_row} (tiêu chí {yes_no.id}): tiêu chí {yes_no.id} ({yes_no.title}): minh chứng 'ftp://may-chu/tep.pdf' không hợp lệ" in output


def test_an_implausible_value_needs_its_justification_as_in_validate(small_root, tmp_path, cqdt):
    # `outside: justify`: a value beyond the plausible range is imported only with a note saying why.
    criteria, path, wb = _filled(small_root, tmp_path, "xa")
    criterion = next(c for c in criteria if c.plausible)
    row = _rows(wb[SHEET])[criterion.id]
    wb[SHEET].cell(row=row, column=COLUMN["answer"], value=5000)
    wb[SHEET].cell(row=row, column=COLUMN["note"]).value = None
    wb.save(path)
    output = _import_problems(cqdt, small_root, path)
    assert f"ô {ANSWER}{row} (tiêu chí {criterion.id}): tiêu chí {criterion.id}: " in output
    assert "ngoài khoảng hợp lý" in output and "hãy ghi giải trình vào 'note'" in output
    wb[SHEET].cell(row=row, column=COLUMN["note"], value="Đường truyền riêng 5 Gbps cho trung tâm dữ liệu.")
    wb.save(path)
    assert cqdt("--data", small_root.root, "import", path).exit_code == 0


def test_a_file_that_is_not_a_workbook_is_refused(small_root, tmp_path, cqdt):
    path = tmp_path / "phieu.xlsx"
    path.write_text("không phải Excel", encoding="utf-8")
    assert "không mở được tệp Excel" in _import_problems(cqdt, small_root, path)


def test_existing_submission_is_kept_without_force(small_root, tmp_path, cqdt):
    criteria, path = _template(small_root, "xa", tmp_path / "x.xlsx")
    _fill(path, criteria)
    target = small_root.submission_path(YEAR, "xa", "xa-thu")
    target.parent.mkdir(parents=True)
    target.write_text("giữ nguyên\n", encoding="utf-8")
    result = cqdt("--data", small_root.root, "import", path)
    assert result.exit_code != 0 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "giữ nguyên\n"
    assert cqdt("--data", small_root.root, "import", "--force", path).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server:")
