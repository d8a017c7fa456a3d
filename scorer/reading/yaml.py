"""Safe YAML reading with limits, exact decimals and positions for messages.

Plain documents are built straight from libyaml's events (fastyaml); others go
through ruamel.yaml's C-backed safe loader; the slower round-trip loader runs
only to find the line and column of a problem.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError

from ..core.problems import InputError, Problem
from .fastyaml import NotSimple, parse_plain

MAX_BYTES = 1024 * 1024  # a submission or review: far above any real one, far below harm
MAX_ADMIN_BYTES = 64 * 1024 * 1024  # the registry and criteria of a whole country
MAX_DEPTH = 32


class _DecimalSafeConstructor(SafeConstructor):
    """Safe constructor that reads YAML floats as exact Decimals."""

    def construct_yaml_float(self, node: Any) -> Decimal:
        text = str(self.construct_scalar(node)).replace("_", "")
        if text.lower().lstrip("+-") in (".inf", ".nan"):
            raise ConstructorError(
                None, None, f"non-finite number {text}", node.start_mark
            )
        try:
            return Decimal(text)
        except InvalidOperation as err:  # pragma: no cover - resolver guards the form
            raise ConstructorError(None, None, f"bad number {text}", node.start_mark) from err


_DecimalSafeConstructor.add_constructor(
    "tag:yaml.org,2002:float", _DecimalSafeConstructor.construct_yaml_float
)


@cache
def _safe_yaml(pure: bool = False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Constructor = _DecimalSafeConstructor
    return yaml


def read_text(path: Path, display: str, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file (a BOM and CRLF line ends are accepted)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(display, 1, 1, f"không đọc được tệp: {err.strerror}")]) from err
    return decode(raw, display, max_bytes)


def decode(raw: bytes, display: str, max_bytes: int = MAX_BYTES) -> str:
    """Decode file bytes, refusing oversized and non-UTF-8 files."""
    if len(raw) > max_bytes:
        size = f"{len(raw) / 1024 / 1024:.1f}".replace(".", ",")
        limit = f"{max_bytes / 1024 / 1024:g}".replace(".", ",")
        raise InputError([Problem(display, 1, 1, f"tệp quá lớn ({size} MB); giới hạn là {limit} MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            [Problem(display, line, 1, "tệp không phải UTF-8; hãy lưu tệp với bảng mã UTF-8")]
        ) from err
    return text.replace("\r\n", "\n")


def parse(text: str, display: str) -> Any:
    """Parse YAML text into plain data: dict, list, str, int, Decimal, bool, None.

    Dates become ISO strings so that JSON Schema sees what a JSON file would hold.
    """
    try:
        return parse_plain(text, MAX_DEPTH)
    except NotSimple:
        pass  # anything unusual, and every error message, comes from ruamel.yaml's loader
    try:
        data = _safe_yaml().load(text)
    except MarkedYAMLError:
        # The C parser follows YAML 1.1 and refuses a few YAML 1.2 forms people write,
        # such as [https://...] in a flow list; the pure-Python parser has the last word.
        try:
            data = _safe_yaml(pure=True).load(text)
        except MarkedYAMLError as err:
            raise InputError([_problem_from_yaml_error(err, text, display)]) from err
    return _plain(data, text, display)


def load_file(path: Path, display: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[str, Any]:
    """Read and parse one YAML file; returns its text and data."""
    display = display or str(path)
    text = read_text(path, display, max_bytes)
    return text, parse(text, display)


_DUPLICATE_KEY = re.compile(r'found duplicate key "(?P<key>[^"]*)"')


def _problem_from_yaml_error(err: MarkedYAMLError, text: str, display: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    problem = str(err.problem or "")
    if "duplicate key" in problem:
        key = _DUPLICATE_KEY.search(problem)
        first = err.context_mark.line + 1 if err.context_mark else line
        name = key.group("key") if key else "?"
        return Problem(display, line, col, f"trường '{name}' bị lặp lại (đã khai báo trong khối bắt đầu ở dòng {first}); mỗi trường chỉ được ghi một lần")
    if "non-finite number" in problem:
        return Problem(display, line, col, "giá trị .nan/.inf không phải là một số hợp lệ; hãy ghi một số cụ thể")
    if isinstance(err, ConstructorError) and "tag" in problem:
        return Problem(display, line, col, "thẻ YAML (bắt đầu bằng !) không được phép; chỉ ghi dữ liệu thuần (chữ, số, true/false)")
    lines = text.split("\n")
    if mark and 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        return Problem(display, line, col, "tệp có ký tự tab; YAML chỉ cho phép thụt lề bằng dấu cách")
    return Problem(display, line, col, f"cú pháp YAML không hợp lệ: {_explain(problem)}")


_EXPLANATIONS = {
    "mapping values are not allowed here": "dấu ':' đặt không đúng chỗ (thiếu dấu cách sau ':' hoặc cần đặt giá trị trong dấu nháy kép)",
    "could not find expected ':'": "thiếu dấu ':' sau tên trường",
    "found character that cannot start any token": "có ký tự không được phép ở đầu giá trị (hãy đặt giá trị trong dấu nháy kép)",
    "found undefined alias": "dùng bí danh (*) chưa được định nghĩa",
    "expected <block end>, but found": "thụt lề không thẳng hàng",
    "did not find expected key": "thụt lề không thẳng hàng hoặc thiếu dấu '-'",
    "found unexpected end of stream": "tệp kết thúc giữa chừng (thiếu dấu nháy đóng?)",
    "expected ',' or ']'": "danh sách [...] chưa đóng: thiếu dấu ']' hoặc ','",
    "expected ',' or '}'": "nhóm {...} chưa đóng: thiếu dấu '}' hoặc ','",
}


def _explain(problem: str) -> str:
    for english, vietnamese in _EXPLANATIONS.items():
        if problem.startswith(english):
            return vietnamese
    return problem or "không đọc được"


def _plain(data: Any, text: str, display: str) -> Any:
    """Copy parsed data into JSON-like values, refusing aliases and deep nesting.

    An alias makes two places share one container; refusing any shared
    container stops "billion laughs" expansion before anything walks it.
    """
    seen: set[int] = set()

    def walk(value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise InputError([Problem(display, 1, 1, f"dữ liệu lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")])
        if isinstance(value, dict | list):
            if id(value) in seen:
                raise InputError([_alias_problem(text, display)])
            seen.add(id(value))
            if isinstance(value, dict):
                return {_key(k): walk(v, depth + 1) for k, v in value.items()}
            return [walk(v, depth + 1) for v in value]
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return value

    return walk(data, 0)


def _key(key: Any) -> Any:
    # Keys such as `2024:` or `1:` stay usable as written.
    return key if isinstance(key, str) else str(key)


def _alias_problem(text: str, display: str) -> Problem:
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.search(r"(^|[\s\[{,:-])\*[^\s,\]}]+", line)
        if match:
            return Problem(display, number, match.start() + 2, "không dùng neo và bí danh YAML (& và *); hãy ghi đầy đủ giá trị")
    return Problem(display, 1, 1, "không dùng neo và bí danh YAML (& và *); hãy ghi đầy đủ giá trị")


class Positions:
    """Line and column of every value of a YAML text, found on demand."""

    def __init__(self, text: str):
        self._text = text
        self._root: Any = None
        self._loaded = False

    def _load(self) -> Any:
        if not self._loaded:
            self._loaded = True
            try:
                self._root = YAML(typ="rt").load(self._text)
            except Exception:  # positions are a convenience; the data already parsed
                self._root = None
        return self._root

    def locate(self, path: tuple[Any, ...]) -> tuple[int, int]:
        """1-based (line, col) of the value at path, or of its nearest parent."""
        node = self._load()
        line, col = 1, 1
        for part in path:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(node, dict):
                    key = _find_key(node, part)
                    if key is None:
                        break
                    if lc is not None:
                        vline, vcol = lc.value(key)
                        kline, kcol = lc.key(key)
                        line, col = (kline + 1, kcol + 1) if isinstance(node[key], dict | list) or node[key] is None else (vline + 1, vcol + 1)
                    node = node[key]
                elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                    if lc is not None:
                        iline, icol = lc.item(part)
                        line, col = iline + 1, icol + 1
                    node = node[part]
                else:
                    break
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        return line, col

    def locate_key(self, path: tuple[Any, ...], key: str) -> tuple[int, int]:
        """1-based position of a key inside the mapping at path."""
        node = self._load()
        for part in path:
            try:
                node = node[_find_key(node, part) if isinstance(node, dict) else part]
            except (KeyError, IndexError, TypeError):
                return self.locate(path)
        if isinstance(node, dict) and getattr(node, "lc", None) is not None:
            real = _find_key(node, key)
            if real is not None:
                kline, kcol = node.lc.key(real)
                return kline + 1, kcol + 1
        return self.locate(path)


def _find_key(mapping: dict, part: Any) -> Any:
    if part in mapping:
        return part
    return next((k for k in mapping if str(k) == str(part)), None)
