"""Reading a filled Excel survey form (see excel_form) back into a submission.

Imported answers go through the same JSON Schema and meaning checks as a YAML
submission, with every problem named by sheet, cell and criterion.

A workbook is an archive of XML files that openpyxl turns into one Python object per
element: a 90 KB file can unpack into a million rows (17 s and 490 MB). Before openpyxl
opens it, the archive's declared sizes and the number of XML elements in it are checked
against what a survey form could hold; zipfile never unpacks more than a part declares.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.model import CriteriaSet, Criterion, Cycle, Registry, Unit
from ..core.problems import Problem
from ..core.text import vn_number
from ..reading.catalogue import check_criteria_set
from ..reading.cycle import check_cycle
from ..reading.documents import Document
from ..reading.messages import criterion_titles, schema_problems
from ..reading.paths import YEAR_RE, DataRoot
from ..reading.scalars import decimal_problem, number_text_problem, string_problem
from ..reading.schemas import generated_validator
from ..reading.submissions import check_answer
from .excel_form import (
    COLUMN,
    FIELD_COLUMN,
    FIRST_ROW,
    FORMAT,
    META_SHEET,
    NO,
    SHEET,
    UNIT_CELL,
    YEAR_CELL,
    YES,
    checksum,
    criteria_fingerprint,
)

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]+\Z")

# A survey form is some 15 parts and 3,000 XML elements; these are far above it, far below harm.
MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
MAX_PARTS = 100
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ELEMENTS = 100_000
EXCEL_LAST_ROW = 1_048_576


@dataclass(frozen=True, order=True)
class CellProblem:
    """One thing wrong with a filled workbook, named by sheet, cell and criterion."""

    file: str
    sheet: str
    cell: str
    criterion: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: trang '{self.sheet}', ô {self.cell}" if self.cell else f"{self.file}: trang '{self.sheet}'"
        about = f" (tiêu chí {self.criterion})" if self.criterion else ""
        return f"{where}{about}: {self.message}"


@dataclass
class Imported:
    """A workbook read back: the submission data (when usable) and every problem."""

    unit: Unit | None
    year: int | None
    criteria_set: CriteriaSet | None
    data: dict[str, Any] | None
    problems: list[CellProblem]


class _Cells:
    """Stands in for YAML positions: answers.<id>.<field> → (row, column) of its cell."""

    def __init__(self, rows: dict[str, int]):
        self.rows = rows

    def locate(self, path: tuple[Any, ...]) -> tuple[int, int]:
        if len(path) >= 2 and path[0] == "answers" and path[1] in self.rows:
            row = self.rows[path[1]]
            field = next((p for p in reversed(path[2:]) if p in FIELD_COLUMN), "value")
            return row, COLUMN[FIELD_COLUMN[field]]
        cell = YEAR_CELL if path[:1] == ("year",) else UNIT_CELL
        letter, row = coordinate_from_string(cell)
        return row, column_index_from_string(letter)

    def locate_key(self, path: tuple[Any, ...], key: str) -> tuple[int, int]:
        return self.locate((*path, key))


class _Reader:
    """Collects problems while turning cells into answer values."""

    def __init__(self, display: str):
        self.display = display
        self.problems: list[CellProblem] = []

    def add(self, sheet: str, cell: str, criterion: str, message: str) -> None:
        self.problems.append(CellProblem(self.display, sheet, cell, criterion, message))


def workbook_problem(path: Path) -> str | None:
    """Why a file is not opened as a workbook (too large, too many parts or elements), or None."""
    try:
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            return f"tệp quá lớn (giới hạn {MAX_WORKBOOK_BYTES // 1024 // 1024} MB)"
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
                return f"tệp giải nén ra quá lớn (hơn {MAX_UNPACKED_BYTES // 1024 // 1024} MB hoặc {MAX_PARTS} phần)"
            elements = 0
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    body = archive.read(part)  # never more than the size checked above
                    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                        return "tệp có khai báo DTD hoặc thực thể XML, không có trong tệp Excel thật"
                    elements += body.count(b"<")
                    if elements > MAX_ELEMENTS:
                        return (f"tệp có quá nhiều ô, dòng hoặc thành phần (hơn {vn_number(MAX_ELEMENTS)}); "
                                "phiếu khảo sát chỉ có vài trăm ô")
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as err:
        return f"không phải tệp .xlsx hợp lệ ({type(err).__name__})"
    return None


def read_workbook(root: DataRoot, registry: Registry, path: Path, allow_blank: bool = False) -> Imported:
    """Read a filled survey workbook into submission data, checking everything."""
    display = path.name
    reader = _Reader(display)
    refused = workbook_problem(path)
    if refused is not None:
        reader.add(SHEET, "", "", f"không mở được tệp Excel (.xlsx): {refused}")
        return Imported(None, None, None, None, reader.problems)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as err:  # openpyxl raises several kinds for a file that is not .xlsx
        reader.add(SHEET, "", "", f"không mở được tệp Excel (.xlsx): {type(err).__name__}")
        return Imported(None, None, None, None, reader.problems)
    if META_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        reader.add(SHEET, "", "", "tệp không phải phiếu khảo sát do cqdt tạo; hãy tạo mẫu bằng: cqdt template --unit <mã> --year <năm> --xlsx <tệp>")
        return Imported(None, None, None, None, reader.problems)
    context = _check_meta(root, registry, wb[META_SHEET], reader)
    if context is None:
        return Imported(None, None, None, None, reader.problems)
    unit, year, cycle, criteria_set, rows = context
    ws = wb[SHEET]
    answers: dict[str, Any] = {}
    for criterion in criteria_set.tiers[unit.tier].criteria:
        row = rows[criterion.id]
        id_cell = ws.cell(row=row, column=COLUMN["id"])
        if str(id_cell.value or "").strip() != criterion.id:
            reader.add(SHEET, id_cell.coordinate, criterion.id,
                       f"mã tiêu chí đã bị sửa thành {_quoted(id_cell.value)}, phải là '{criterion.id}'; "
                       "không sửa các cột ngoài ô trả lời, hãy tạo lại mẫu nếu cần")
            answers[criterion.id] = {"value": None, "evidence": [], "note": ""}
            continue
        answers[criterion.id] = _read_answer(ws, row, criterion, reader, allow_blank)
    # Unreadable cells count as blank here, so that every other problem is reported in the same run.
    data = {"unit": unit.id, "year": year, "answers": answers}
    _check_data(root, registry, cycle, criteria_set, unit, data, rows, reader)
    problems = sorted(reader.problems)
    return Imported(unit, year, criteria_set, None if problems else data, problems)


def _quoted(value: Any) -> str:
    return "ô trống" if value in (None, "") else f"'{value}'"


def _check_meta(root: DataRoot, registry: Registry, meta_ws: Any, reader: _Reader) -> tuple | None:
    """The unit, year, cycle, criteria set and criterion rows the hidden sheet records, once trusted."""
    values = {str(r[0]): r[1] for r in meta_ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0] is not None}
    keys = ("format", "criteria_set", "tier", "unit", "year", "fingerprint")
    meta = {k: str(values.get(k, "")) for k in keys}
    rows = [(k, v) for k, v in values.items() if k not in (*keys, "checksum") and isinstance(v, int)]
    # The checksum finds an edited form, not a forged one (anyone can compute it): every value
    # it covers is still checked before it is used.
    if meta["format"] != FORMAT or str(values.get("checksum", "")) != checksum(meta, rows) \
            or not YEAR_RE.fullmatch(meta["year"]) or not all(FIRST_ROW <= v <= EXCEL_LAST_ROW for _, v in rows):
        reader.add(META_SHEET, "", "", "thông tin ẩn của mẫu đã bị sửa hoặc hỏng; hãy tạo mẫu mới bằng cqdt template và điền lại")
        return None
    unit = registry.by_id.get(meta["unit"])
    year = int(meta["year"])
    cycle, _ = check_cycle(root, year)
    if unit is None or unit.tier != meta["tier"]:
        reader.add(SHEET, UNIT_CELL, "", f"không có đơn vị '{meta['unit']}' thuộc cấp '{meta['tier']}' trong danh sách đơn vị (units/)")
        return None
    if cycle is None:
        reader.add(SHEET, YEAR_CELL, "", f"chưa có chu kỳ đánh giá năm {year} (thiếu submissions/{year}/cycle.yaml)")
        return None
    criteria_set, problems = check_criteria_set(root, cycle.criteria_set)
    if criteria_set is None:
        reader.add(SHEET, "", "", "; ".join(str(p) for p in problems))
        return None
    if criteria_set.id != meta["criteria_set"] or criteria_fingerprint(criteria_set, unit.tier) != meta["fingerprint"]:
        reader.add(SHEET, "", "", f"mẫu được tạo cho bộ tiêu chí khác với bộ tiêu chí năm {year} hiện hành ({criteria_set.id}); hãy tạo mẫu mới bằng cqdt template")
        return None
    expected = [c.id for c in criteria_set.tiers[unit.tier].criteria]
    if [cid for cid, _ in rows] != expected:
        reader.add(META_SHEET, "", "", "danh sách tiêu chí của mẫu không khớp với bộ tiêu chí; hãy tạo mẫu mới bằng cqdt template")
        return None
    return unit, year, cycle, criteria_set, dict(rows)


def _read_answer(ws: Any, row: int, criterion: Criterion, reader: _Reader, allow_blank: bool) -> dict[str, Any]:
    cell = ws.cell(row=row, column=COLUMN["answer"])
    if criterion.kind == "ratio":
        denominator_cell = ws.cell(row=row, column=COLUMN["denominator"])
        numerator = _number(cell, criterion, reader)
        denominator = _number(denominator_cell, criterion, reader)
        if (numerator is None) != (denominator is None):
            missing = denominator_cell if denominator is None else cell
            what = "mẫu số" if denominator is None else "tử số"
            reader.add(SHEET, missing.coordinate, criterion.id, f"thiếu {what}; tỷ lệ cần cả tử số (cột {cell.column_letter}) "
                       f"và mẫu số (cột {denominator_cell.column_letter})")
        value = None if numerator is None or denominator is None else {"numerator": numerator, "denominator": denominator}
    elif criterion.kind == "yes_no":
        value = _yes_no(cell, criterion, reader)
    elif criterion.kind == "choice":
        value = _choice(cell, criterion, reader)
    else:
        value = _number(cell, criterion, reader)
    if value is None and _blank(cell.value) and not allow_blank:
        reader.add(SHEET, cell.coordinate, criterion.id,
                   "chưa trả lời; nếu cố ý để trống (được 0 điểm), hãy nhập bằng: cqdt import --allow-blank")
    evidence_cell = ws.cell(row=row, column=COLUMN["evidence"])
    evidence = [line.strip() for line in _text(evidence_cell, criterion, reader).splitlines() if line.strip()]
    note = _text(ws.cell(row=row, column=COLUMN["note"]), criterion, reader).strip()
    return {"value": value, "evidence": evidence, "note": note}


def _text(cell: Any, criterion: Criterion, reader: _Reader) -> str:
    """A text cell's content; control characters (which an .xlsx can hold as _x0001_) refused."""
    text = "" if cell.value is None else str(cell.value)
    refusal = string_problem(text)
    if refusal is not None:
        reader.add(SHEET, cell.coordinate, criterion.id, refusal)
        return ""
    return text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(cell: Any, criterion: Criterion, reader: _Reader) -> int | Decimal | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        reader.add(SHEET, cell.coordinate, criterion.id, f"phải là một số; đang là {_quoted(value)}")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            reader.add(SHEET, cell.coordinate, criterion.id, f"phải là một số; đang là chữ '{text[:60]}'")
            return None
    else:
        text = repr(value)  # a float's shortest exact form; inf and nan are refused below
    number = Decimal(text)
    refusal = number_text_problem(text) or decimal_problem(number, text)
    if refusal is not None:
        reader.add(SHEET, cell.coordinate, criterion.id, refusal)
        return None
    return int(text) if isinstance(value, int) or "." not in text else number


def _yes_no(cell: Any, criterion: Criterion, reader: _Reader) -> bool | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in (YES.lower(), "co"):
        return True
    if text in (NO.lower(), "khong"):
        return False
    reader.add(SHEET, cell.coordinate, criterion.id, f'phải chọn "{YES}" hoặc "{NO}"; đang là {_quoted(value)}')
    return None


def _choice(cell: Any, criterion: Criterion, reader: _Reader) -> str | None:
    value = cell.value
    if _blank(value):
        return None
    text = str(value).strip()
    for option in criterion.options:
        if text in (option.label, option.id):
            return option.id
    labels = "; ".join(f'"{o.label}"' for o in criterion.options)
    reader.add(SHEET, cell.coordinate, criterion.id, f"phải chọn một mức trong danh sách ({labels}); đang là {_quoted(value)}")
    return None


def _check_data(root: DataRoot, registry: Registry, cycle: Cycle, criteria_set: CriteriaSet, unit: Unit,
                data: dict[str, Any], rows: dict[str, int], reader: _Reader) -> None:
    """The JSON Schema and meaning checks of `cqdt validate`, located at cells."""
    cells = _Cells(rows)
    validator = generated_validator(criteria_set, unit.tier, "submission")
    found: list[Problem] = schema_problems(validator.iter_errors(data), cells, reader.display,
                                           titles=criterion_titles(criteria_set, unit.tier))
    if not found:
        doc = Document(Path(reader.display), reader.display, "", data, _positions=cells)  # type: ignore[arg-type]
        for criterion in criteria_set.tiers[unit.tier].criteria:
            check_answer(root, doc, ("answers", criterion.id), criterion, data["answers"][criterion.id])
        found = doc.problems
    by_row = {row: cid for cid, row in rows.items()}
    for problem in found:
        reader.add(SHEET, f"{get_column_letter(problem.col)}{problem.line}", by_row.get(problem.line, ""), problem.message)


def submission_yaml(criteria_set: CriteriaSet, unit: Unit, year: int, data: dict[str, Any]) -> str:
    """The canonical YAML submission (with the scaffold's explanatory comments) of imported data."""
    from .fmt import canonical_text, dump_text
    from .scaffold import submission_document

    doc = submission_document(criteria_set, unit, year)
    for cid, answer in data["answers"].items():
        entry = doc["answers"][cid]
        value = answer["value"]
        if isinstance(value, dict):
            value = CommentedMap(value)
        entry["value"] = value
        evidence = CommentedSeq(answer["evidence"])
        if not answer["evidence"]:
            evidence.fa.set_flow_style()
        entry["evidence"] = evidence
        entry["note"] = answer["note"]
    return canonical_text(dump_text(doc), criteria_set, unit.tier)
