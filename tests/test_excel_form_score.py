"""The Excel form's live score equals the scorer: every demo unit's self-assessment typed into
the form, recalculated by LibreOffice (headless), gives each criterion's points, each group's
and the total exactly as core.rules does (relative criteria are left to the results: the form
shows "tính khi tổng hợp" and leaves them out of its sums).

Each unit's answers go into a block of rows holding the form's formulas moved down to it (as
copying the rows in a spreadsheet does), one sheet per year and tier, so that LibreOffice
starts once per workbook and recalculates plain cells. Random answers
landing on rounding boundaries (x.xx5) are checked the same way.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from answers import random_answer
from office import convert, require_tools
from openpyxl import load_workbook
from openpyxl.formula.translate import Translator

from scorer.core.model import CriteriaSet, Criterion
from scorer.core.rules import points
from scorer.forms.excel_form import COLUMN, LATER, NO, SHEET, YES, build_template, criterion_rows
from scorer.reading.paths import DataRoot
from scorer.shell.scoring import evaluate

REPO = Path(__file__).resolve().parent.parent


def _typed(criterion: Criterion, value: Any) -> tuple[Any, Any]:
    """What a clerk types in the answer and denominator cells for an answer value."""
    def number(x: Any) -> Any:
        return float(x) if isinstance(x, Decimal) else x

    if value is None:
        return None, None
    if criterion.kind == "yes_no":
        return (YES if value else NO), None
    if criterion.kind == "ratio":
        return number(value["numerator"]), number(value["denominator"])
    if criterion.kind == "choice":
        return criterion.option(value).label, None
    return number(value), None


def _block(criteria_set: CriteriaSet, tier: str) -> tuple[dict[str, int], int, int]:
    """The form's criterion rows, its first and its total row."""
    rows = dict(criterion_rows(criteria_set, tier))
    first = min(rows.values()) - 1
    return rows, first, max(rows.values()) + 1


def _filled_book(criteria_set: CriteriaSet, tier: str, unit, year: int, cases: list[dict[str, Any]], path: Path) -> None:
    """The form of `tier` with a sheet of every case's answers: one block of rows a case, each
    holding the form's formulas moved down to it, as copying rows in a spreadsheet does."""
    path.write_bytes(build_template(criteria_set, unit, year))
    book = load_workbook(path)
    rows, first, last = _block(criteria_set, tier)
    formulas = [(cell.coordinate, cell.row, cell.column, cell.value) for line in book[SHEET].iter_rows(min_row=first, max_row=last)
                for cell in line if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert len(formulas) > len(criteria_set.tiers[tier].criteria)
    # Only the formulas and what they read: LibreOffice opens one plain sheet fast.
    sheet = book.create_sheet("cases")
    height = last - first + 1
    for number, answers in enumerate(cases):
        shift = number * height
        for coordinate, row, column, formula in formulas:
            target = sheet.cell(row=row + shift, column=column)
            target.value = Translator(formula, origin=coordinate).translate_formula(target.coordinate)
        for criterion in criteria_set.tiers[tier].criteria:
            row = rows[criterion.id] + shift
            if criterion.kind == "relative":
                sheet.cell(row=row, column=COLUMN["points"], value=LATER)
            answer, denominator = _typed(criterion, answers.get(criterion.id))
            sheet.cell(row=row, column=COLUMN["answer"], value=answer)
            sheet.cell(row=row, column=COLUMN["denominator"], value=denominator)
    book.save(path)


def _read_scores(path: Path, criteria_set: CriteriaSet, tier: str, count: int) -> list[dict[str, Any]]:
    """Per case: the points LibreOffice computed for each criterion, group and the total."""
    book = load_workbook(path, data_only=True, read_only=True)
    rows, first, last = _block(criteria_set, tier)
    groups = criteria_set.tiers[tier].groups
    column = COLUMN["points"]
    scale = Decimal(10) ** -criteria_set.decimals
    cells = [None, *(r[0] for r in book["cases"].iter_rows(min_col=column, max_col=column, values_only=True))]
    found = []
    for number in range(count):
        shift = number * (last - first + 1)

        def value(row: int, shift=shift) -> Decimal | str:
            raw = cells[row + shift]
            return raw if isinstance(raw, str) else Decimal(repr(raw)).quantize(scale)

        found.append({
            "criteria": {cid: value(row) for cid, row in rows.items()},
            "groups": {g.id: value(rows[g.criteria[0].id] - 1) for g in groups},
            "total": value(last),
        })
    return found


def _expected(criteria_set: CriteriaSet, tier: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The scorer's points of these answers; relative criteria as the form shows them."""
    tier_criteria = criteria_set.tiers[tier]
    scored = {c.id: points(c, answers.get(c.id), criteria_set.decimals) for c in tier_criteria.criteria}
    counted = {c.id: c.kind != "relative" for c in tier_criteria.criteria}
    groups = {g.id: sum((scored[c.id] for c in g.criteria if counted[c.id]), Decimal(0)) for g in tier_criteria.groups}
    return {"criteria": {cid: scored[cid] if counted[cid] else LATER for cid in scored},
            "groups": groups, "total": sum(groups.values(), Decimal(0))}


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    require_tools()
    return tmp_path_factory.mktemp("office-profile")


def _check(tmp_path: Path, profile: Path, criteria_set: CriteriaSet, year: int, by_tier: dict[str, tuple[Any, list]]) -> int:
    """Fill, recalculate and compare every case; returns how many were compared."""
    books, plans = [], []
    for tier, (unit, cases) in by_tier.items():
        path = tmp_path / f"{year}-{tier}.xlsx"
        _filled_book(criteria_set, tier, unit, year, [answers for _, answers in cases], path)
        books.append(path)
        plans.append((tier, cases))
    compared = 0
    for recalculated, (tier, cases) in zip(convert(books, "xlsx", tmp_path / "out", profile), plans, strict=True):
        for (name, answers), got in zip(cases, _read_scores(recalculated, criteria_set, tier, len(cases)), strict=True):
            assert got == _expected(criteria_set, tier, answers), name
            compared += 1
    return compared


@pytest.mark.parametrize("year", DataRoot(REPO).years())
def test_live_score_equals_the_scorer_on_every_demo_unit(tmp_path, profile, year):
    results = evaluate(DataRoot(REPO), year)
    by_tier: dict[str, tuple[Any, list]] = {}
    for r in results.units:
        if not r.submitted:
            continue
        answers = {row.criterion_id: row.self_value for row in r.criteria}
        # The scorer's own points, not only core.rules': they must agree where the form counts.
        relative = {c.id for c in results.criteria_set.tiers[r.unit.tier].criteria if c.kind == "relative"}
        assert all(_expected(results.criteria_set, r.unit.tier, answers)["criteria"][row.criterion_id] == row.self_points
                   for row in r.criteria if row.criterion_id not in relative), r.unit.id
        by_tier.setdefault(r.unit.tier, (r.unit, []))[1].append((r.unit.id, answers))
    compared = _check(tmp_path, profile, results.criteria_set, year, by_tier)
    assert compared == sum(r.submitted for r in results.units) > 100


def test_live_score_rounds_half_up_like_the_scorer(tmp_path, profile):
    results = evaluate(DataRoot(REPO), DataRoot(REPO).years()[-1])
    criteria_set = results.criteria_set
    rng = random.Random(1609)
    by_tier = {}
    for tier in criteria_set.tiers:
        unit = next(r.unit for r in results.units if r.unit.tier == tier)
        cases = [(f"{tier}-{n}", {c.id: random_answer(rng, c) for c in criteria_set.tiers[tier].criteria})
                 for n in range(40)]
        by_tier[tier] = (unit, cases)
    # A ratio landing exactly on a half: 5 × 107/200 = 2.675 → 2.68 (binary floating point holds 2.67499…).
    ratio = next(c for c in criteria_set.tiers["xa"].criteria if c.kind == "ratio" and c.max == 5 and c.full_at == 1)
    by_tier["xa"][1].append(("half", {ratio.id: {"numerator": 107, "denominator": 200}}))
    assert _expected(criteria_set, "xa", {ratio.id: {"numerator": 107, "denominator": 200}})["criteria"][ratio.id] == Decimal("2.68")
    assert _check(tmp_path, profile, criteria_set, 2030, by_tier) == 121
