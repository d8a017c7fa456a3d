"""Jinja filters: Vietnamese numbers, answers, evidence links, level badges.

Every value that comes from a submission reaches the page escaped; only
http(s) URLs and repository paths become links.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from ..core.model import Criterion
from ..core.text import STAGE_LABELS, STATUS_LABELS, TIER_LABELS, vn_number
from ..reading.paths import REPO_FILE_RE
from .record_views import RECORD_FILTERS

# Scheme http or https, a non-empty host, no whitespace anywhere.
HTTP_URL_RE = re.compile(r"(?i)https?://[^/?#\s]+[^\s]*\Z")

LEVEL_CLASSES = {1: "lv-1", 2: "lv-2", 3: "lv-3", 4: "lv-4", None: "lv-none"}


def vn_signed(value: Decimal | int | None) -> str:
    """A change with its sign: +3,5 / −1 / 0."""
    if value is None:
        return "–"
    if value > 0:
        return "+" + vn_number(value)
    if value < 0:
        return "−" + vn_number(-value)
    return "0"


def answer_text(value: Any, criterion: Criterion) -> str:
    """A unit's raw answer in words (plain text; the template escapes it)."""
    if value is None:
        return "Chưa trả lời"
    kind = criterion.kind
    if kind == "yes_no":
        return "Có" if value is True else "Không"
    if kind == "ratio" and isinstance(value, dict):
        numerator, denominator = value.get("numerator"), value.get("denominator")
        return f"{vn_number(numerator)} / {vn_number(denominator)}"
    if kind == "choice":
        option = criterion.option(value)
        return f"{value}. {option.label}" if option else str(value)
    if kind == "relative":
        return f"{vn_number(Decimal(str(value)))} {criterion.quantity_unit}".strip()
    if kind == "count" and isinstance(value, int | Decimal):
        return vn_number(value)
    return str(value)


def html_text(value: object) -> str:
    """Text escaped for HTML exactly as markupsafe's escape() writes it, as a plain str: the
    unit pages' rows call this tens of thousands of times and need no Markup object."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&#34;").replace("'", "&#39;"))
    return text  # most text has nothing to escape: no new string


def evidence_html(item: str, repository_url: str, branch: str) -> str:
    """An evidence item as a safe link, or as inert text when it is neither URL nor path."""
    text = (item if type(item) is str else str(item)).strip()
    shown = html_text(text)
    if HTTP_URL_RE.match(text) is not None:  # only absolute http(s) URLs with a host and no spaces
        return f'<a href="{shown}" rel="nofollow noopener">{shown}</a>'
    if repository_url and REPO_FILE_RE.match(text):
        href = html_text(f"{repository_url.rstrip('/')}/blob/{quote(branch)}/{quote(text)}")
        return f'<a href="{href}" rel="nofollow noopener">{shown}</a>'
    return f'<span class="inert">{shown}</span>'


def evidence_link(item: str, repository_url: str, branch: str) -> Markup:
    """evidence_html for templates."""
    return Markup(evidence_html(item, repository_url, branch))


def source_link(path: str, repository_url: str, branch: str) -> str:
    """The URL of a file of the repository (submission, review, criteria)."""
    return f"{repository_url.rstrip('/')}/blob/{quote(branch)}/{quote(path)}"


def level_badge(level: int | None, name: str) -> Markup:
    """A level badge: colour is decoration, the name is always written."""
    return Markup(f'<span class="badge {LEVEL_CLASSES.get(level, "lv-none")}">{html_text(name)}</span>')


def status_html(result) -> Markup:
    """A unit's status, and a warning when its verification is out of date."""
    if result.status == "needs_reverification":  # the label says it
        return Markup(f'<span class="status stale">{html_text(STATUS_LABELS[result.status])}</span>')
    stale = ' <span class="status stale">(cần thẩm định lại)</span>' if result.needs_reverification else ""
    return Markup(f'<span class="status">{html_text(STATUS_LABELS.get(result.status))}</span>{stale}')


def level_html(result, criteria_set) -> Markup:
    """A submitted unit's level badge, else a dash."""
    if not result.submitted:
        return Markup('<span class="muted">–</span>')
    return level_badge(result.level, criteria_set.level_name(result.level))


def change_html(change) -> Markup:
    """Movement against the previous year: arrow and places, with the change of the total in words."""
    if change is None:
        return Markup('<span aria-label="Không có số liệu năm trước">–</span>')
    delta, total = change.rank_delta, vn_signed(change.total_delta)
    if delta is None:
        return Markup(f"<span>{total} điểm</span>")
    if delta > 0:
        shown = f'<span class="up" aria-label="Tăng {delta} bậc, tổng điểm {total}">▲ {delta}</span>'
    elif delta < 0:
        shown = f'<span class="down" aria-label="Giảm {-delta} bậc, tổng điểm {total}">▼ {-delta}</span>'
    else:
        shown = f'<span aria-label="Giữ nguyên thứ hạng, tổng điểm {total}">=</span>'
    return Markup(f"{shown} <small>({total})</small>")


def year_rows(history, year: int, siteurl: str, criteria_set) -> Markup:
    """The unit page's rows of its result over the years, newest first: the page's own year
    unlinked, levels named as this year's criteria set names them."""
    rows = []
    for y, h in history:
        shown = y if y == year else f'<a href="{html_text(siteurl)}/{y}/don-vi/{html_text(h.unit.id)}/">{y}</a>'
        rows.append(f'<tr><th scope="row">{shown}</th>{_year_cells(h, level_html(h, criteria_set))}')
    return Markup("".join(rows))


def history_rows(history, siteurl: str, unit_id: str, level_names) -> Markup:
    """The history page's rows, newest first: each year linked, levels named as that year's
    criteria set names them (`level_names`: year → its level_name)."""
    rows = []
    for y, h in history:
        level = level_badge(h.level, level_names[y](h.level)) if h.submitted else "–"
        rows.append(f'<tr><th scope="row"><a href="{html_text(siteurl)}/{y}/don-vi/{html_text(unit_id)}/">Năm {y}</a>'
                    f"</th>{_year_cells(h, level)}")
    return Markup("".join(rows))


def _year_cells(result, level: str) -> str:
    total = vn_number_cached(result.total) if result.submitted else "–"
    return (f'<td class="num">{total}</td><td>{level}</td><td class="num">{result.rank or "–"}</td>'
            f"<td>{status_html(result)}</td></tr>")


def shortfall_items(shortfalls, group_names: dict[int, str]) -> Markup:
    """The list items of the groups below the next level's minimum: score, minimum, what is missing."""
    vn = vn_number_cached
    return Markup("".join(f"<li>Nhóm {s.group_id} ({html_text(group_names[s.group_id])}): {vn(s.score)} điểm, "
                          f"cần {vn(s.minimum)}, <strong>thiếu {vn(s.missing)}</strong></li>" for s in shortfalls))


def vn_date(value: date | None) -> str:
    """2024-10-15 → 15/10/2024."""
    return "–" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year}"


def roman(level: int) -> str:
    """1 → I (level numbers as the decision writes them)."""
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(level, str(level))


# Pages show the same few hundred numbers over and over.
vn_number_cached = lru_cache(maxsize=8192)(vn_number)

FILTERS = {
    **RECORD_FILTERS,
    "vn_number": vn_number_cached,
    "vn_signed": vn_signed,
    "answer_text": answer_text,
    "evidence_link": evidence_link,
    "source_link": source_link,
    "level_badge": level_badge,
    "status_html": status_html,
    "level_html": level_html,
    "change_html": change_html,
    "roman": roman,
    "shortfall_items": shortfall_items,
    "year_rows": year_rows,
    "history_rows": history_rows,
    "status_label": STATUS_LABELS.get,
    "stage_label": STAGE_LABELS.get,
    "tier_label": TIER_LABELS.get,
    "vn_date": vn_date,
}
