"""The Excel survey form (phiếu khảo sát): the workbook a clerk fills in.

Imported only by the template and import commands (openpyxl is a heavy import).

The template lists one row per criterion with locked descriptions and unlocked,
validated answer cells. A very hidden sheet records the unit, year, criteria set,
a fingerprint of the tier's criteria and the row of every criterion, with a
checksum over all of it, so that a workbook edited outside its answer cells, or
made for criteria that have since changed, is refused rather than misread (see
excel_import).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from ..core.model import CriteriaSet, Criterion, Unit
from ..core.text import vn_number
from ..reading.schemas import dumps, submission_schema

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


def criteria_fingerprint(criteria_set: CriteriaSet, tier: str) -> str:
    """SHA-256 of the tier's generated submission schema: changes whenever a criterion does."""
    return hashlib.sha256(dumps(submission_schema(criteria_set, tier)).encode("utf-8")).hexdigest()


def checksum(meta: dict[str, str], rows: list[tuple[str, int]]) -> str:
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
    meta_ws.cell(row=len(meta) + 1, column=2, value=checksum(meta, rows))
    for position, (cid, criterion_row) in enumerate(rows, start=len(meta) + 2):
        meta_ws.cell(row=position, column=1, value=cid)
        meta_ws.cell(row=position, column=2, value=criterion_row)

    for sheet in (ws, lists, meta_ws):
        _no_formulas(sheet)
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    lists.sheet_state = "hidden"
    meta_ws.sheet_state = "veryHidden"
    wb.security = WorkbookProtection(lockStructure=True)
    return _deterministic_bytes(wb, datetime(year, 1, 1))


def _no_formulas(sheet: Any) -> None:
    """Every cell is text or a number: openpyxl stores a string starting with "=" as a formula,
    and a unit's name or a criterion's text must never run in the clerk's Excel."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


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
