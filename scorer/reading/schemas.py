"""JSON Schemas: the committed static ones, and the per-tier ones generated
from a criteria set so that each answer is checked against its own criterion."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.model import CriteriaSet, Criterion
from .paths import DataRoot, write_atomic

if TYPE_CHECKING:  # imported when a validator is first made: warm runs check no file
    from jsonschema import Draft202012Validator

DRAFT = "https://json-schema.org/draft/2020-12/schema"
LOGIN = {"type": "string", "pattern": "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$"}
UNIT_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}


def submission_schema_name(set_id: str, tier: str) -> str:
    return f"submission.{set_id}.{tier}.schema.json"


def review_schema_name(set_id: str, tier: str) -> str:
    return f"review.{set_id}.{tier}.schema.json"


def _plausible_text(criterion: Criterion) -> str:
    """The criterion's plausible ranges, as the value's description says them."""
    if not criterion.plausible:
        return ""
    names = {"value": "", "numerator": "tử số ", "denominator": "mẫu số "}
    parts = []
    for bounds in criterion.plausible:
        low = "" if bounds.low is None else _points(bounds.low)
        high = "" if bounds.high is None else _points(bounds.high)
        parts.append(f"{names[bounds.quantity]}{low}–{high}".strip())
    then = ("số liệu ngoài khoảng không được nhận" if criterion.outside == "refuse"
            else "số liệu ngoài khoảng phải có giải trình trong 'note'")
    return f" Khoảng hợp lý: {'; '.join(parts)} ({then})."


def _value_schema(criterion: Criterion) -> dict[str, Any]:
    unanswered = _plausible_text(criterion) + " Để trống (null) nếu chưa trả lời."
    if criterion.kind == "yes_no":
        return {"type": ["boolean", "null"], "description": "true (có) hoặc false (không)." + unanswered}
    if criterion.kind == "ratio":
        return {
            "type": ["object", "null"],
            "description": f"Tử số: {criterion.numerator}. Mẫu số: {criterion.denominator}." + unanswered,
            "additionalProperties": False,
            "required": ["numerator", "denominator"],
            "properties": {
                "numerator": {"type": "number", "minimum": 0, "description": criterion.numerator},
                "denominator": {"type": "number", "minimum": 0, "description": criterion.denominator},
            },
        }
    if criterion.kind == "count":
        return {"type": ["integer", "null"], "minimum": 0, "description": f"Số {criterion.counted}." + unanswered}
    if criterion.kind == "choice":
        labels = "; ".join(f"{o.id}: {o.label}" for o in criterion.options)
        return {"enum": [*(o.id for o in criterion.options), None], "description": labels + "." + unanswered}
    if criterion.kind == "relative":
        return {
            "type": ["number", "null"],
            "minimum": 0,
            "description": f"{criterion.quantity} ({criterion.quantity_unit})." + unanswered,
        }
    raise ValueError(f"unknown criterion kind {criterion.kind}")


def _criterion_title(criterion: Criterion) -> str:
    return f"{criterion.id}. {criterion.title} (tối đa {_points(criterion.max)} điểm)"


def _points(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def submission_schema(criteria_set: CriteriaSet, tier: str) -> dict[str, Any]:
    """Schema of a unit's submission for one tier of a criteria set."""
    tier_criteria = criteria_set.tiers[tier]
    answers = {
        c.id: {
            "type": "object",
            "title": _criterion_title(c),
            "description": c.how,
            "additionalProperties": False,
            "required": ["value"],
            "properties": {
                "value": _value_schema(c),
                "evidence": {
                    "type": "array",
                    "description": "Minh chứng: đường dẫn http(s) hoặc đường dẫn tệp trong kho. " + c.evidence_hint,
                    "items": {"type": "string", "minLength": 1},
                },
                "note": {"type": ["string", "null"], "description": "Ghi chú, giải trình (không bắt buộc)."},
            },
        }
        for c in tier_criteria.criteria
    }
    return {
        "$schema": DRAFT,
        "$id": submission_schema_name(criteria_set.id, tier),
        "title": f"Phiếu tự đánh giá {tier_criteria.name.lower()} theo {criteria_set.decision}",
        "type": "object",
        "additionalProperties": False,
        "required": ["unit", "year", "answers"],
        "properties": {
            "unit": {**UNIT_ID, "description": "Mã đơn vị (xem units/)."},
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "Năm đánh giá."},
            "answers": {
                "type": "object",
                "description": "Câu trả lời cho từng tiêu chí.",
                "additionalProperties": False,
                "required": list(answers),
                "properties": answers,
            },
        },
    }


def review_schema(criteria_set: CriteriaSet, tier: str) -> dict[str, Any]:
    """Schema of the verification (thẩm định) record of one unit."""
    tier_criteria = criteria_set.tiers[tier]
    stages = [s for s in criteria_set.stages if tier in s.tiers]
    answers = {
        c.id: {
            "type": "object",
            "title": _criterion_title(c),
            "additionalProperties": False,
            "required": ["value", "reason"],
            "properties": {
                "value": _value_schema(c),
                "reason": {"type": "string", "minLength": 1, "description": "Lý do điều chỉnh (bắt buộc)."},
            },
        }
        for c in tier_criteria.criteria
    }
    return {
        "$schema": DRAFT,
        "$id": review_schema_name(criteria_set.id, tier),
        "title": f"Hồ sơ thẩm định {tier_criteria.name.lower()} theo {criteria_set.decision}",
        "type": "object",
        "additionalProperties": False,
        "required": ["unit", "year", "reviews"],
        "properties": {
            "unit": UNIT_ID,
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "reviews": {
                "type": "array",
                "minItems": 1,
                "description": "Các lần thẩm định, theo thứ tự ghi; chỉ được thêm mục mới vào cuối, không sửa, xóa hay đổi chỗ mục đã có.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["stage", "reviewer", "date", "submission_sha256", "answers"],
                    "properties": {
                        "stage": {"enum": [s.id for s in stages],
                                  "description": "Bước thẩm định, theo thứ tự thực hiện: " + ", ".join(f"{s.id} ({s.name})" for s in stages) + "."},
                        "reviewer": {**LOGIN, "description": "Tài khoản GitHub của người thẩm định."},
                        "date": {"type": "string", "format": "date", "description": "Ngày thẩm định (YYYY-MM-DD), trong năm đánh giá và không sau hôm nay."},
                        "submission_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Mã băm SHA-256 của tệp bài nộp đã thẩm định."},
                        "note": {"type": ["string", "null"]},
                        "answers": {
                            "type": "object",
                            "description": "Chỉ ghi các tiêu chí được điều chỉnh; tiêu chí không ghi được xác nhận như đơn vị tự đánh giá.",
                            "additionalProperties": False,
                            "properties": answers,
                        },
                    },
                },
            },
        },
    }


def generated_schemas(criteria_sets: list[CriteriaSet]) -> dict[str, dict[str, Any]]:
    """Every schema generated from the catalogue, by file name."""
    out: dict[str, dict[str, Any]] = {}
    for cs in criteria_sets:
        for tier in cs.tiers:
            out[submission_schema_name(cs.id, tier)] = submission_schema(cs, tier)
            out[review_schema_name(cs.id, tier)] = review_schema(cs, tier)
    return dict(sorted(out.items()))


def dumps(schema: dict[str, Any]) -> str:
    """Stable text of a schema: sorted keys are avoided to keep reading order."""
    return json.dumps(schema, ensure_ascii=False, indent=2, default=_json_number) + "\n"


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value))


def published_schemas(criteria_sets: list[CriteriaSet]) -> dict[str, str]:
    """Every schema a data root publishes in its schema/ folder, by file name, with its text:
    cqdt's static schemas and the ones generated from the criteria sets."""
    static = {path.name: path.read_text(encoding="utf-8") for path in sorted(STATIC_SCHEMA_DIR.glob("*.schema.json"))}
    generated = {name: dumps(schema) for name, schema in generated_schemas(criteria_sets).items()}
    return dict(sorted({**static, **generated}.items()))


def write_schemas(root: DataRoot, criteria_sets: list[CriteriaSet]) -> list[Path]:
    """Write the data root's schema/ copies; returns the files that changed."""
    changed = []
    for name, text in published_schemas(criteria_sets).items():
        path = root.schema_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            changed.append(path)
    return changed


def stale_schemas(root: DataRoot, criteria_sets: list[CriteriaSet]) -> list[str]:
    """Names of the schemas whose copy in the data root's schema/ differs or is missing."""
    return [name for name, text in published_schemas(criteria_sets).items()
            if not (root.schema_dir / name).is_file() or (root.schema_dir / name).read_text(encoding="utf-8") != text]


# cqdt's own schemas of the files it reads (criteria sets, registry, cycles, receipts, results):
# what its checks hold a file to, whatever copy a data root keeps (the code relies on them).
STATIC_SCHEMA_DIR = Path(__file__).resolve().parent / "json_schemas"


def static_schema_path(name: str) -> Path:
    """The file of one of cqdt's static schemas."""
    return STATIC_SCHEMA_DIR / f"{name}.schema.json"


def static_validator(name: str) -> Draft202012Validator:
    """Validator of one of cqdt's static schemas."""
    from jsonschema import Draft202012Validator

    schema = json.loads(static_schema_path(name).read_text(encoding="utf-8"), parse_float=Decimal)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _is_iso_date(value: str) -> bool:
    """The same test as jsonschema's "date" format: a real calendar day."""
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


FAST_FORMATS = {"date": _is_iso_date}


def _generated(criteria_set: CriteriaSet, tier: str, kind: str) -> dict[str, Any]:
    build = submission_schema if kind == "submission" else review_schema
    return json.loads(dumps(build(criteria_set, tier)), parse_float=Decimal)


def compiled_check(criteria_set: CriteriaSet, tier: str, kind: str) -> Callable[[Any], bool]:
    """A compiled (fastjsonschema) yes/no check of the generated schema of a tier (kind
    "submission" or "review"). It only answers "valid?" quickly; every message still comes
    from jsonschema, which runs whenever this says no. Compiling takes a tenth of a second:
    worth it for many files only."""
    import fastjsonschema

    schema = _generated(criteria_set, tier, kind)
    schema.pop("$schema")  # the keywords used are those of draft 7, which it compiles
    validate = fastjsonschema.compile(schema, formats=FAST_FORMATS)

    def is_valid(data: Any) -> bool:
        try:
            validate(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def generated_validator(criteria_set: CriteriaSet, tier: str, kind: str) -> Draft202012Validator:
    """Validator of the generated schema of a tier (kind "submission" or "review")."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_generated(criteria_set, tier, kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
