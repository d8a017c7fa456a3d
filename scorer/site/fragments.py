"""The repeated rows of unit and ranking pages as HTML built in Python: each criterion's
row, each chart bar, each group's row and each unit's row of a ranking. A page has about sixty criteria; built here, with the
parts that are the same for every unit of a tier made once, a nationwide site renders
in seconds instead of minutes. Every value goes through `html_text` (or is a number we
formatted), which escapes exactly as the template's autoescaping would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from ..core.model import (
    CriteriaSet,
    Criterion,
    CriterionResult,
    Group,
    Level,
    TierCriteria,
    UnitResult,
)
from ..core.text import STAGE_LABELS
from .filters import (
    answer_text,
    change_html,
    evidence_html,
    html_text,
    level_html,
    roman,
    status_html,
    vn_number_cached,
)
from .views import Bar, Tick, YearView, by_identity

CRITERIA_HEAD = ('<thead><tr><th scope="col">Tiêu chí</th><th scope="col">Trả lời của đơn vị</th>'
                 '<th scope="col" class="num">Tự chấm</th><th scope="col" class="num">Thẩm định</th>'
                 '<th scope="col" class="num">Được tính</th><th scope="col">Lý do thẩm định, minh chứng, ghi chú</th>'
                 '</tr></thead>\n<tbody>\n')


ROW_END = "</td>\n</tr>\n"
TABLE_END = "</tbody>\n</table>\n</div>\n"
# Answers of these types read the same whenever they are equal and of the same type.
PLAIN_ANSWERS = (type(None), bool, int, str)


class CriteriaTables:
    """Builds the criteria tables of one tier (a heading and a table per group), for any unit of that tier.

    What does not depend on the unit is made once: each group's heading, each criterion's
    title cell; and each distinct plain answer (None, yes/no, whole number, option) of a
    criterion and each distinct triple of points is written once per tier, then reused (the
    ten thousand communes of a nationwide run give about four thousand triples and a hundred answers)."""

    def __init__(self, tier: TierCriteria, repository_url: str, branch: str) -> None:
        self.tier = tier
        self.repository_url = repository_url
        self.branch = branch
        # Per group: its heading and table up to the group's score in the caption, after it,
        # and per criterion: the row up to the answer (unchanged, changed by review), and its answers so far.
        self._groups = [
            (g.id, f'<h3 id="nhom-{g.id}">Nhóm {g.id}. {html_text(g.name)}</h3>\n<div class="table-scroll">\n'
                   f'<table class="criteria">\n<caption>Nhóm {g.id}: ',
             f" / {vn_number_cached(g.max)} điểm</caption>\n{CRITERIA_HEAD}",
             [(c, *_row_openings(c), {}) for c in g.criteria])
            for g in tier.groups
        ]
        self._points: dict[tuple, str] = {}

    def tables(self, result: UnitResult) -> Markup:
        """A heading and a table of every criterion's answer, points and reasons, per group."""
        by_id = {c.criterion_id: c for c in result.criteria}
        scores, points, url, branch = result.group_scores, self._points, self.repository_url, self.branch
        parts: list[str] = []
        add = parts.append
        for group_id, opening, head, rows in self._groups:
            add(opening)
            add(vn_number_cached(scores[group_id]))
            add(head)
            for criterion, plain, changed_opening, answers in rows:
                cr = by_id[criterion.id]
                if cr.verified_points is not None and cr.verified_value != cr.self_value:
                    add(changed_opening)
                    add(_answer(cr.self_value, criterion, answers))
                    add("<br><small>Thẩm định sửa thành: ")
                    add(_answer(cr.verified_value, criterion, answers))
                    add("</small>")
                else:
                    add(plain)
                    add(_answer(cr.self_value, criterion, answers))
                key = (cr.self_points, cr.verified_points, cr.counted_points)
                cells = points.get(key)
                if cells is None:
                    cells = points[key] = _points_cells(*key)
                add(cells)
                if cr.reason:
                    add(_reason(cr))
                if cr.evidence:
                    add('<ul class="evidence"><li>'
                        + "</li><li>".join([evidence_html(item, url, branch) for item in cr.evidence]) + "</li></ul>")
                if cr.note:
                    add(f'<p class="note-text"><strong>Ghi chú:</strong> {html_text(cr.note)}</p>')
                add(ROW_END)
            add(TABLE_END)
        return Markup("".join(parts))


def _row_openings(criterion: Criterion) -> tuple[str, str]:
    """A criterion's row up to its answer: as it is, and marked as changed by review."""
    title = (f'>\n<th scope="row" class="criterion-title">{html_text(criterion.id)}. {html_text(criterion.title)} '
             f'<small>(tối đa {vn_number_cached(criterion.max)})</small></th>\n<td data-label="Trả lời">')
    opening = f'<tr id="{html_text(criterion.id)}"'
    return opening + title, opening + ' class="changed"' + title


def _answer(value: object, criterion: Criterion, known: dict) -> str:
    """A unit's answer in words, escaped: a ratio of whole numbers (digits and separators only,
    nothing to escape) straight away, a plain answer once per criterion, any other as answer_text says."""
    kind = type(value)
    if kind is dict and criterion.kind == "ratio":
        numerator, denominator = value.get("numerator"), value.get("denominator")  # type: ignore[attr-defined]
        if type(numerator) is int and type(denominator) is int:
            return f"{vn_number_cached(numerator)} / {vn_number_cached(denominator)}"
    elif kind in PLAIN_ANSWERS:
        shown = known.get((kind, value))
        if shown is None:
            shown = known[kind, value] = html_text(answer_text(value, criterion))
        return shown
    return html_text(answer_text(value, criterion))


def _points_cells(self_points: Decimal, verified_points: Decimal | None, counted_points: Decimal) -> str:
    vn = vn_number_cached
    return (f'</td>\n<td class="num" data-label="Tự chấm">{vn(self_points)}</td>\n'
            f'<td class="num" data-label="Thẩm định">{vn(verified_points)}</td>\n'
            f'<td class="num" data-label="Được tính"><strong>{vn(counted_points)}</strong></td>\n'
            '<td data-label="Lý do, minh chứng, ghi chú">\n')


def _reason(cr: CriterionResult) -> str:
    reviewer = f", {html_text(cr.reviewer)}" if cr.reviewer else ""
    return (f'<p class="reason"><strong>Lý do ({html_text(STAGE_LABELS.get(cr.stage))}{reviewer}):</strong> '
            f"{html_text(cr.reason)}</p>")


def chart_bars(bars: Sequence[Bar], left: int, width: int) -> Markup:
    """The SVG shapes of the group chart: a label, a track, a bar and the level ticks per group
    (the ticks run on into the next group's label, as the page has always had them)."""
    vn = vn_number_cached
    parts = []
    for bar in bars:
        label, track, shape = _bar_shapes(bar.group, bar.y, left, width)
        parts += [label, vn(bar.score), track, "" if bar.missing is None else " short", shape, f"{bar.width}",
                  '" height="16"></rect>\n', _ticks(bar.ticks, bar.y)]
    return Markup("".join(parts))


@by_identity
def _bar_shapes(group: Group, y: int, left: int, width: int) -> tuple[str, str, str]:
    """A group's chart label up to its score; from there to the bar's class; then to its width."""
    return (f'<text x="{left}" y="{y + 19}">N{group.id}. {html_text(group.name)}: ',
            f'/{vn_number_cached(group.max)}</text>\n<rect class="track" x="{left}" y="{y + 27}" width="{width}" '
            'height="16"></rect>\n<rect class="bar',
            f'" x="{left}" y="{y + 27}" width="')


@by_identity
def _ticks(ticks: tuple[Tick, ...], y: int) -> str:
    return "".join(f'<line class="tick" x1="{tick.x}" x2="{tick.x}" y1="{y + 24}" y2="{y + 46}"></line>'
                   f'<text class="ticklabel" x="{tick.x}" y="{y + 57}" text-anchor="middle">'
                   f'{",".join(roman(level) for level in tick.levels)}</text>' for tick in ticks)


def group_rows(bars: Sequence[Bar], cs: CriteriaSet) -> Markup:
    """The rows of the group table: self-assessed, counted and maximum score, then each level's minimum."""
    vn = vn_number_cached
    parts = []
    for bar in bars:
        head, middle, maximum, minimums = _group_cells(bar.group, cs.levels)
        score = bar.score
        parts += [head, vn(bar.self_score), middle, vn(score), maximum,
                  *[cells[score >= minimum] for minimum, cells in minimums], "</tr>\n"]
    return Markup("".join(parts))


@by_identity
def _group_cells(group: Group, levels: Sequence[Level]) -> tuple[str, str, str, list[tuple[Decimal, tuple[str, str]]]]:
    """A group's row up to the self-assessed score, up to the counted score, then its maximum's
    cell; and per level its minimum with its cell when the score is below it and when it reaches it."""
    minimums = []
    for lv in levels:
        minimum = group.minimums[lv.id]
        cell = f'<td class="num">{vn_number_cached(minimum)}'
        minimums.append((minimum, (f"{cell}</td>", f'{cell} <span class="up" aria-label="đạt">✓</span></td>')))
    return (f'<tr><th scope="row">{group.id}. {html_text(group.name)}</th><td class="num">',
            f'</td><td class="num"><strong data-group="{group.id}">',
            f'</strong></td><td class="num">{vn_number_cached(group.max)}</td>\n', minimums)


def ranking_rows(rows: Sequence[UnitResult], view: YearView, tier: TierCriteria, siteurl: str,
                 digests: Mapping[str, Any] | None = None) -> tuple[list[tuple[str, Any]], Callable[[int], bytes]]:
    """The rows of a ranking table, as UTF-8 HTML: rank, unit (and district for communes), group
    scores, total, level, status and the change against the previous year, each with its value
    for sorting. Bytes, not text: the commune table is 9 MB, spliced into its page (see
    splice), never encoded or decoded again.

    Given as the pieces of splice.write_spliced: (unit id, state) of each row, the state made
    of all its row shows (with `digests`, unit id → state of its result, rank included; else
    None), and a function making the row at a place."""
    vn = vn_number_cached
    cs, year, changes = view.results.criteria_set, view.year, view.changes
    group_ids = [g.id for g in tier.groups]
    unsubmitted = '<td class="num" data-value="-1">–</td>' * len(group_ids)
    districts: dict[str | None, tuple[tuple | None, str]] = {}
    # The level, status and change cells repeat from unit to unit: each is written once.
    levels: dict[tuple, str] = {}
    statuses: dict[tuple, str] = {}
    moves: dict[tuple, str] = {}

    def row(r: UnitResult, change, move_key: tuple, district_cell: str) -> str:
        unit, submitted = r.unit, r.submitted
        level_key = r.level if r.level else ("none" if submitted else "missing")
        district = f' data-district="{html_text(unit.district)}"' if unit.district else ""
        parts = [
            f'<tr data-name="{html_text(unit.name.lower())}" data-level="{level_key}" data-status="{html_text(r.status)}"'
            f'{district}>\n<td class="num" data-value="{r.rank if r.rank else 100000}">{r.rank or "–"}</td>\n'
            f'<th scope="row"><a href="{siteurl}/{year}/don-vi/{html_text(unit.id)}/">{html_text(unit.name)}</a></th>\n',
            district_cell]
        if submitted:
            scores = r.group_scores
            parts += [f'<td class="num" data-value="{scores[g]}">{vn(scores[g])}</td>' for g in group_ids]
            parts.append(f'<td class="num" data-value="{r.total}"><strong>{vn(r.total)}</strong></td>\n')
        else:
            parts.append(f'{unsubmitted}<td class="num" data-value="-1"><strong>–</strong></td>\n')
        key = (submitted, r.level)
        cell = levels.get(key)
        if cell is None:
            cell = levels[key] = f'<td data-value="{r.level if r.level else (9 if submitted else 10)}">{level_html(r, cs)}</td>\n'
        parts.append(cell)
        key = (r.status, r.needs_reverification)
        cell = statuses.get(key)
        if cell is None:
            cell = statuses[key] = f"<td>{status_html(r)}</td>\n"
        parts.append(cell)
        # Equal changes read the same: the total's change is written by value (vn_signed).
        cell = moves.get(move_key)
        if cell is None:
            moved = change.rank_delta if change and change.rank_delta is not None else -100000
            cell = moves[move_key] = f'<td class="num" data-value="{moved}">{change_html(change)}</td>\n</tr>\n'
        parts.append(cell)
        return "".join(parts).encode("utf-8")

    pieces, cells = [], []
    for r in rows:
        unit, change = r.unit, changes.get(r.unit.id)
        move_key = (change.rank_delta, change.total_delta) if change else ()
        district_key, district_cell = None, ""
        if tier.tier == "xa":
            found_cell = districts.get(unit.district)
            if found_cell is None:
                found = view.by_id.get(unit.district)
                link = (f'<a href="{siteurl}/{year}/huyen/{html_text(found.unit.id)}/">{html_text(found.unit.name)}</a>'
                        if found else "")
                found_cell = districts[unit.district] = (found and (found.unit.id, found.unit.name),
                                                         f"<td>{link}</td>")
            district_key, district_cell = found_cell
        pieces.append((unit.id, None if digests is None else (digests[unit.id], move_key, district_key)))
        cells.append((change, move_key, district_cell))

    def make(place: int) -> bytes:
        return row(rows[place], *cells[place])

    return pieces, make
