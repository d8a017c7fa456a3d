"""A year's results as an XLSX workbook, with byte-identical output for the same results.

openpyxl writes the workbook: properties, styles, one sheet per tier with its header row,
frozen panes and column width. The data rows, only numbers and text, are then formatted here
in the form openpyxl's write-only writer gives them (inline strings, empty cells left out)
and put into each sheet while the archive is repacked with a fixed date.

Why: on 10,000 communes (18 cells a row) openpyxl for every cell took 1.7-2.2 s a call,
nearly all of it building and serialising one XML element per cell (et_xmlfile; about 15 %
less with lxml). XlsxWriter (1.0 s CPU) and pyexcelerate (0.8 s) still do per-cell Python
work, so neither reaches 3x and both would be a new dependency; rows as text take 0.3 s
(bench/xlsx_speed.py: 5.8x at 10,000 units, 5.2x at 1,000). A Decimal is written with its own
digits (0.56, where openpyxl's float formatting stored 0.5600000000000001), so a cell holds
the scorer's number exactly; text is always text (a name starting with "=" is no formula).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from html import escape

from ..core.model import TIERS, Results, UnitResult
from ..core.text import STATUS_LABELS, TIER_LABELS
from .results import ordered_units

HEADERS = ["Năm", "Cấp", "Hạng", "Mã đơn vị", "Tên đơn vị", "Huyện", "Trạng thái", "Mức"]
SHEET_DATA_END = b"</sheetData>"
# zlib's fastest level: a tenth of a second less for a nationwide sheet, a file a quarter larger.
ZIP_LEVEL = 1
# What XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE; tab and line breaks are allowed).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _fixed_time(results: Results) -> datetime:
    """A date from the data, never the clock: the publication, else the last deadline, else 1/1."""
    cycle = results.cycle
    if cycle.publication is not None:
        day = cycle.publication.date
    elif cycle.deadlines:
        day = max(cycle.deadlines.values())
    else:
        return datetime(results.year, 1, 1)
    return datetime(day.year, day.month, day.day)


def _cell(ref: str, value: str | int | Decimal) -> str:
    """One cell: text inline, a number with exactly its digits (Decimal 25.20 → 25.2)."""
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            raise ValueError(f"Ô {ref}: có ký tự điều khiển, Excel không ghi được: {value!r}")
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(value, quote=False)}</t></is></c>'
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"Ô {ref}: {value!r} không phải số hay chữ")
    number = value if isinstance(value, int) else format(value.normalize(), "f")
    return f'<c r="{ref}" t="n"><v>{number}</v></c>'


def _row_xml(number: int, columns: list[str], values: list) -> str:
    """A `<row>` element numbered `number`; a None leaves its cell out."""
    return (f'<row r="{number}">'
            + "".join(_cell(f"{column}{number}", value) for column, value in zip(columns, values, strict=True)
                      if value is not None)
            + "</row>")


def _repack(data: bytes, stamp: datetime, rows: dict[str, str]) -> bytes:
    """The same ZIP with every entry stamped `stamp` and `rows[name]` appended to the sheet `name`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename in rows:
                head, tail = body.split(SHEET_DATA_END)  # one sheetData per sheet
                body = b"".join((head, rows[info.filename].encode(), SHEET_DATA_END, tail))
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body, compresslevel=ZIP_LEVEL)
    return out.getvalue()


def _unit_cells(results: Results, r: UnitResult) -> list:
    """The cells of one unit's row."""
    cs = results.criteria_set
    tier = r.unit.tier
    return [
        results.year, TIER_LABELS[tier], r.rank, r.unit.id, r.unit.name, r.unit.district,
        STATUS_LABELS[r.status], cs.level_name(r.level) if r.submitted else None,
        *(r.group_scores[g.id] if r.submitted else None for g in cs.tiers[tier].groups),
        r.total if r.submitted else None, r.self_total if r.submitted else None,
        "Có" if r.needs_reverification else "Không",
    ]


def _sheet_rows(results: Results, units: list[UnitResult], columns: list[str]) -> str:
    """The data rows of one tier's sheet, numbered from 2 (after the header)."""
    return "".join(_row_xml(number, columns, _unit_cells(results, r)) for number, r in enumerate(units, start=2))


def _column_letter(index: int) -> str:
    """Spreadsheet column name of a 1-based index (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _skeleton(title: str, stamp: datetime, sheets: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[bytes, tuple[str, ...]]:
    """openpyxl's workbook with each sheet's name and header row but no data rows (stored, not
    compressed), and the name of each sheet's part in the archive."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "cqdt"
    workbook.properties.title = title
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    made = []
    for name, header in sheets:
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "F2"  # keep the header row and the unit's name in view
        sheet.column_dimensions["E"].width = 40
        sheet.append(list(header))
        made.append(sheet)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    # openpyxl names each sheet's part when it saves the workbook.
    return buffer.getvalue(), tuple(sheet.path[1:] for sheet in made)


def to_xlsx(results: Results, tiers: tuple[str, ...] = TIERS) -> bytes:
    """One sheet per tier: rank, unit, 7 group scores, total, level, status (Vietnamese headers)."""
    cs = results.criteria_set
    stamp = _fixed_time(results)
    units = ordered_units(results)
    sheets, bodies = [], []
    for tier in tiers:
        if tier not in cs.tiers:
            continue
        header = (*HEADERS, *(f"Nhóm {g.id}: {g.name}" for g in cs.tiers[tier].groups), "Tổng điểm",
                  "Điểm tự đánh giá", "Cần thẩm định lại")
        columns = [_column_letter(i) for i in range(1, len(header) + 1)]
        sheets.append((TIER_LABELS[tier], header))
        bodies.append(_sheet_rows(results, [r for r in units if r.unit.tier == tier], columns))
    title = f"Kết quả đánh giá Chính quyền điện tử năm {results.year}"
    data, parts = _skeleton(title, stamp, tuple(sheets))
    return _repack(data, stamp, dict(zip(parts, bodies, strict=True)))
