"""The repeated rows of unit and ranking pages as HTML built in Python: each criterion's
row, each chart bar, each group's row and each unit's row of a ranking. A page has about sixty criteria; built here, with the
parts that are the same for every unit of a tier made once, a nationwide site renders
in seconds instead of minutes. Every value goes through `html_text` (or is a number we
formatted), which escapes exactly as the template's autoescaping would.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from ..model import CriteriaSet, CriterionResult, TierCriteria, UnitResult
from ..text import STAGE_LABELS
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
from .views import Bar, YearView

CRITERIA_HEAD = ('<thead><tr><th scope="col">Tiêu chí</th><th scope="col">Trả lời của đơn vị</th>'
                 '<th scope="col" class="num">Tự chấm</th><th scope="col" class="num">Thẩm định</th>'
                 '<th scope="col" class="num">Được tính</th><th scope="col">Lý do thẩm định, minh chứng, ghi chú</th>'
                 '</tr></thead>\n<tbody>\n')


class CriteriaTables:
    """Builds the criteria tables of one tier (a heading and a table per group), for any unit of that tier."""

    def __init__(self, tier: TierCriteria, repository_url: str, branch: str) -> None:
        self.tier = tier
        self.repository_url = repository_url
        self.branch = branch
        # Per criterion: the row's opening up to `id`, and from the title cell to the answer cell.
        self._static = {
            c.id: (f'<tr id="{html_text(c.id)}"',
                   f'>\n<th scope="row" class="criterion-title">{html_text(c.id)}. {html_text(c.title)} '
                   f'<small>(tối đa {vn_number_cached(c.max)})</small></th>\n<td data-label="Trả lời">')
            for c in tier.criteria
        }
        # Per group: its heading and table up to the group's score in the caption, and after it.
        self._groups = [
            (g, f'<h3 id="nhom-{g.id}">Nhóm {g.id}. {html_text(g.name)}</h3>\n<div class="table-scroll">\n'
                f'<table class="criteria">\n<caption>Nhóm {g.id}: ',
             f" / {vn_number_cached(g.max)} điểm</caption>\n{CRITERIA_HEAD}")
            for g in tier.groups
        ]

    def tables(self, result: UnitResult) -> Markup:
        """A heading and a table of every criterion's answer, points and reasons, per group."""
        by_id = {c.criterion_id: c for c in result.criteria}
        parts = []
        for group, opening, head in self._groups:
            parts += [opening, vn_number_cached(result.group_scores[group.id]), head]
            parts += [self._row(c, by_id[c.id]) for c in group.criteria]
            parts.append("</tbody>\n</table>\n</div>\n")
        return Markup("".join(parts))

    def _row(self, criterion, cr: CriterionResult) -> str:
        vn = vn_number_cached
        opening, title = self._static[criterion.id]
        changed = cr.verified_points is not None and cr.verified_value != cr.self_value
        parts = [opening, ' class="changed"' if changed else "", title,
                 html_text(answer_text(cr.self_value, criterion))]
        if changed:
            parts += ["<br><small>Thẩm định sửa thành: ", html_text(answer_text(cr.verified_value, criterion)),
                      "</small>"]
        parts += ['</td>\n<td class="num" data-label="Tự chấm">', vn(cr.self_points),
                  '</td>\n<td class="num" data-label="Thẩm định">', vn(cr.verified_points),
                  '</td>\n<td class="num" data-label="Được tính"><strong>', vn(cr.counted_points),
                  '</strong></td>\n<td data-label="Lý do, minh chứng, ghi chú">\n']
        if cr.reason:
            reviewer = f", {html_text(cr.reviewer)}" if cr.reviewer else ""
            parts += ['<p class="reason"><strong>Lý do (', html_text(STAGE_LABELS.get(cr.stage)), reviewer,
                      "):</strong> ", html_text(cr.reason), "</p>"]
        if cr.evidence:
            parts.append('<ul class="evidence">')
            parts += [f"<li>{evidence_html(item, self.repository_url, self.branch)}</li>" for item in cr.evidence]
            parts.append("</ul>")
        if cr.note:
            parts += ['<p class="note-text"><strong>Ghi chú:</strong> ', html_text(cr.note), "</p>"]
        parts.append("</td>\n</tr>\n")
        return "".join(parts)


def chart_bars(bars: Sequence[Bar], left: int, width: int) -> Markup:
    """The SVG shapes of the group chart: a label, a track, a bar and the level ticks per group
    (the ticks run on into the next group's label, as the page has always had them)."""
    vn = vn_number_cached
    parts = []
    for bar in bars:
        y, group = bar.y, bar.group
        parts.append(
            f'<text x="{left}" y="{y + 19}">N{group.id}. {html_text(group.name)}: {vn(bar.score)}/{vn(group.max)}</text>\n'
            f'<rect class="track" x="{left}" y="{y + 27}" width="{width}" height="16"></rect>\n'
            f'<rect class="bar{" short" if bar.missing is not None else ""}" x="{left}" y="{y + 27}" '
            f'width="{bar.width}" height="16"></rect>\n')
        parts += [f'<line class="tick" x1="{tick.x}" x2="{tick.x}" y1="{y + 24}" y2="{y + 46}"></line>'
                  f'<text class="ticklabel" x="{tick.x}" y="{y + 57}" text-anchor="middle">'
                  f'{",".join(roman(level) for level in tick.levels)}</text>' for tick in bar.ticks]
    return Markup("".join(parts))


def group_rows(bars: Sequence[Bar], cs: CriteriaSet) -> Markup:
    """The rows of the group table: self-assessed, counted and maximum score, then each level's minimum."""
    vn = vn_number_cached
    parts = []
    for bar in bars:
        group = bar.group
        parts.append(f'<tr><th scope="row">{group.id}. {html_text(group.name)}</th><td class="num">{vn(bar.self_score)}'
                     f'</td><td class="num"><strong data-group="{group.id}">{vn(bar.score)}</strong></td>'
                     f'<td class="num">{vn(group.max)}</td>\n')
        for lv in cs.levels:
            minimum = group.minimums[lv.id]
            reached = ' <span class="up" aria-label="đạt">✓</span>' if bar.score >= minimum else ""
            parts.append(f'<td class="num">{vn(minimum)}{reached}</td>')
        parts.append("</tr>\n")
    return Markup("".join(parts))


def ranking_rows(rows: Sequence[UnitResult], view: YearView, tier: TierCriteria, siteurl: str) -> Markup:
    """The rows of a ranking table: rank, unit (and district for communes), group scores, total,
    level, status and the change against the previous year, each with its value for sorting."""
    vn = vn_number_cached
    cs, year = view.results.criteria_set, view.year
    communes = tier.tier == "xa"
    parts = []
    for r in rows:
        unit, submitted, change = r.unit, r.submitted, view.changes.get(r.unit.id)
        level_key = r.level if r.level else ("none" if submitted else "missing")
        district = f' data-district="{html_text(unit.district)}"' if unit.district else ""
        parts.append(
            f'<tr data-name="{html_text(unit.name.lower())}" data-level="{level_key}" data-status="{html_text(r.status)}"'
            f'{district}>\n<td class="num" data-value="{r.rank if r.rank else 100000}">{r.rank or "–"}</td>\n'
            f'<th scope="row"><a href="{siteurl}/{year}/don-vi/{html_text(unit.id)}/">{html_text(unit.name)}</a></th>\n')
        if communes:
            found = view.by_id.get(unit.district)
            link = (f'<a href="{siteurl}/{year}/huyen/{html_text(found.unit.id)}/">{html_text(found.unit.name)}</a>'
                    if found else "")
            parts.append(f"<td>{link}</td>")
        parts += [f'<td class="num" data-value="{r.group_scores[g.id] if submitted else -1}">'
                  f'{vn(r.group_scores[g.id]) if submitted else "–"}</td>' for g in tier.groups]
        moved = change.rank_delta if change and change.rank_delta is not None else -100000
        parts.append(
            f'<td class="num" data-value="{r.total if submitted else -1}"><strong>{vn(r.total) if submitted else "–"}'
            f'</strong></td>\n<td data-value="{r.level if r.level else (9 if submitted else 10)}">{level_html(r, cs)}'
            f'</td>\n<td>{status_html(r)}</td>\n<td class="num" data-value="{moved}">{change_html(change)}</td>\n</tr>\n')
    return Markup("".join(parts))
