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
import textwrap
import zipfile
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
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
LATER = "tính khi tổng hợp"

# (key, heading, width in characters); the answer columns are the unlocked ones. The widths add
# up to about one A4 landscape page at 80 % (the page is set to fit its width).
COLUMNS = (
    ("id", "Mã", 6),
    ("title", "Tiêu chí", 32),
    ("how", "Cách chấm và cách trả lời", 42),
    ("max", "Điểm tối đa", 7),
    ("answer", "Trả lời (tỷ lệ: tử số)", 13),
    ("denominator", "Mẫu số (chỉ với tỷ lệ)", 11),
    ("evidence", "Minh chứng (mỗi dòng một đường dẫn https://...)", 32),
    ("note", "Ghi chú, giải trình", 20),
    ("points", "Điểm (tự tính)", 9),
)
COLUMN = {key: index + 1 for index, (key, _, _) in enumerate(COLUMNS)}
WIDTH = {key: width for key, _, width in COLUMNS}
FIELD_COLUMN = {"value": "answer", "numerator": "answer", "denominator": "denominator",
                "evidence": "evidence", "note": "note"}

# Times New Roman, as Vietnamese administrative documents use (LibreOffice prints it with the
# metric-compatible Liberation Serif). Heights are in points; openpyxl does not size rows, so
# they are worked out from the text: a line of 11-point text with room for stacked marks (Ệ, Ỗ),
# and fewer characters a line than the column's width in characters, to spare.
FONT = "Times New Roman"
SIZE = 11
LINE_HEIGHT = 15.0
CHARS_PER_WIDTH = 1.0
ANSWER_LINES = 3  # room to write two or three evidence links without resizing the row

INSTRUCTIONS = (
    "Cách điền phiếu:\n"
    "1. Ghi câu trả lời vào các ô màu vàng: cột Trả lời (tiêu chí tỷ lệ: tử số), Mẫu số, Minh chứng "
    "và Ghi chú. Các ô khác đã khóa.\n"
    "2. Câu trả lời có điểm phải có minh chứng: đường dẫn https://... tới văn bản, tệp đã đăng trên "
    "cổng thông tin hoặc thư mục chia sẻ; mỗi đường dẫn một dòng (xuống dòng trong ô: Alt+Enter).\n"
    "3. Số thập phân ghi như máy tính vẫn dùng, ví dụ 2,5. Cột Điểm tự tính khi bạn điền; tiêu chí so "
    "sánh với các đơn vị khác được tính khi tổng hợp.\n"
    "4. Điền xong, lưu tệp (giữ dạng .xlsx, không đổi tên các trang) rồi gửi tệp cho cán bộ đầu mối: "
    "cấp xã gửi UBND huyện, cấp huyện và cấp sở gửi Sở TT&TT. Cũng có thể điền phiếu ngay trên trang "
    "Nộp phiếu của trang kết quả."
)


def criteria_fingerprint(criteria_set: CriteriaSet, tier: str) -> str:
    """SHA-256 of the tier's generated submission schema: changes whenever a criterion does."""
    return hashlib.sha256(dumps(submission_schema(criteria_set, tier)).encode("utf-8")).hexdigest()


def checksum(meta: dict[str, str], rows: list[tuple[str, int]]) -> str:
    parts = [meta[k] for k in ("format", "criteria_set", "tier", "unit", "year", "fingerprint")]
    parts.extend(f"{cid}@{row}" for cid, row in rows)
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def criterion_rows(criteria_set: CriteriaSet, tier: str) -> list[tuple[str, int]]:
    """(criterion id, row) of every criterion of the tier: each group has a heading row first."""
    rows, row = [], FIRST_ROW
    for group in criteria_set.tiers[tier].groups:
        row += 1
        for criterion in group.criteria:
            rows.append((criterion.id, row))
            row += 1
    return rows


def _how_text(criterion: Criterion) -> str:
    lines = [criterion.how]
    if criterion.kind == "choice":
        lines.extend(f"• {o.label}: {vn_number(o.points)} điểm" for o in criterion.options)
    return "\n".join([*lines, "Trả lời: " + _answer_help(criterion)])


def _answer_help(criterion: Criterion) -> str:
    if criterion.kind == "yes_no":
        return f'chọn "{YES}" hoặc "{NO}".'
    if criterion.kind == "ratio":
        return (f"tử số ở cột {_letter('answer')}: {criterion.numerator}; "
                f"mẫu số ở cột {_letter('denominator')}: {criterion.denominator}.")
    if criterion.kind == "count":
        return f"ghi số nguyên: số {criterion.counted}."
    if criterion.kind == "choice":
        return "chọn một mức trong danh sách."
    return f"ghi số: {criterion.quantity} ({criterion.quantity_unit}); số thập phân được."


def _letter(key: str) -> str:
    return get_column_letter(COLUMN[key])


def _number(value: Decimal) -> str:
    """A Decimal as a formula literal."""
    return format(value.normalize(), "f")


def _text(value: str) -> str:
    """A string as a formula literal."""
    return '"' + value.replace('"', '""') + '"'


def points_formula(criterion: Criterion, row: int, decimals: int) -> str | None:
    """The formula of a criterion's points, as core.rules.points computes them, or None for a
    relative criterion (its points need the tier's best value, known only when results are made)."""
    answer, denominator = f"{_letter('answer')}{row}", f"{_letter('denominator')}{row}"
    top = _number(criterion.max)
    if criterion.kind == "yes_no":
        return f"=IF({answer}={_text(YES)},{top},0)"
    if criterion.kind == "ratio":
        share = f"{top}*{answer}/({denominator}*{_number(criterion.full_at)})"
        return (f"=IF(AND(ISNUMBER({answer}),ISNUMBER({denominator})),"
                f"IF({denominator}>0,ROUND(MIN({top},{share}),{decimals}),0),0)")
    if criterion.kind == "count":
        return f"=IF(ISNUMBER({answer}),ROUND(MIN({top},{answer}*{_number(criterion.per_item)}),{decimals}),0)"
    if criterion.kind == "choice":
        formula = "0"
        for option in reversed(criterion.options):
            formula = f"IF({answer}={_text(option.label)},{_number(option.points)},{formula})"
        return "=" + formula
    return None


def text_lines(text: str, width: float) -> int:
    """How many lines a wrapped cell of `width` characters takes for `text` (words kept whole)."""
    chars = max(1, int((width - 1) * CHARS_PER_WIDTH))
    return sum(max(1, len(textwrap.wrap(part, chars, break_long_words=True))) for part in str(text).split("\n"))


def row_height(cells: list[tuple[str, float]], minimum_lines: int = 1) -> float:
    """Height in points of a row holding these (text, column width) cells, generously."""
    lines = max([minimum_lines, *(text_lines(text, width) for text, width in cells)])
    return lines * LINE_HEIGHT + 4


def build_template(criteria_set: CriteriaSet, unit: Unit, year: int) -> bytes:
    """The survey workbook of one unit and year, as deterministic .xlsx bytes: print-ready
    (A4 landscape, one page wide, headings on every page, page numbers) with a live score."""
    tier = criteria_set.tiers[unit.tier]
    wb = Workbook()
    _default_font(wb)
    ws = wb.active
    ws.title = SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    meta_ws = wb.create_sheet(META_SHEET)

    plain, bold = Font(name=FONT, size=SIZE), Font(name=FONT, size=SIZE, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    answer_fill = PatternFill("solid", fgColor="FFF2CC")
    closed_fill = PatternFill("solid", fgColor="E7E6E6")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    group_fill = PatternFill("solid", fgColor="F2F2F2")
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    open_cell = Protection(locked=False)
    last = get_column_letter(len(COLUMNS))
    total_width = sum(WIDTH.values())
    rows = criterion_rows(criteria_set, unit.tier)
    total_row = rows[-1][1] + 1

    title = ws.cell(row=1, column=1, value=f"PHIẾU TỰ ĐÁNH GIÁ MỨC ĐỘ CHÍNH QUYỀN ĐIỆN TỬ NĂM {year}")
    title.font = Font(name=FONT, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 32  # capital letters with two marks (Ệ, Ử) need the room
    heading = [
        ("Đơn vị:", unit.name),
        ("Mã đơn vị:", unit.id),
        ("Năm đánh giá:", year),
        ("Cấp:", tier.name),
        ("Bộ tiêu chí:", f"{criteria_set.decision} ({criteria_set.id}), tổng tối đa {vn_number(tier.max_total)} điểm"),
        ("Điểm tạm tính:", f"={_letter('points')}{total_row}"),
    ]
    for row, (label, value) in enumerate(heading, start=2):
        label_cell = ws.cell(row=row, column=COLUMN["title"], value=label)
        label_cell.font, label_cell.alignment = bold, Alignment(horizontal="right")
        value_cell = ws.cell(row=row, column=COLUMN["how"], value=value)
        value_cell.font, value_cell.alignment = bold if row == 7 else plain, Alignment(horizontal="left")
        ws.row_dimensions[row].height = LINE_HEIGHT + 3
    note = ws.cell(row=7, column=COLUMN["max"], value=f"(cộng cột Điểm; tiêu chí so sánh với đơn vị khác {LATER})")
    note.font = plain
    instructions = ws.cell(row=8, column=1, value=INSTRUCTIONS)
    instructions.font, instructions.alignment = plain, wrap
    ws.merge_cells(f"A8:{last}8")
    ws.row_dimensions[8].height = row_height([(INSTRUCTIONS, total_width)])

    for index, (_, heading_text, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=heading_text)
        cell.font, cell.fill, cell.border = bold, header_fill, border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[HEADER_ROW].height = row_height([(h, w * 0.9) for _, h, w in COLUMNS])

    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Câu trả lời không hợp lệ", error=f'Chọn "{YES}" hoặc "{NO}".')
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="Cần một số nguyên", error="Ghi một số nguyên không âm.")
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                             showErrorMessage=True, errorTitle="Cần một số", error="Ghi một số không âm.")
    validations = [yes_no, whole, decimal]

    row_of = dict(rows)
    group_cells = []
    list_column = 0
    for group in tier.groups:
        group_row = row_of[group.criteria[0].id] - 1
        later = any(c.kind == "relative" for c in group.criteria)
        label = f"Nhóm {group.id}. {group.name} (tối đa {vn_number(group.max)} điểm)"
        ws.cell(row=group_row, column=1, value=label + (f"; điểm chưa gồm tiêu chí {LATER}" if later else ""))
        ws.merge_cells(start_row=group_row, start_column=1, end_row=group_row, end_column=COLUMN["note"])
        first, end = row_of[group.criteria[0].id], row_of[group.criteria[-1].id]
        points_ref = _letter("points")
        ws.cell(row=group_row, column=COLUMN["points"], value=f"=SUM({points_ref}{first}:{points_ref}{end})")
        for column in range(1, len(COLUMNS) + 1):
            cell = ws.cell(row=group_row, column=column)
            cell.font, cell.fill, cell.border, cell.alignment = bold, group_fill, border, Alignment(vertical="top")
        ws.row_dimensions[group_row].height = LINE_HEIGHT + 5
        group_cells.append(f"{points_ref}{group_row}")
        for criterion in group.criteria:
            row = row_of[criterion.id]
            formula = points_formula(criterion, row, criteria_set.decimals)
            values = {"id": criterion.id, "title": criterion.title, "how": _how_text(criterion),
                      "max": criterion.max, "points": formula if formula is not None else LATER}
            for key in COLUMN:
                cell = ws.cell(row=row, column=COLUMN[key], value=values.get(key))
                cell.font, cell.alignment, cell.border = plain, wrap, border
                if key in ("answer", "denominator", "evidence", "note"):
                    if key == "denominator" and criterion.kind != "ratio":
                        cell.fill = closed_fill
                    else:
                        cell.protection, cell.fill = open_cell, answer_fill
            ws.cell(row=row, column=COLUMN["id"]).font = bold
            ws.row_dimensions[row].height = row_height(
                [(criterion.title, WIDTH["title"]), (values["how"], WIDTH["how"])], ANSWER_LINES)
            answer_ref = f"{_letter('answer')}{row}"
            if criterion.kind == "yes_no":
                yes_no.add(answer_ref)
            elif criterion.kind == "count":
                whole.add(answer_ref)
            elif criterion.kind in ("ratio", "relative"):
                decimal.add(answer_ref)
                if criterion.kind == "ratio":
                    decimal.add(f"{_letter('denominator')}{row}")
            else:
                list_column += 1
                letter = lists.cell(row=1, column=list_column, value=criterion.id).column_letter
                for position, option in enumerate(criterion.options, start=2):
                    lists.cell(row=position, column=list_column, value=option.label)
                end_row = len(criterion.options) + 1
                choice = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${end_row}",
                                        allow_blank=True, showErrorMessage=True,
                                        errorTitle="Câu trả lời không hợp lệ", error="Chọn một mức trong danh sách.")
                choice.add(answer_ref)
                validations.append(choice)
    for validation in validations:
        ws.add_data_validation(validation)

    ws.cell(row=total_row, column=1, value=f"Tổng điểm tạm tính (tối đa {vn_number(tier.max_total)} điểm; chưa gồm tiêu chí {LATER})")
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=COLUMN["note"])
    ws.cell(row=total_row, column=COLUMN["points"], value="=" + "+".join(group_cells))
    for column in range(1, len(COLUMNS) + 1):
        cell = ws.cell(row=total_row, column=column)
        cell.font, cell.fill, cell.border = bold, header_fill, border
    ws.row_dimensions[total_row].height = LINE_HEIGHT + 5
    _page_setup(ws, unit, year, total_row)

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

    # The live score's formulas: the points column and the score in the heading; nothing else.
    formulas = {f"{_letter('points')}{row}" for row in range(FIRST_ROW, total_row + 1)}
    formulas.add(f"{_letter('how')}{1 + len(heading)}")
    for sheet in (ws, lists, meta_ws):
        _only_our_formulas(sheet, formulas if sheet is ws else set())
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    lists.sheet_state = "hidden"
    meta_ws.sheet_state = "veryHidden"
    wb.security = WorkbookProtection(lockStructure=True)
    return _deterministic_bytes(wb, datetime(year, 1, 1))


def _only_our_formulas(sheet: Any, ours: set[str]) -> None:
    """Every cell but `ours` holds text or a number: openpyxl stores any string starting with "="
    as a formula, and a unit's name or a criterion's text must never run in the clerk's Excel."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" and cell.coordinate not in ours:
                cell.data_type = "s"


def _default_font(wb: Any) -> None:
    """The workbook's default font (column widths are measured in its characters)."""
    wb._fonts[0] = Font(name=FONT, size=SIZE)  # openpyxl has no public setter for the Normal font


def _page_setup(ws: Any, unit: Unit, year: int, last_row: int) -> None:
    """A4 landscape, one page wide (as many long as it takes), the heading row on every page,
    centred, with the unit and page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)
    ws.oddFooter.left.text = f"{unit.name} – năm {year}"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Trang &P / &N"
    ws.oddFooter.right.size = 9


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
