"""Empty, valid submission files with every criterion explained in comments."""

from __future__ import annotations

import io
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.model import CriteriaSet, Criterion, Unit
from ..core.text import vn_number
from ..reading.schemas import submission_schema_name

ANSWER_SHAPES = {
    "yes_no": "value: true (có) hoặc false (không)",
    "ratio": "value: {numerator: <tử số>, denominator: <mẫu số>}",
    "count": "value: <số nguyên>",
    "choice": "value: <mã lựa chọn>",
    "relative": "value: <số>",
}


def schema_comment(criteria_set_id: str, tier: str) -> str:
    """The editor hint that points at this tier's generated schema."""
    return f"yaml-language-server: $schema=../../../schema/{submission_schema_name(criteria_set_id, tier)}"


def _criterion_comment(criterion: Criterion) -> str:
    lines = [f"{criterion.id}. {criterion.title} (tối đa {vn_number(criterion.max)} điểm)", f"Cách chấm: {criterion.how}"]
    if criterion.kind == "ratio":
        lines.append(f"Tử số: {criterion.numerator}; mẫu số: {criterion.denominator}")
    elif criterion.kind == "count":
        lines.append(f"Đếm: {criterion.counted}")
    elif criterion.kind == "choice":
        lines.extend(f"  {o.id}: {o.label} ({vn_number(o.points)} điểm)" for o in criterion.options)
    elif criterion.kind == "relative":
        lines.append(f"Số liệu: {criterion.quantity} ({criterion.quantity_unit})")
    lines.append(f"Trả lời: {ANSWER_SHAPES[criterion.kind]}")
    if criterion.evidence_hint:
        lines.append(f"Minh chứng: {criterion.evidence_hint}")
    return "\n".join(lines)


def new_submission(criteria_set: CriteriaSet, unit: Unit, year: int) -> str:
    """YAML text of an empty submission: every criterion present, unanswered."""
    return dump_round_trip(submission_document(criteria_set, unit, year))


def submission_document(criteria_set: CriteriaSet, unit: Unit, year: int) -> CommentedMap:
    """The commented round-trip document of an empty submission, to fill or dump."""
    tier = criteria_set.tiers[unit.tier]
    doc = CommentedMap()
    doc["unit"] = unit.id
    doc["year"] = year
    answers = CommentedMap()
    for group in tier.groups:
        for index, criterion in enumerate(group.criteria):
            entry = CommentedMap()
            entry["value"] = None
            entry["evidence"] = CommentedSeq()
            entry["evidence"].fa.set_flow_style()
            entry["note"] = ""
            answers[criterion.id] = entry
            before = _criterion_comment(criterion)
            if index == 0:
                before = f"=== Nhóm {group.id}. {group.name} (tối đa {vn_number(group.max)} điểm) ===\n" + before
            answers.yaml_set_comment_before_after_key(criterion.id, before=before, indent=2)
    doc["answers"] = answers
    header = "\n".join([
        schema_comment(criteria_set.id, unit.tier),
        f"Phiếu tự đánh giá mức độ Chính quyền điện tử năm {year}",
        f"Đơn vị: {unit.name} ({tier.name.lower()}), theo {criteria_set.decision}",
        "Cách điền: ghi số liệu thực tế vào 'value' của từng tiêu chí; hệ thống tự tính điểm.",
        "Câu trả lời có điểm phải có minh chứng trong 'evidence' (đường dẫn https://... hoặc tệp trong kho).",
        "Để trống (null) là chưa trả lời và được 0 điểm. Kiểm tra bằng: cqdt validate <tệp này>",
    ])
    doc.yaml_set_start_comment(header)
    return doc


def _represent_decimal(representer, value: Decimal):
    if value == value.to_integral_value():
        return representer.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return representer.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


def dump_round_trip(doc: object) -> str:
    """Dump with the round-trip emitter, keeping comments and Vietnamese letters."""
    yaml = YAML(typ="rt")
    yaml.representer.add_representer(Decimal, _represent_decimal)
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()
