"""A year's results as an XLSX workbook (openpyxl), with byte-identical output for the same results."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from .export import ordered_units
from .model import TIERS, Results
from .text import STATUS_LABELS, TIER_LABELS

HEADERS = ["Năm", "Cấp", "Hạng", "Mã đơn vị", "Tên đơn vị", "Huyện", "Trạng thái", "Mức"]


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


def _repack(data: bytes, stamp: datetime) -> bytes:
    """The same ZIP with every entry stamped `stamp`, so the bytes do not depend on when it was written."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def to_xlsx(results: Results, tiers: tuple[str, ...] = TIERS) -> bytes:
    """One sheet per tier: rank, unit, 7 group scores, total, level, status (Vietnamese headers)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    cs = results.criteria_set
    stamp = _fixed_time(results)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "cqdt"
    workbook.properties.title = f"Kết quả đánh giá Chính quyền điện tử năm {results.year}"
    units = ordered_units(results)
    for tier in tiers:
        if tier not in cs.tiers:
            continue
        groups = cs.tiers[tier].groups
        sheet = workbook.create_sheet(TIER_LABELS[tier])
        sheet.freeze_panes = "F2"  # keep the header row and the unit's name in view
        sheet.column_dimensions["E"].width = 40
        sheet.append([*HEADERS, *(f"Nhóm {g.id}: {g.name}" for g in groups), "Tổng điểm",
                      "Điểm tự đánh giá", "Cần thẩm định lại"])
        for r in units:
            if r.unit.tier != tier:
                continue
            sheet.append([
                results.year, TIER_LABELS[tier], r.rank, r.unit.id, r.unit.name, r.unit.district,
                STATUS_LABELS[r.status], cs.level_name(r.level) if r.submitted else None,
                *(r.group_scores[g.id] if r.submitted else None for g in groups),
                r.total if r.submitted else None, r.self_total if r.submitted else None,
                "Có" if r.needs_reverification else "Không",
            ])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        workbook.properties.created = stamp
        workbook.properties.modified = stamp
        ExcelWriter(workbook, archive).save()
    return _repack(buffer.getvalue(), stamp)
