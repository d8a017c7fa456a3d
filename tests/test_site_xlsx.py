"""XLSX export: Vietnamese headers, the scorer's numbers, the same bytes every time."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from scorer.evaluate import evaluate
from scorer.export_xlsx import to_xlsx


def test_workbook_is_deterministic_and_holds_the_results(data_root):
    year = data_root.years()[-1]
    results = evaluate(data_root, year)
    first = to_xlsx(results, ("xa",))
    assert to_xlsx(evaluate(data_root, year), ("xa",)) == first
    book = load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["Cấp xã"]
    rows = list(book["Cấp xã"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Năm", "Cấp", "Hạng", "Mã đơn vị", "Tên đơn vị")
    assert rows[0][8].startswith("Nhóm 1: ")
    by_id = {row[3]: row for row in rows[1:]}
    xa = [r for r in results.units if r.unit.tier == "xa"]
    assert len(by_id) == len(xa)
    for result in xa:
        row = by_id[result.unit.id]
        assert row[2] == result.rank
        if result.submitted:
            assert row[15] == float(result.total)
            assert row[8:15] == tuple(float(result.group_scores[g]) for g in range(1, 8))
        else:
            assert row[15] is None and row[6] == "Chưa nộp"
    assert book.properties.modified != datetime(1970, 1, 1)
    assert book.properties.created == book.properties.modified
