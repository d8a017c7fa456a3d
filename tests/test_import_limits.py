"""`cqdt import` on hostile workbooks: refused before openpyxl opens them when they are too big
to be a survey form, and every value a forged form holds checked before it is used."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flowdata import make_data
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from scorer.forms import excel_import
from scorer.forms.excel_form import (
    COLUMN,
    META_SHEET,
    SHEET,
    build_template,
    checksum,
    criterion_rows,
)
from scorer.forms.excel_import import read_workbook
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.registry import load_registry

CORPUS = Path(__file__).parent / "fuzz_corpus"
ANSWER = get_column_letter(COLUMN["answer"])


@pytest.fixture
def root(tmp_path):
    return make_data(tmp_path / "data")


def _problems(root, path: Path) -> list[str]:
    imported = read_workbook(root, load_registry(root), path)
    assert imported.data is None
    return [str(p) for p in imported.problems]


@pytest.mark.parametrize(("name", "words"), [
    ("million-rows.xlsx", "tệp giải nén ra quá lớn"),
    ("many-cells.xlsx", "quá nhiều ô, dòng hoặc thành phần"),
    ("declared-huge.xlsx", "tệp giải nén ra quá lớn"),
    ("xml-entities.xlsx", "khai báo DTD"),
    ("not-a-zip.xlsx", "không phải tệp .xlsx hợp lệ"),
])
def test_a_workbook_too_big_for_a_form_is_refused_before_openpyxl_opens_it(root, monkeypatch, name, words):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a refused workbook")

    monkeypatch.setattr(excel_import, "load_workbook", never)
    [problem] = _problems(root, CORPUS / name)
    assert problem.startswith(f"{name}: trang 'Phiếu khảo sát': không mở được tệp Excel (.xlsx): ")
    assert words in problem


def _template(root, tmp_path: Path):
    criteria_set = load_criteria_set(root, "qd-1609-2018")
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(build_template(criteria_set, load_registry(root).by_id["xa-a1"], 2024))
    return path


@pytest.mark.parametrize("year", ["abc", "２０２４", "-1", ""])
def test_a_forged_hidden_sheet_with_a_valid_checksum_is_refused(root, tmp_path, year):
    """The checksum is no secret: a forged year with its checksum recomputed used to end in int()'s traceback."""
    path = _template(root, tmp_path)
    book = load_workbook(path)
    meta = book[META_SHEET]
    place = {meta.cell(r, 1).value: r for r in range(1, meta.max_row + 1)}
    meta.cell(place["year"], 2, year)
    values = {k: str(meta.cell(place[k], 2).value or "") for k in ("format", "criteria_set", "tier", "unit", "year", "fingerprint")}
    rows = [(meta.cell(r, 1).value, meta.cell(r, 2).value) for r in range(1, meta.max_row + 1)
            if isinstance(meta.cell(r, 2).value, int)]
    meta.cell(place["checksum"], 2, checksum(values, rows))
    book.save(path)
    assert any("thông tin ẩn của mẫu đã bị sửa" in p for p in _problems(root, path))


def _rows(root, *kinds: str) -> list[tuple[str, int]]:
    """(criterion id, row in the form) of the commune form's criteria of these kinds."""
    criteria_set = load_criteria_set(root, "qd-1609-2018")
    kind = {c.id: c.kind for c in criteria_set.tiers["xa"].criteria}
    return [(cid, row) for cid, row in criterion_rows(criteria_set, "xa") if kind[cid] in kinds]


def _with_cells(path: Path, answers: dict[int, bytes]) -> None:
    """Answer cells (by row) rewritten in the sheet's XML, as Excel could store them but openpyxl would not write them."""
    book = load_workbook(path)
    for row in answers:
        book[SHEET].cell(row, COLUMN["answer"], 900_000_000 + row)
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            for row, stored in answers.items():
                body = body.replace(b"<v>%d</v>" % (900_000_000 + row), b"<v>" + stored + b"</v>")
            target.writestr(info, body)
    path.write_bytes(out.getvalue())


def test_numbers_without_an_exact_form_are_refused_naming_the_cell(root, tmp_path):
    path = _template(root, tmp_path)
    rows = _rows(root, "ratio", "count", "relative")[:3]
    stored = {row: text for (_, row), text in zip(rows, (b"1e999", b"1234567890123456789012345678901234567890", b"-1e999"), strict=True)}
    _with_cells(path, stored)
    problems = _problems(root, path)
    for (cid, row), words in zip(rows, (".nan/.inf", "số quá dài", ".nan/.inf"), strict=True):
        cell = f"ô {ANSWER}{row} (tiêu chí {cid}): "
        assert any(cell in p and words in p for p in problems), problems


def test_digits_other_than_ascii_are_not_numbers(root, tmp_path):
    path = _template(root, tmp_path)
    book = load_workbook(path)
    [(_, row), *_] = _rows(root, "count")
    book[SHEET].cell(row, COLUMN["answer"], "١٢")
    book.save(path)
    assert any(f"ô {ANSWER}{row}" in p and "phải là một số; đang là chữ '١٢'" in p for p in _problems(root, path))
