"""Jinja filters: Vietnamese numbers, dates and answers in words, addresses of repository files.

They give text, never HTML: the templates escape it. Which evidence becomes a link is
decided in tables.evidence (only http(s) URLs and repository paths).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from ..core.dates import PROVINCE_TIME
from ..core.model import Criterion
from ..core.stages import stage_name
from ..core.text import STATUS_LABELS, TIER_LABELS, name_order, vn_number
from .record_views import RECORD_FILTERS

# Scheme http or https, a non-empty host, no whitespace anywhere.
HTTP_URL_RE = re.compile(r"(?i)https?://[^/?#\s]+[^\s]*\Z")


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


def source_link(path: str, repository_url: str, branch: str) -> str:
    """The URL of a file of the repository (submission, review, criteria)."""
    return f"{repository_url.rstrip('/')}/blob/{quote(branch)}/{quote(path)}"


def vn_date(value: date | None) -> str:
    """2024-10-15 → 15/10/2024."""
    return "–" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year}"


def vn_moment(value: datetime) -> str:
    """An instant in Vietnam's time: 2024-10-14T02:12:33Z → 09:12 ngày 14/10/2024."""
    local = value.astimezone(PROVINCE_TIME)
    return f"{local:%H:%M} ngày {vn_date(local.date())}"


def roman(level: int) -> str:
    """1 → I (level numbers as the decision writes them)."""
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(level, str(level))


def by_name(items: Iterable[Any]) -> list[Any]:
    """Units, or units' results, in Vietnamese alphabetical order of their names (never code
    point order, which puts Đoan Hùng after every name without a mark)."""
    return sorted(items, key=lambda item: name_order(getattr(item, "unit", item).name, getattr(item, "unit", item).id))


def filters() -> dict[str, Any]:
    """The filters of one build. Its pages show the same few hundred numbers over and over:
    each is written once per build."""
    return {
        **RECORD_FILTERS,
        "vn_number": lru_cache(maxsize=8192)(vn_number),
        "vn_signed": vn_signed,
        "source_link": source_link,
        "status_label": STATUS_LABELS.get,
        "stage_label": lambda stage_id, stages: stage_name(stages, stage_id),
        "tier_label": TIER_LABELS.get,
        "vn_date": vn_date,
        "vn_moment": vn_moment,
        "by_name": by_name,
    }

