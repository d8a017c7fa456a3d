"""The Excel survey form (phiếu khảo sát): a workbook a clerk fills, and reading it back.

Imported only by the template and import commands (openpyxl is a heavy import).

The template lists one row per criterion with locked descriptions and unlocked,
validated answer cells. A very hidden sheet records the unit, year, criteria set,
a fingerprint of the tier's criteria and the row of every criterion, with a
checksum over all of it, so that a workbook edited outside its answer cells, or
made for criteria that have since changed, is refused rather than misread.
Imported answers go through the same JSON Schema and meaning checks as a YAML
submission, with every problem named by sheet, cell and criterion.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.model import CriteriaSet, Criterion, Cycle, Registry, Unit
from ..core.problems import Problem
from ..core.text import vn_number
from ..reading.catalogue import check_criteria_set
from ..reading.cycle import check_cycle
from ..reading.documents import Document
from ..reading.messages import schema_problems
from ..reading.paths import DataRoot
from ..reading.schemas import dumps, generated_validator, submission_schema
from ..reading.submissions import check_evidence, check_value

FORMAT = "cqdt-phieu-khao-sat/1"
SHEET = "Phiếu khảo sát"
LISTS_SHEET = "Danh mục"
META_SHEET = "cqdt"
HEADER_ROW = 9
FIRST_ROW = HEADER_ROW + 1
UNIT_CELL = "C3"
YEAR_CELL = "C4"
YES, NO = "Có", "Không"

# (key, heading, width); the answer columns are the unlocked ones.
COLUMNS = (
    ("id", "Mã tiêu chí", 9),
    ("group", "Nhóm", 22),
    ("title", "Tiêu chí", 46),
    ("how", "Cách chấm", 52),
    ("max", "Điểm tối đa", 9),
    ("help", "Cách trả lời", 34),
    ("answer", "Trả lời (tỷ lệ: tử số)", 16),
    ("denominator", "Mẫu số (chỉ với tỷ lệ)", 14),
    ("evidence", "Minh chứng (mỗi dòng một đường dẫn https://... hoặc tệp trong kho)", 44),
    ("note", "Ghi chú, giải trình", 32),
)
COLUMN = {key: index + 1 for index, (key, _, _) in enumerate(COLUMNS)}
FIELD_COLUMN = {"value": "answer", "numerator": "answer", "denominator": "denominator",
                "evidence": "evidence", "note": "note"}

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


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


def criteria_fingerprint(criteria_set: CriteriaSet, tier: str) -> str:
    """SHA-256 of the tier's generated submission schema: changes whenever a criterion does."""
    return hashlib.sha256(dumps(submission_schema(criteria_set, tier)).encode("utf-8")).hexdigest()


def _checksum(meta: dict[str, str], rows: list[tuple[str, int]]) -> str:
    parts = [meta[k] for k in ("format", "criteria_set", "tier", "unit", "year", "fingerprint")]
    parts.extend(f"{cid}@{row}" for cid, row in rows)
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def _how_text(criterion: Criterion) -> str:
    lines = [criterion.how]
    if criterion.kind == "choice":
        lines.extend(f"• {o.label}: {vn_number(o.points)} điểm" for o in criterion.options)
    return "\n".join(lines)


def _answer_help(criterion: Criterion) -> str:
    if criterion.kind == "yes_no":
        return f'Chọn "{YES}" hoặc "{NO}".'
    if criterion.kind == "ratio":
        return f"Tử số (cột G): {criterion.numerator}.\nMẫu số (cột H): {criterion.denominator}."
    if criterion.kind == "count":
        return f"Ghi số nguyên: số {criterion.counted}."
    if criterion.kind == "choice":
        return "Chọn một mức trong danh sách."
    return f"Ghi số: {criterion.quantity} ({criterion.quantity_unit}); số thập phân được."


def build_template(criteria_set: CriteriaSet, unit: Unit, year: int) -> bytes:
    """The survey workbook of one unit and year, as deterministic .xlsx bytes."""
    tier = criteria_set.tiers[unit.tier]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    meta_ws = wb.create_sheet(META_SHEET)

    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    answer_fill = PatternFill("solid", fgColor="FFF2CC")
    closed_fill = PatternFill("solid", fgColor="E7E6E6")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    open_cell = Protection(locked=False)

    ws["A1"] = f"PHIẾU KHẢO SÁT MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ NĂM {year}"
    ws["A1"].font = Font(bold=True, size=14)
    heading = [
        ("Đơn vị:", unit.name),
        ("Mã đơn vị:", unit.id),
        ("Năm đánh giá:", year),
        ("Cấp:", tier.name),
        ("Bộ tiêu chí:", f"{criteria_set.decision} ({criteria_set.id}), tổng tối đa {vn_number(tier.max_total)} điểm"),
    ]
    for offset, (label, value) in enumerate(heading):
        ws.cell(row=2 + offset, column=2, value=label).font = bold
        ws.cell(row=2 + offset, column=3, value=value)
    ws["A8"] = ("Cách điền: chỉ ghi vào các ô màu vàng (cột G đến J). Câu trả lời có điểm phải có minh chứng. "
                "Số thập phân ghi theo Excel của máy (ví dụ 2,5). Điền xong, nộp tệp bằng lệnh: cqdt import <tệp>.")
    ws["A8"].alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=8, start_column=1, end_row=8, end_column=len(COLUMNS))
    ws.row_dimensions[8].height = 32

    for index, (_, title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=title)
        cell.font, cell.fill, cell.alignment = bold, header_fill, wrap
        ws.column_dimensions[cell.column_letter].width = width

    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Câu trả lời không hợp lệ", error=f'Chọn "{YES}" hoặc "{NO}".')
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="Cần một số nguyên", error="Ghi một số nguyên không âm.")
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                             showErrorMessage=True, errorTitle="Cần một số", error="Ghi một số không âm.")
    validations = [yes_no, whole, decimal]

    rows: list[tuple[str, int]] = []
    list_column = 0
    row = FIRST_ROW
    for group in tier.groups:
        for criterion in group.criteria:
            values = {
                "id": criterion.id,
                "group": f"{group.id}. {group.name}",
                "title": criterion.title,
                "how": _how_text(criterion),
                "max": criterion.max,
                "help": _answer_help(criterion),
            }
            for key, value in values.items():
                cell = ws.cell(row=row, column=COLUMN[key], value=value)
                cell.alignment = wrap
            for key in ("answer", "denominator", "evidence", "note"):
                cell = ws.cell(row=row, column=COLUMN[key])
                cell.alignment = wrap
                if key == "denominator" and criterion.kind != "ratio":
                    cell.fill = closed_fill
                    continue
                cell.protection, cell.fill = open_cell, answer_fill
            answer_ref = ws.cell(row=row, column=COLUMN["answer"]).coordinate
            denominator_ref = ws.cell(row=row, column=COLUMN["denominator"]).coordinate
            if criterion.kind == "yes_no":
                yes_no.add(answer_ref)
            elif criterion.kind == "count":
                whole.add(answer_ref)
            elif criterion.kind in ("ratio", "relative"):
                decimal.add(answer_ref)
                if criterion.kind == "ratio":
                    decimal.add(denominator_ref)
            else:
                list_column += 1
                letter = lists.cell(row=1, column=list_column, value=criterion.id).column_letter
                for position, option in enumerate(criterion.options, start=2):
                    lists.cell(row=position, column=list_column, value=option.label)
                end = len(criterion.options) + 1
                choice = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${end}",
                                        allow_blank=True, showErrorMessage=True,
                                        errorTitle="Câu trả lời không hợp lệ", error="Chọn một mức trong danh sách.")
                choice.add(answer_ref)
                validations.append(choice)
            rows.append((criterion.id, row))
            row += 1
    for validation in validations:
        ws.add_data_validation(validation)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=COLUMN["title"])

    meta = {
        "format": FORMAT,
        "criteria_set": criteria_set.id,
        "tier": unit.tier,
        "unit": unit.id,
        "year": str(year),
        "fingerprint": criteria_fingerprint(criteria_set, unit.tier),
    }
    for position, (key, value) in enumerate(meta.items(), start=1):
        meta_ws.cell(row=position, column=1, value=key)
        meta_ws.cell(row=position, column=2, value=value)
    meta_ws.cell(row=len(meta) + 1, column=1, value="checksum")
    meta_ws.cell(row=len(meta) + 1, column=2, value=_checksum(meta, rows))
    for position, (cid, criterion_row) in enumerate(rows, start=len(meta) + 2):
        meta_ws.cell(row=position, column=1, value=cid)
        meta_ws.cell(row=position, column=2, value=criterion_row)

    for sheet in (ws, lists, meta_ws):
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    lists.sheet_state = "hidden"
    meta_ws.sheet_state = "veryHidden"
    wb.security = WorkbookProtection(lockStructure=True)
    return _deterministic_bytes(wb, datetime(year, 1, 1))


def _deterministic_bytes(wb: Any, stamp: datetime) -> bytes:
    """Save without wall-clock time: fixed document dates and zip entry times."""
    wb.properties.created = wb.properties.modified = stamp
    first = io.BytesIO()
    with zipfile.ZipFile(first, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


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


def read_workbook(root: DataRoot, registry: Registry, path: Path, allow_blank: bool = False) -> Imported:
    """Read a filled survey workbook into submission data, checking everything."""
    display = path.name
    reader = _Reader(display)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as err:  # openpyxl raises several kinds for a file that is not .xlsx
        reader.add(SHEET, "", "", f"không mở được tệp Excel (.xlsx): {err}")
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
    if meta["format"] != FORMAT or str(values.get("checksum", "")) != _checksum(meta, rows):
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
            reader.add(SHEET, missing.coordinate, criterion.id, f"thiếu {what}; tỷ lệ cần cả tử số (cột G) và mẫu số (cột H)")
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
    evidence = [line.strip() for line in str(evidence_cell.value or "").splitlines() if line.strip()]
    note = ws.cell(row=row, column=COLUMN["note"]).value
    return {"value": value, "evidence": evidence, "note": "" if note is None else str(note).strip()}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(cell: Any, criterion: Criterion, reader: _Reader) -> int | Decimal | None:
    value = cell.value
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        reader.add(SHEET, cell.coordinate, criterion.id, f"phải là một số; đang là {_quoted(value)}")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(repr(value))
    text = value.strip()
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        reader.add(SHEET, cell.coordinate, criterion.id, f"phải là một số; đang là chữ '{text[:60]}'")
        return None
    return Decimal(text) if "." in text else int(text)


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
    found: list[Problem] = schema_problems(validator.iter_errors(data), cells, reader.display)
    if not found:
        doc = Document(Path(reader.display), reader.display, "", data, _positions=cells)  # type: ignore[arg-type]
        for criterion in criteria_set.tiers[unit.tier].criteria:
            where = ("answers", criterion.id)
            answer = data["answers"][criterion.id]
            check_value(doc, where, criterion, answer["value"])
            check_evidence(root, doc, where, criterion, answer)
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
