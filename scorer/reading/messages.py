"""JSON Schema errors turned into Vietnamese messages a commune clerk can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

from ..core.problems import Problem
from .yaml import Positions

TYPE_NAMES = {
    "integer": "một số nguyên",
    "number": "một số",
    "string": "một chuỗi chữ",
    "boolean": "true (có) hoặc false (không)",
    "object": "một nhóm trường con",
    "array": "một danh sách",
    "null": "để trống",
}

_DECIMAL_COMMA = re.compile(r"^\s*-?[0-9]+,[0-9]+\s*$")
_NUMBER_TEXT = re.compile(r"^\s*-?[0-9]+(\.[0-9]+)?\s*$")


# What the parts of an answer are called, in the words of the form.
ANSWER_PARTS = {"value": "câu trả lời", "numerator": "tử số", "denominator": "mẫu số",
                "evidence": "minh chứng", "note": "ghi chú", "reason": "lý do"}


def field_name(path: Iterable[Any]) -> str:
    """Dotted name of a place in a document: units[3].owners."""
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "(gốc tệp)"


def criterion_phrase(criterion_id: str, title: str | None = None) -> str:
    """How messages name a criterion: 'tiêu chí ht5 (Tỷ lệ máy tính …)'."""
    return f"tiêu chí {criterion_id} ({title})" if title else f"tiêu chí {criterion_id}"


def criterion_titles(criteria_set: Any, tier: str) -> dict[str, str]:
    """Criterion id → title, for the messages about a file of this tier."""
    return {c.id: c.title for c in criteria_set.tiers[tier].criteria} if tier in criteria_set.tiers else {}


def subject(path: tuple[Any, ...], titles: Mapping[str, str]) -> tuple[str, str]:
    """(criterion, part) a message is about: ('tiêu chí ht5 (…)', 'tử số') for a place in an
    answer, in the clerk's words; ('', "trường 'x.y'") for any other place of a file."""
    if "answers" in path:
        rest = path[path.index("answers") + 1:]
        if rest and isinstance(rest[0], str) and (not titles or rest[0] in titles):
            words = [ANSWER_PARTS.get(p, f"thứ {p + 1}" if isinstance(p, int) else str(p)) for p in rest[1:]]
            if "value" in rest[1:2] and len(words) > 1:
                words = words[1:]  # "tử số", not "câu trả lời tử số"
            return criterion_phrase(rest[0], titles.get(rest[0])), " ".join(words) or "câu trả lời"
    return "", f"trường '{field_name(path)}'"


def _about(path: tuple[Any, ...], titles: Mapping[str, str]) -> str:
    """The start of a message: 'tiêu chí ht5 (…): tử số' or "trường 'x.y'"."""
    criterion, part = subject(path, titles)
    return f"{criterion}: {part}" if criterion else part


def shown(value: Any) -> str:
    """A value as the submitter wrote it, for quoting in a message."""
    if value is None:
        return "để trống"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, dict):
        return "một nhóm trường con"
    if isinstance(value, list):
        return "một danh sách"
    return str(value)


def schema_problems(
    errors: Iterable[ValidationError],
    positions: Positions,
    display: str,
    titles: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Translate schema errors into located problems, one per error, in file order.
    `titles` (criterion id → title) lets a message name the criterion the way the form does."""
    problems = []
    for error in errors:
        problems.extend(_translate(error, positions, display, titles or {}))
    return sorted(set(problems))


def _translate(error: ValidationError, positions: Positions, display: str,
               titles: Mapping[str, str]) -> list[Problem]:
    path = tuple(error.absolute_path)
    name = field_name(path)
    about = _about(path, titles)
    value = error.instance
    kind = error.validator

    def at(message: str, key_of: tuple | None = None, key: str | None = None) -> Problem:
        line, col = positions.locate_key(key_of, key) if key is not None else positions.locate(path)
        return Problem(display, line, col, message)

    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        if missing and set(missing) <= {"numerator", "denominator"}:
            return [at(_ratio_message(path, titles, error.schema, "còn thiếu " + " và ".join(ANSWER_PARTS[k] for k in missing)))]
        criterion, _ = subject(path, titles)
        if path and path[-1] == "answers":
            return [at(f"thiếu câu trả lời cho {criterion_phrase(k, titles.get(k))}") for k in missing]
        if criterion:
            return [at(f"{criterion}: thiếu trường bắt buộc '{k}'") for k in missing]
        return [at(f"thiếu trường bắt buộc '{k}' trong '{name}'" if path else f"thiếu trường bắt buộc '{k}'") for k in missing]
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extras = [k for k in value if k not in allowed and not _matches_pattern(k, error.schema)]
        out = []
        for key in extras:
            hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            guess = f"; có phải là '{hint[0]}'?" if hint else ""
            if path and path[-1] == "answers":
                msg = f"không có tiêu chí '{key}' trong bộ tiêu chí của cấp này{guess}"
            elif subject(path, titles)[0]:
                msg = f"{subject(path, titles)[0]}: trường '{key}' không có trong mẫu{guess}"
            else:
                where = f" trong '{name}'" if path else ""
                msg = f"trường '{key}'{where} không có trong mẫu{guess}"
            out.append(at(msg, path, str(key)))
        return out
    if kind == "type":
        return [at(_type_message(path, titles, value, error.validator_value, error.schema))]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        relation = {
            "minimum": "lớn hơn hoặc bằng",
            "exclusiveMinimum": "lớn hơn",
            "maximum": "nhỏ hơn hoặc bằng",
            "exclusiveMaximum": "nhỏ hơn",
        }[kind]
        return [at(f"{about} phải {relation} {_number(error.validator_value)}; đang là {shown(value)}")]
    if kind == "enum":
        choices = ", ".join("để trống (null)" if c is None else str(c) for c in error.validator_value)
        return [at(f"{about} phải là một trong các giá trị: {choices}; đang là {shown(value)}")]
    if kind == "const":
        return [at(f"{about} phải là {shown(error.validator_value)}; đang là {shown(value)}")]
    if kind == "format" and error.validator_value == "date":
        return [at(f"{about} phải là một ngày dạng YYYY-MM-DD (ví dụ 2024-10-15); đang là {shown(value)}")]
    if kind == "pattern":
        return [at(f"{about} không đúng định dạng: {shown(value)}")]
    if kind == "minLength":
        return [at(f"{about} không được để trống")]
    if kind == "maxLength":
        return [at(f"{about} quá dài (tối đa {error.validator_value} ký tự)")]
    if kind == "minItems":
        return [at(f"{_list_about(path, titles)} cần ít nhất {error.validator_value} mục")]
    if kind == "maxItems":
        return [at(f"{_list_about(path, titles)} có nhiều nhất {error.validator_value} mục")]
    if kind == "uniqueItems":
        return [at(f"{_list_about(path, titles)} có mục bị lặp lại")]
    if kind == "minProperties":
        return [at(f"{about} cần ít nhất {error.validator_value} mục")]
    return [at(f"{about} không hợp lệ ({error.message})")]


def _matches_pattern(key: str, schema: dict) -> bool:
    return any(re.search(p, str(key)) for p in schema.get("patternProperties", {}))


def _list_about(path: tuple[Any, ...], titles: Mapping[str, str]) -> str:
    criterion, part = subject(path, titles)
    return f"{criterion}: {part}" if criterion else f"danh sách '{field_name(path)}'"


def _ratio_message(path: tuple[Any, ...], titles: Mapping[str, str], schema: Any, found: str) -> str:
    """A ratio answered wrongly: both numbers it needs, named as the criterion names them."""
    criterion, _ = subject(path, titles)
    parts = schema.get("properties", {}) if isinstance(schema, dict) else {}
    named = [f"{ANSWER_PARTS[k]} ({parts[k]['description']})" if parts.get(k, {}).get("description") else ANSWER_PARTS[k]
             for k in ("numerator", "denominator")]
    return f"{criterion or 'tỷ lệ'} cần hai số: {named[0]} và {named[1]}; {found}"


def _type_message(path: tuple[Any, ...], titles: Mapping[str, str], value: Any, expected: Any, schema: Any) -> str:
    about = _about(path, titles)
    types = [expected] if isinstance(expected, str) else list(expected)
    wanted = " hoặc ".join(TYPE_NAMES.get(t, t) for t in types)
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    if "object" in types and {"numerator", "denominator"} <= set(properties):
        return _ratio_message(path, titles, schema, f"đang là {shown(value)}")
    if isinstance(value, str) and _DECIMAL_COMMA.match(value) and {"number", "integer"} & set(types):
        fixed = value.strip().replace(",", ".")
        return f"{about} phải là một số; trong tệp YAML số thập phân viết bằng dấu chấm: ghi {fixed} thay cho \"{value}\""
    if isinstance(value, str) and _NUMBER_TEXT.match(value) and {"number", "integer"} & set(types):
        return f"{about} phải là một số, không đặt trong dấu nháy: ghi {value.strip()} thay cho \"{value}\""
    if isinstance(value, Decimal) and "integer" in types:
        return f"{about} phải là một số nguyên (không có phần thập phân); đang là {value}"
    if isinstance(value, str) and value.strip().lower() in ("có", "co", "yes", "không", "khong", "no") and "boolean" in types:
        return f"{about} phải là true (có) hoặc false (không), viết không dấu nháy; đang là {shown(value)}"
    if "object" in types and properties:
        return f"{about} phải gồm các trường {', '.join(properties)}; đang là {shown(value)}"
    return f"{about} phải là {wanted}; đang là {shown(value)}"


def _number(value: Any) -> str:
    return str(value)
