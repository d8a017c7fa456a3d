"""JSON Schema errors turned into Vietnamese messages a commune clerk can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
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

_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_NUMBER_TEXT = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


def field_name(path: Iterable[Any]) -> str:
    """Dotted name of a place in a document: answers.ht1.value."""
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "(gốc tệp)"


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
    known_keys: dict[str, list[str]] | None = None,
) -> list[Problem]:
    """Translate schema errors into located problems, one per error, in file order."""
    problems = []
    for error in errors:
        problems.extend(_translate(error, positions, display, known_keys or {}))
    return sorted(set(problems))


def _translate(error: ValidationError, positions: Positions, display: str, known: dict) -> list[Problem]:
    path = tuple(error.absolute_path)
    name = field_name(path)
    value = error.instance
    kind = error.validator

    def at(message: str, key_of: tuple | None = None, key: str | None = None) -> Problem:
        line, col = positions.locate_key(key_of, key) if key is not None else positions.locate(path)
        return Problem(display, line, col, message)

    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        what = "câu trả lời cho tiêu chí" if path and path[-1] == "answers" else "trường bắt buộc"
        return [at(f"thiếu {what} '{k}' trong '{name}'" if path else f"thiếu {what} '{k}'") for k in missing]
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extras = [k for k in value if k not in allowed and not _matches_pattern(k, error.schema)]
        out = []
        for key in extras:
            hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            guess = f"; có phải là '{hint[0]}'?" if hint else ""
            if path and path[-1] == "answers":
                msg = f"không có tiêu chí '{key}' trong bộ tiêu chí của cấp này{guess}"
            else:
                where = f" trong '{name}'" if path else ""
                msg = f"trường '{key}'{where} không có trong mẫu{guess}"
            out.append(at(msg, path, str(key)))
        return out
    if kind == "type":
        return [at(_type_message(name, value, error.validator_value))]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        relation = {
            "minimum": "lớn hơn hoặc bằng",
            "exclusiveMinimum": "lớn hơn",
            "maximum": "nhỏ hơn hoặc bằng",
            "exclusiveMaximum": "nhỏ hơn",
        }[kind]
        return [at(f"trường '{name}' phải {relation} {_number(error.validator_value)}, nhưng đang là {shown(value)}")]
    if kind == "enum":
        choices = ", ".join("để trống (null)" if c is None else str(c) for c in error.validator_value)
        return [at(f"trường '{name}' phải là một trong các giá trị: {choices}; đang là {shown(value)}")]
    if kind == "const":
        return [at(f"trường '{name}' phải là {shown(error.validator_value)}; đang là {shown(value)}")]
    if kind == "format" and error.validator_value == "date":
        return [at(f"trường '{name}' phải là một ngày dạng YYYY-MM-DD (ví dụ 2024-10-15); đang là {shown(value)}")]
    if kind == "pattern":
        return [at(f"trường '{name}' không đúng định dạng: {shown(value)}")]
    if kind == "minLength":
        return [at(f"trường '{name}' không được để trống")]
    if kind == "maxLength":
        return [at(f"trường '{name}' quá dài (tối đa {error.validator_value} ký tự)")]
    if kind == "minItems":
        return [at(f"danh sách '{name}' cần ít nhất {error.validator_value} mục")]
    if kind == "maxItems":
        return [at(f"danh sách '{name}' có nhiều nhất {error.validator_value} mục")]
    if kind == "uniqueItems":
        return [at(f"danh sách '{name}' có mục bị lặp lại")]
    if kind == "minProperties":
        return [at(f"trường '{name}' cần ít nhất {error.validator_value} mục")]
    return [at(f"trường '{name}' không hợp lệ ({error.message})")]


def _matches_pattern(key: str, schema: dict) -> bool:
    return any(re.search(p, str(key)) for p in schema.get("patternProperties", {}))


def _type_message(name: str, value: Any, expected: Any) -> str:
    types = [expected] if isinstance(expected, str) else list(expected)
    wanted = " hoặc ".join(TYPE_NAMES.get(t, t) for t in types)
    if isinstance(value, str) and _DECIMAL_COMMA.match(value) and {"number", "integer"} & set(types):
        fixed = value.strip().replace(",", ".")
        return f"trường '{name}' phải là một số; số thập phân viết bằng dấu chấm, không dùng dấu phẩy: ghi {fixed} thay cho \"{value}\""
    if isinstance(value, str) and _NUMBER_TEXT.match(value) and {"number", "integer"} & set(types):
        return f"trường '{name}' phải là một số, không đặt trong dấu nháy: ghi {value.strip()} thay cho \"{value}\""
    if isinstance(value, Decimal) and "integer" in types:
        return f"trường '{name}' phải là một số nguyên (không có phần thập phân); đang là {value}"
    if isinstance(value, str) and value.strip().lower() in ("có", "co", "yes", "không", "khong", "no") and "boolean" in types:
        return f"trường '{name}' phải là true (có) hoặc false (không), viết không dấu nháy; đang là {shown(value)}"
    return f"trường '{name}' phải là {wanted}, nhưng đang là {shown(value)}"


def _number(value: Any) -> str:
    return str(value)
