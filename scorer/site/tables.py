"""What the repeated rows of the unit and ranking pages show, prepared for their templates:
plain values in the order the templates read them (no HTML here), and the pieces that are the
same for many units of a tier (a criterion's title cell, a triple of points, a level badge, a
status, a change) rendered once by the macros of theme/templates/_rows.html and reused. A
nationwide year has 12,000 unit pages of 60 criteria each: made this way, a page takes about
as long as when its rows were built in Python strings.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any

from ..core.model import CriteriaSet, Criterion, Group, TierCriteria, UnitResult
from ..reading.paths import REPO_FILE_RE
from .filters import HTTP_URL_RE, answer_text, source_link
from .views import Bar, Change, YearView, level_ticks

# Answers of these types read the same whenever they are equal and of the same type.
PLAIN_ANSWERS = (type(None), bool, int, str)


def evidence(item: str, repository_url: str, branch: str) -> tuple[bool, str, str | None]:
    """An evidence item as (is a link, text, address): only absolute http(s) URLs with a host and
    no spaces, and repository paths when the repository's address is known, become links."""
    text = (item if type(item) is str else str(item)).strip()
    if HTTP_URL_RE.match(text) is not None:
        return True, text, text
    if repository_url and REPO_FILE_RE.match(text):
        return True, text, source_link(text, repository_url, branch)
    return False, text, None


class Rendered:
    """Macro outputs by their arguments: each distinct piece rendered once."""

    def __init__(self, macro: Callable[..., Any]) -> None:
        self._macro = macro
        self.made: dict[Hashable, Any] = {}

    def __call__(self, key: Hashable, *args: Any) -> Any:
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = self._macro(*args)
        return found


class TierTables:
    """The rows of one tier's unit pages (criteria, chart) and ranking table in one year."""

    def __init__(self, tier: TierCriteria, criteria_set: CriteriaSet, macros: Any, number: Callable[[Any], str],
                 repository_url: str, branch: str) -> None:
        """`macros`: the module of _rows.html (Jinja's Template.module); `number`: the vn_number
        filter of the build."""
        self.tier = tier
        self.number = number
        self.criteria_set = criteria_set
        self.macros = macros
        self.repository_url = repository_url
        self.branch = branch
        self._starts = {(c.id, changed): macros.row_start(c, changed) for c in tier.criteria for changed in (False, True)}
        self._points = Rendered(macros.points)
        self._answers: dict[tuple[str, type, Any], str] = {}
        self._layout = [_layout(group, macros) for group in tier.groups]
        self._level_of = Rendered(lambda r: macros.level_of(r, criteria_set))
        self._status_of = Rendered(macros.status_of)
        self._change_of = Rendered(macros.change_of)

    def level(self, r: UnitResult) -> Any:
        """A unit's level as shown, named as this year's criteria set names it."""
        return self._level_of((r.submitted, r.level), r)

    def status(self, r: UnitResult) -> Any:
        return self._status_of((r.status, r.needs_reverification), r)

    def change(self, change: Change | None) -> Any:
        return self._change_of((change.rank_delta, change.total_delta) if change else None, change)

    def _answer(self, value: Any, criterion: Criterion) -> str:
        if type(value) in PLAIN_ANSWERS:
            key = (criterion.id, type(value), value)
            found = self._answers.get(key)
            if found is None:
                found = self._answers[key] = answer_text(value, criterion)
            return found
        if type(value) is dict and criterion.kind == "ratio":
            numerator, denominator = value.get("numerator"), value.get("denominator")
            if type(numerator) is int and type(denominator) is int:
                return f"{self.number(numerator)} / {self.number(denominator)}"
        return answer_text(value, criterion)

    def criteria(self, result: UnitResult) -> list[tuple[Group, Decimal, list[tuple]]]:
        """Per group: the group, its score and a row per criterion (see unit.html)."""
        starts, known_points, known_answers, answer = self._starts, self._points.made, self._answers, self._answer
        url, branch = self.repository_url, self.branch
        by_id = {c.criterion_id: c for c in result.criteria}
        groups = []
        for group in self.tier.groups:
            rows = []
            for criterion in group.criteria:
                cr = by_id[criterion.id]
                changed = cr.verified_points is not None and cr.verified_value != cr.self_value
                key = (cr.self_points, cr.verified_points, cr.counted_points)
                cells = known_points.get(key)
                if cells is None:
                    cells = self._points(key, *key)
                value = cr.self_value
                shown = known_answers.get((criterion.id, type(value), value)) if type(value) in PLAIN_ANSWERS else None
                rows.append((
                    starts[criterion.id, changed], shown if shown is not None else answer(value, criterion),
                    answer(cr.verified_value, criterion) if changed else None, cells,
                    (cr.stage, cr.reviewer, cr.reason) if cr.reason else None,
                    # evidence(): the common case, a plain web link, decided here
                    [(True, item, item) if type(item) is str and HTTP_URL_RE.match(item) and item == item.strip()
                     else evidence(item, url, branch) for item in cr.evidence], cr.note))
            groups.append((group, result.group_scores[group.id], rows))
        return groups

    def bars(self, result: UnitResult) -> list[tuple[Bar, Any, int]]:
        """The chart's bars for the groups, each scaled to its group's maximum, with the level
        minimums as ticks (drawn once per tier) and the height of the group's drawing in px."""
        shortfalls = {s.group_id: s.missing for s in result.gap.shortfalls} if result.gap else {}
        scores, self_scores = result.group_scores, result.self_group_scores
        return [(Bar(group, score, self_scores[group.id], round(min(float(score) * scale, 100.0), 1), ticks,
                     shortfalls.get(group.id)), drawn, height)
                for group, scale, ticks, drawn, height in self._layout for score in (scores[group.id],)]

    def ranking(self, rows: Sequence[UnitResult], view: YearView, siteurl: str) -> list[tuple]:
        """A row of the ranking table per unit (see ranking.html)."""
        changes, tier = view.changes, self.tier.tier
        districts = Rendered(lambda found: self.macros.district_cell(found, view.year, siteurl))
        table = []
        for r in rows:
            unit, submitted = r.unit, r.submitted
            change: Change | None = changes.get(unit.id)
            district_cell = ""
            if tier == "xa":
                found = view.by_id.get(unit.district)
                district_cell = districts(found and (found.unit.id, found.unit.name), found)
            table.append((
                r.level if r.level else ("none" if submitted else "missing"), r.status, unit.district, r.rank,
                unit.id, unit.name, district_cell,
                [r.group_scores[g.id] for g in self.tier.groups] if submitted else None, r.total,
                self.level(r), self.status(r), self.change(change), change and change.rank_delta))
        return table


def _layout(group: Group, macros: Any) -> tuple[Group, float, tuple, Any, int]:
    """A group's chart scale (% of the track per point), its level ticks, the ticks drawn and
    the drawing's height (the bar, then a row of level labels per row the ticks use)."""
    scale = 100 / float(group.max) if group.max else 0
    ticks = level_ticks(group.minimums, group.max)
    rows = max((tick.row for tick in ticks), default=-1) + 1
    return group, scale, ticks, macros.ticks(ticks), 26 + 13 * rows
