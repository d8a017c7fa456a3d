"""Spreadsheets never run what a name or a text holds: the open-data CSV (OWASP CSV injection,
UTF-8 BOM for Excel) and the survey workbook (only its own live score is formulas)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from scorer.export.results import to_csv
from scorer.forms.excel_form import COLUMN, HEADER_ROW, SHEET, build_template
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.registry import load_registry
from scorer.shell.scoring import evaluate

FORMULAS = ['=HYPERLINK("https://evil.example/x","Bấm để xem điểm")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1"]


def test_csv_text_that_would_be_a_formula_starts_with_an_apostrophe_and_the_file_with_a_bom(data_root):
    results = evaluate(data_root, data_root.years()[-1])
    xa = [r for r in results.units if r.unit.tier == "xa"][: len(FORMULAS)]
    names = {r.unit.id: name for r, name in zip(xa, FORMULAS, strict=True)}
    changed = replace(results, units=tuple(replace(r, unit=replace(r.unit, name=names[r.unit.id]))
                                           if r.unit.id in names else r for r in results.units))
    text = to_csv(changed, ("xa",))
    assert text.startswith("\ufeffyear,tier,rank,unit_id,unit_name")
    rows = {row["unit_id"]: row for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))}
    for unit_id, name in names.items():
        assert rows[unit_id]["unit_name"] == "'" + name
    plain = next(r for r in results.units if r.unit.tier == "xa" and r.unit.id not in names and r.submitted)
    assert rows[plain.unit.id]["unit_name"] == plain.unit.name
    assert rows[plain.unit.id]["total"] == str(plain.total)


def test_the_survey_workbook_runs_only_its_own_score_whatever_the_names_say(data_root):
    registry = load_registry(data_root)
    criteria_set = load_criteria_set(data_root, "qd-1609-2018")
    unit = next(u for u in registry.by_id.values() if u.tier == "xa")
    unit = replace(unit, name=FORMULAS[0])
    tier = criteria_set.tiers["xa"]
    group = replace(tier.groups[0], name=FORMULAS[1],
                    criteria=(replace(tier.groups[0].criteria[0], title=FORMULAS[2]), *tier.groups[0].criteria[1:]))
    criteria_set = replace(criteria_set, tiers={**criteria_set.tiers, "xa": replace(tier, groups=(group, *tier.groups[1:]))})
    book = load_workbook(io.BytesIO(build_template(criteria_set, unit, 2024)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    points = get_column_letter(COLUMN["points"])
    formulas = [cell for cell in cells if cell.data_type == "f"]
    assert formulas, "the form's live score is made of formulas"
    for cell in formulas:  # the points column and the score in the heading, nothing a name or a text holds
        assert cell.parent.title == SHEET and (cell.column_letter == points or cell.row < HEADER_ROW), cell.coordinate
        assert not any(text in str(cell.value) for text in FORMULAS), cell.coordinate
    texts = {cell.value for cell in cells}
    assert {FORMULAS[0], FORMULAS[2]} <= texts
    assert any(str(text).endswith(FORMULAS[1]) for text in texts)
