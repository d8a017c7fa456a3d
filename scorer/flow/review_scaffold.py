"""A verification (thẩm định) entry for a reviewer to fill in, with the self-assessment shown beside it.

The entry names the content hash of the submission as it is now, so the scorer
can tell when the submission changes after verification. An existing record
keeps its entries and comments; the new entry is appended.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.model import CriteriaSet, Registry, Stage, Submission, TierCriteria, Unit
from ..core.stages import held_stages, holders_text, holds, required_stages, stage_named
from ..core.text import vn_number
from ..forms.scaffold import dump_round_trip


class ScaffoldError(Exception):
    """The entry cannot be written; the message says why, in Vietnamese."""


def inline(value: Any) -> str:
    """An answer value written as YAML flow text, as a reviewer would copy it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {inline(v)}" for k, v in value.items()) + "}"
    return str(value)


def default_stage(criteria_set: CriteriaSet, registry: Registry, unit: Unit, reviewer: str) -> str:
    """The first stage of the unit's tier the reviewer holds (e.g. district for a commune's district
    reviewer), else the tier's last stage."""
    held = held_stages(criteria_set.stages, unit, registry, reviewer)
    return held[0] if held else required_stages(criteria_set, unit.tier)[-1]


def check_reviewer(criteria_set: CriteriaSet, registry: Registry, unit: Unit, reviewer: str, stage_id: str) -> None:
    """Refuse a stage the reviewer does not hold for this unit (the validator would refuse it later)."""
    stage = stage_named(criteria_set.stages, stage_id)
    if stage is None or unit.tier not in stage.tiers:
        stages = ", ".join(required_stages(criteria_set, unit.tier))
        raise ScaffoldError(f"đơn vị {unit.id} không có bước thẩm định '{stage_id}'; các bước của cấp này: {stages}")
    if not holds(stage, unit, registry, reviewer):
        raise ScaffoldError(f"'{reviewer}' không có tên trong {holders_text(stage, unit, registry)}")


def _guide(tier: TierCriteria, submission: Submission) -> str:
    lines = [
        "Chỉ ghi vào answers các tiêu chí cần điều chỉnh, theo mẫu:",
        "  <mã tiêu chí>:",
        "    value: <giá trị đã thẩm định, cùng dạng với bài nộp>",
        '    reason: "<lý do điều chỉnh>"',
        "Tiêu chí không ghi được xác nhận như đơn vị tự đánh giá.",
        "Đơn vị tự đánh giá:",
    ]
    for criterion in tier.criteria:
        value = inline(submission.answers[criterion.id].value)
        lines.append(f"  {criterion.id}: {value}  ({criterion.title}; tối đa {vn_number(criterion.max)} điểm)")
    return "\n".join(lines)


def review_entry(tier: TierCriteria, submission: Submission, stage: Stage, reviewer: str, day: date) -> CommentedMap:
    """One review entry: who, when, which version, no answers changed yet."""
    entry = CommentedMap()
    entry["stage"] = stage.id
    entry["reviewer"] = reviewer
    entry["date"] = day.isoformat()
    entry["submission_sha256"] = submission.sha256
    entry["note"] = ""
    answers = CommentedMap()
    answers.fa.set_flow_style()
    entry["answers"] = answers
    entry.yaml_set_comment_before_after_key("answers", before=_guide(tier, submission), indent=4)
    entry.yaml_add_eol_comment(f"bước thẩm định: {stage.name}", "stage")
    return entry


def scaffold_review(path: Path, tier: TierCriteria, submission: Submission, stage: Stage, reviewer: str, day: date) -> str:
    """The text of the review record at path with a new entry appended (or a new record)."""
    entry = review_entry(tier, submission, stage, reviewer, day)
    if path.is_file():
        yaml = YAML(typ="rt")
        document = yaml.load(io.StringIO(path.read_text(encoding="utf-8-sig")))
        if not isinstance(document, dict) or not isinstance(document.get("reviews"), list):
            raise ScaffoldError(f"{path.name}: không đọc được danh sách 'reviews'; hãy sửa tệp trước")
        document["reviews"].append(entry)
        return dump_round_trip(document)
    document = CommentedMap()
    document["unit"] = submission.unit_id
    document["year"] = submission.year
    reviews = CommentedSeq()
    reviews.append(entry)
    document["reviews"] = reviews
    document.yaml_set_start_comment(
        f"Hồ sơ thẩm định của {submission.unit_id}, năm {submission.year} (Điều 5.2 Quyết định 1609/QĐ-UBND).\n"
        "Mỗi lần thẩm định là một mục trong 'reviews'; submission_sha256 là mã băm của bài nộp đã thẩm định."
    )
    return dump_round_trip(document)
