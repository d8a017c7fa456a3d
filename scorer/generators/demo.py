"""Seeded demo data: a published year and a year in verification, for every unit.

The answers are built to spread units over every level and "không xếp hạng",
with some units exactly on a Điều 7 threshold and some 0,01 below one, so the
site and the tests have real cases to show. Everything is marked as demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.dates import PROVINCE_TIME
from ..core.model import CriteriaSet, Criterion, Group, Registry, TierCriteria, Unit
from ..core.stages import stage_holders
from ..flow.receipts import Receipt, ledger_path, ledger_text
from ..forms.scaffold import dump_round_trip, submission_document
from ..reading.paths import DataRoot, write_atomic
from ..reading.submissions import sha256_hex

CENT = Decimal("0.01")
RELATIVE_BEST = Decimal(100)  # the tier's best value of every relative criterion
FLEXIBLE = ("ratio", "relative")  # kinds that can take any points value exactly


@dataclass(frozen=True)
class DemoYear:
    """How one demo year looks: its state, dates and who did not submit."""

    year: int
    state: str
    publication: tuple[str, date] | None
    holidays: tuple[str, ...]
    review_share: float
    missing_share: float


HOLIDAYS = {
    # Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng Vương, 30/4–1/5, Quốc khánh (with the days
    # the Government moved), for the year of the cycle and the next (verification runs into it).
    2023: ("2023-01-02", "2023-01-20", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26",
           "2023-05-01", "2023-05-02", "2023-05-03", "2023-09-01", "2023-09-04"),
    2024: ("2024-01-01", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
           "2024-04-18", "2024-04-29", "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03"),
    2025: ("2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
           "2025-04-07", "2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"),
}

DEMO_YEARS = (
    DemoYear(2023, "published", ("68/QĐ-UBND (minh họa)", date(2024, 3, 12)),
             HOLIDAYS[2023] + HOLIDAYS[2024], review_share=1.0, missing_share=0.02),
    DemoYear(2024, "verifying", None, HOLIDAYS[2024] + HOLIDAYS[2025], review_share=0.55, missing_share=0.05),
)

REASONS = (
    "Minh chứng chưa thể hiện đủ số liệu; điều chỉnh theo biên bản kiểm tra thực tế.",
    "Số liệu trên hệ thống một cửa điện tử thấp hơn số đơn vị kê khai.",
    "Văn bản ban hành sau ngày 30/9, không tính cho năm đánh giá.",
    "Đối chiếu kết quả kiểm tra chuyên đề: một số máy tính không còn sử dụng.",
    "Đơn vị bổ sung minh chứng hợp lệ khi thẩm định; công nhận số liệu cao hơn.",
)
NOTES = (
    "Số liệu tổng hợp đến hết ngày 30/9.",
    "Đã triển khai từ quý II.",
    "Đang hoàn thiện, dự kiến xong trong quý IV.",
    "Theo báo cáo của bộ phận một cửa.",
)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}|" + "|".join(map(str, parts)))


def _cents(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _zero_value(criterion: Criterion) -> Any:
    if criterion.kind == "yes_no":
        return False
    if criterion.kind == "ratio":
        return {"numerator": 0, "denominator": 40}
    if criterion.kind == "choice":
        return min(criterion.options, key=lambda o: o.points).id
    return 0


def _full_value(criterion: Criterion) -> Any:
    if criterion.kind == "yes_no":
        return True
    if criterion.kind == "choice":
        return max(criterion.options, key=lambda o: o.points).id
    if criterion.kind == "count":
        return int(criterion.max / criterion.per_item)
    return _flexible_value(criterion, criterion.max, random.Random(0))


def _flexible_value(criterion: Criterion, points: Decimal, rng: random.Random) -> Any:
    """An answer worth exactly `points` (2 decimals) on a ratio or relative criterion."""
    if criterion.kind == "relative":
        return points * RELATIVE_BEST / criterion.max
    share = Fraction(points) * Fraction(criterion.full_at) / Fraction(criterion.max)
    scale = max(1, -(-rng.randint(20, 180) // share.denominator))  # realistic denominators
    return {"numerator": share.numerator * scale, "denominator": share.denominator * scale}


def group_answers(group: Group, target: Decimal, rng: random.Random) -> dict[str, Any]:
    """Answers for one group whose points sum to the target exactly when a ratio
    or relative criterion can absorb the remainder, else to at least the target."""
    discrete = [c for c in group.criteria if c.kind not in FLEXIBLE]
    # Relative criteria first: they fill up to the tier's best value, which keeps that best fixed.
    flexible = sorted((c for c in group.criteria if c.kind in FLEXIBLE), key=lambda c: c.kind != "relative")
    rng.shuffle(discrete)
    answers: dict[str, Any] = {}
    remaining = target
    capacity = sum((c.max for c in flexible), Decimal(0))
    for criterion in discrete:
        # Take a discrete criterion when it fits, or when the flexible ones cannot reach the target.
        if criterion.max <= remaining or remaining > capacity:
            answers[criterion.id] = _full_value(criterion)
            remaining -= criterion.max
        else:
            answers[criterion.id] = _zero_value(criterion)
    for criterion in flexible:
        share = min(criterion.max, max(remaining, Decimal(0)))
        answers[criterion.id] = _flexible_value(criterion, share, rng)
        remaining -= share
    return answers


def _targets(tier: TierCriteria, level: int | None, rng: random.Random, exact: str | None) -> dict[int, Decimal]:
    """Group score targets that give `level` (None = below Mức IV)."""
    flexible_groups = [g for g in tier.groups if any(c.kind in FLEXIBLE for c in g.criteria)]
    floor_level = level if level is not None else 4
    targets = {}
    for g in tier.groups:
        low = g.minimums[floor_level]
        targets[g.id] = _cents(rng.uniform(float(low), float(g.max)))
    limiting = rng.choice([g for g in flexible_groups if level in (None, 1) or g.minimums[level - 1] > g.minimums[level]])
    if level is None:
        targets[limiting.id] = max(Decimal(0), limiting.minimums[4] - _cents(rng.uniform(0.5, 4)))
    elif level > 1:
        low, high = limiting.minimums[level], limiting.minimums[level - 1]
        targets[limiting.id] = _cents(rng.uniform(float(low), float(high) - 0.01))
    if exact is not None:
        on = level if level is not None else 4
        targets[limiting.id] = limiting.minimums[on] - (CENT if exact == "under" else 0)
    return targets


def _profile(unit: Unit, year: int, seed: int) -> tuple[int | None, str | None]:
    base = _rng(seed, "base", unit.id)
    level_index = base.choices(range(5), weights=(4, 4, 4, 3, 2))[0]
    drift = _rng(seed, "drift", unit.id, year).choice((-1, 0, 0, 1))
    level_index = min(4, max(0, level_index + drift))
    roll = _rng(seed, "exact", unit.id, year).random()
    exact = "on" if roll < 0.12 else ("under" if roll < 0.18 else None)
    return (None if level_index == 4 else level_index + 1), exact


def unit_answers(tier: TierCriteria, unit: Unit, year: int, seed: int) -> tuple[dict[str, Any], bool]:
    """Every answer of a unit for a year, and whether it was built on a threshold."""
    level, exact = _profile(unit, year, seed)
    rng = _rng(seed, "answers", unit.id, year)
    answers: dict[str, Any] = {}
    for group_id, target in _targets(tier, level, rng, exact).items():
        group = next(g for g in tier.groups if g.id == group_id)
        answers.update(group_answers(group, target, rng))
    return answers, exact is not None


def _fill(doc: CommentedMap, tier: TierCriteria, answers: dict[str, Any], unit: Unit, year: int, rng: random.Random) -> None:
    from ..core.rules import is_nonzero

    for criterion in tier.criteria:
        entry = doc["answers"][criterion.id]
        value = answers[criterion.id]
        if isinstance(value, dict):
            flow = CommentedMap(value)
            flow.fa.set_flow_style()
            value = flow
        entry["value"] = value
        if is_nonzero(criterion, answers[criterion.id]):
            # Block style: libyaml-based parsers refuse "://" inside a flow sequence's plain scalar.
            entry["evidence"] = CommentedSeq([f"https://example.org/cqdt-minh-hoa/{year}/{unit.id}/{criterion.id}.pdf"])
        entry["note"] = rng.choice(NOTES) if rng.random() < 0.08 else ""


def _review(criteria_set: CriteriaSet, unit: Unit, answers: dict[str, Any], sha: str, year: int,
            registry: Registry, rng: random.Random, adjust: bool) -> CommentedMap:
    tier = criteria_set.tiers[unit.tier]
    reviews = CommentedSeq()
    stages = [s for s in criteria_set.stages if unit.tier in s.tiers]  # in the order they verify
    for index, stage in enumerate(stages):
        entry = CommentedMap()
        entry["stage"] = stage.id
        entry["reviewer"] = stage_holders(stage, unit, registry)[0]
        entry["date"] = (date(year, 11, 4) + timedelta(days=rng.randint(0, 40) + 14 * index)).isoformat()
        entry["submission_sha256"] = sha
        changed = CommentedMap()
        if adjust:
            candidates = [c for c in tier.criteria if c.kind == "ratio" and answers[c.id]["numerator"] > 0]
            for criterion in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 2))):
                old = answers[criterion.id]
                value = CommentedMap({"numerator": max(0, old["numerator"] - rng.randint(1, 5)), "denominator": old["denominator"]})
                value.fa.set_flow_style()
                changed[criterion.id] = CommentedMap({"value": value, "reason": rng.choice(REASONS[:4])})
        entry["answers"] = changed
        reviews.append(entry)
    record = CommentedMap()
    record["unit"] = unit.id
    record["year"] = year
    record["reviews"] = reviews
    return record


def cycle_text(spec: DemoYear, criteria_set_id: str) -> str:
    lines = [
        f"# Demo cycle {spec.year}: generated by `cqdt demo`; not real results.",
        f"year: {spec.year}",
        f"criteria: {criteria_set_id}",
        "demo: true",
        f"deadlines: {{xa: {spec.year}-10-15, huyen: {spec.year}-10-31, so: {spec.year}-10-31}}",
        "verification_working_days: 60",
        "holidays: [" + ", ".join(spec.holidays) + "]",
        # A published year is written in verification, then published by `cqdt publish`.
        f"state: {'verifying' if spec.publication else spec.state}",
    ]
    return "\n".join(lines) + "\n"


def _received(spec: DemoYear, unit: Unit, after: date | None, seed: int) -> datetime:
    """A plausible moment GitHub received a demo submission: mostly in the weeks before the
    tier's deadline, a few days late now and then; after `after` (the reviews of the earlier
    version) when the unit edited its file after verification."""
    rng = _rng(seed, "received", unit.id, spec.year)
    deadline = date(spec.year, 10, 15) if unit.tier == "xa" else date(spec.year, 10, 31)
    if after is not None:
        day = after + timedelta(days=rng.randint(1, 6))
    elif rng.random() < 0.06:
        day = deadline + timedelta(days=rng.randint(1, 3))
    else:
        day = deadline - timedelta(days=rng.randint(0, 30))
    moment = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59)), PROVINCE_TIME)
    return moment.astimezone(UTC)


def _ledger(received: list[tuple[datetime, str, str]], first_number: int) -> list[Receipt]:
    """Receipts of a demo year, pull requests numbered in the order they were received."""
    return [Receipt(path, moment, sha, first_number + index)
            for index, (moment, path, sha) in enumerate(sorted(received))]


def write_demo(root: DataRoot, registry: Registry, criteria_set: CriteriaSet, seed: int = 1609) -> list[Path]:
    """Write the demo years into the data root; returns every file written."""
    written = []
    pull_requests = 1
    for spec in DEMO_YEARS:
        year_dir = root.year_dir(spec.year)
        for old in sorted(year_dir.glob("*/*.yaml")):
            old.unlink()
        cycle_path = root.cycle_path(spec.year)
        write_atomic(cycle_path, cycle_text(spec, criteria_set.id))
        written.append(cycle_path)
        received: list[tuple[datetime, str, str]] = []
        for unit in registry.units:
            rng = _rng(seed, "file", unit.id, spec.year)
            if rng.random() < spec.missing_share:
                continue
            tier = criteria_set.tiers[unit.tier]
            answers, on_threshold = unit_answers(tier, unit, spec.year, seed)
            doc = submission_document(criteria_set, unit, spec.year)
            _fill(doc, tier, answers, unit, spec.year, rng)
            text = dump_round_trip(doc)
            path = root.submission_path(spec.year, unit.tier, unit.id)
            write_atomic(path, text)
            written.append(path)
            current = sha256_hex(text.encode("utf-8"))
            reviewed_until = None
            if rng.random() < spec.review_share:
                sha = current
                stale = spec.state != "published" and rng.random() < 0.06
                if stale:  # reviewed an earlier version: the unit edited its file afterwards
                    sha = sha256_hex((text + "# phiên bản trước\n").encode("utf-8"))
                record = _review(criteria_set, unit, answers, sha, spec.year, registry, rng,
                                 adjust=not on_threshold and rng.random() < 0.4)
                review_path = root.review_path(spec.year, unit.tier, unit.id)
                write_atomic(review_path, dump_round_trip(record))
                written.append(review_path)
                if stale:
                    reviewed_until = date.fromisoformat(record["reviews"][-1]["date"])
            received.append((_received(spec, unit, reviewed_until, seed), root.relative(path), current))
        ledger = ledger_path(root, spec.year)
        write_atomic(ledger, ledger_text(_ledger(received, pull_requests)))
        written.append(ledger)
        pull_requests += len(received)
        if spec.publication:
            from ..flow.publish import publish

            root.results_path(spec.year).unlink(missing_ok=True)
            written.extend(publish(root, spec.year, *spec.publication))
    return sorted(set(written))
