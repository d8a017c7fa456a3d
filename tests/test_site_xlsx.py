"""XLSX export: Vietnamese headers, the scorer's numbers, the same bytes every time."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from scorer.core.model import Results, UnitResult
from scorer.export.xlsx import _fixed_time, to_xlsx
from scorer.shell.scoring import evaluate


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


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
SCORES = ("25.2", "29.75", "0.56", "9.30", "8.04", "87.76", "0")


def sheet_numbers(data: bytes) -> dict[str, str]:
    """Cell reference → the text of its number, as stored in the first sheet's XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    return {c.get("r"): c.find("m:v", NS).text for c in root.iterfind(".//m:c[@t='n']", NS)}


def first_submitted(results: Results, tier: str) -> UnitResult:
    return next(r for r in results.units if r.unit.tier == tier and r.submitted)


def with_unit(results: Results, changed: UnitResult) -> Results:
    """The results with one unit's result swapped for `changed`."""
    return replace(results, units=tuple(changed if r.unit.id == changed.unit.id else r for r in results.units))


def test_decimal_scores_are_stored_with_exactly_their_digits(data_root):
    results = evaluate(data_root, data_root.years()[-1])
    unit = first_submitted(results, "xa")
    scores = {g: Decimal(text) for g, text in zip(range(1, 8), SCORES, strict=True)}
    total = sum(scores.values(), Decimal(0))
    data = to_xlsx(with_unit(results, replace(unit, group_scores=scores, total=total)), ("xa",))
    rows = list(load_workbook(io.BytesIO(data))["Cấp xã"].iter_rows(values_only=True))
    number, values = next((n, row) for n, row in enumerate(rows, start=1) if row[3] == unit.unit.id)
    stored = sheet_numbers(data)
    assert [stored[f"{column}{number}"] for column in "IJKLMNO"] == ["25.2", "29.75", "0.56", "9.3", "8.04",
                                                                    "87.76", "0"]
    assert Decimal(stored[f"P{number}"]) == total
    assert values[8:16] == (25.2, 29.75, 0.56, 9.3, 8.04, 87.76, 0, float(total))


def test_text_stays_text_escaped_and_whole(data_root):
    results = evaluate(data_root, data_root.years()[-1])
    unit = first_submitted(results, "xa")
    other = next(r for r in results.units if r.unit.tier == "xa" and r.unit.id != unit.unit.id)
    names = {unit.unit.id: "=SUM(A1:A9)", other.unit.id: "  Xã <Mới> & Đông "}
    for changed in (unit, other):
        results = with_unit(results, replace(changed, unit=replace(changed.unit, name=names[changed.unit.id])))
    sheet = load_workbook(io.BytesIO(to_xlsx(results, ("xa",))))["Cấp xã"]
    read = {row[3].value: row[4] for row in sheet.iter_rows(min_row=2)}
    for unit_id, name in names.items():
        assert (read[unit_id].value, read[unit_id].data_type) == (name, "s")


def test_control_characters_are_refused_naming_the_cell(data_root):
    results = evaluate(data_root, data_root.years()[-1])
    unit = first_submitted(results, "xa")
    results = with_unit(results, replace(unit, unit=replace(unit.unit, name="Xã\x07")))
    with pytest.raises(ValueError, match=r"Ô E\d+: có ký tự điều khiển"):
        to_xlsx(results, ("xa",))


def test_a_tier_without_units_has_its_header_layout_and_properties(data_root):
    year = data_root.years()[-1]
    results = evaluate(data_root, year)
    empty = replace(results, units=tuple(r for r in results.units if r.unit.tier != "so"))
    data = to_xlsx(empty, ("so", "xa"))
    assert to_xlsx(empty, ("so", "xa")) == data
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Cấp sở", "Cấp xã"]
    assert [row[:4] for row in book["Cấp sở"].iter_rows(values_only=True)] == [("Năm", "Cấp", "Hạng", "Mã đơn vị")]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "F2"
        assert sheet.column_dimensions["E"].width == 40
    assert book["Cấp xã"].max_row == 1 + sum(r.unit.tier == "xa" for r in results.units)
    assert (book.properties.creator, book.properties.title) == (
        "cqdt", f"Kết quả đánh giá Chính quyền điện tử năm {year}")
    stamp = _fixed_time(results)
    assert book.properties.created == stamp
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {stamp.timetuple()[:6]}
