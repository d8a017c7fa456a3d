"""Safe, bounded YAML reading with exact decimals and positions for messages.

Every file goes through the same four gates, each before the step it protects:
1. bytes: at most `Limits.max_bytes` are read, and they must be UTF-8;
2. characters: the text holds only what YAML allows (no NUL, no control characters);
3. events: nesting depth, entries (mapping keys and list items) and aliases are counted
   on the parser's event stream, which holds at most a line (1,024 characters) ahead of
   the event it gives and stops at the first event over a limit: no composer ever builds
   a document deeper or larger than the limits (ruamel.yaml's C composer recurses once
   per level and crashes the process on a deep enough one);
4. scalars: a number is refused before int() or Decimal() sees its text when it is too
   long, a date when it is no real day, a string when an escape put a control character
   in it.
Whatever a loader still raises becomes a located message: nothing escapes as a traceback.

Plain documents are built straight from libyaml's events (fastyaml), counting as they go;
others are counted first, then read by ruamel.yaml's safe loader; the slower round-trip
loader runs only to find the line and column of a problem in a document that passed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..core.problems import InputError, Problem
from ..core.text import vn_number
from .fastyaml import NotSimple, OverLimit, parse_plain
from .scalars import decimal_problem, number_text_problem, string_problem

MAX_DEPTH = 32


@dataclass(frozen=True)
class Limits:
    """How much of one file cqdt reads; every limit holds before anything is built from it."""

    max_bytes: int
    max_entries: int  # mapping keys and list items, the whole file
    max_depth: int = MAX_DEPTH
    max_aliases: int = 100


# A submission or review record (anyone can send one): far above any real one, far below harm.
SUBMITTED = Limits(max_bytes=1024 * 1024, max_entries=10_000)
# The registry and criteria of a whole country, changed by admins only.
ADMIN = Limits(max_bytes=64 * 1024 * 1024, max_entries=4_000_000)

# Characters outside YAML's printable set (YAML 1.2, 5.1): what no parser is given.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
class _BoundedSafeConstructor(SafeConstructor):
    """Safe constructor that reads floats as exact Decimals and refuses, at the node, numbers
    too long or too large, impossible dates and control characters."""

    def construct_yaml_float(self, node: Any) -> Decimal:
        text = str(self.construct_scalar(node))
        refusal = number_text_problem(text)
        if refusal is None:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                value = Decimal("NaN") if "nan" in text.lower() else Decimal("Infinity")
            refusal = decimal_problem(value, text)
        if refusal is not None:
            raise ConstructorError(None, None, refusal, node.start_mark)
        return value

    def construct_yaml_int(self, node: Any) -> int:
        refusal = number_text_problem(str(self.construct_scalar(node)))
        if refusal is not None:
            raise ConstructorError(None, None, refusal, node.start_mark)
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError) as err:
            text = str(self.construct_scalar(node))
            raise ConstructorError(
                None, None, f"ngày '{text[:40]}' không có thật; hãy ghi một ngày dạng YYYY-MM-DD", node.start_mark
            ) from err

    def construct_yaml_str(self, node: Any) -> Any:
        value = super().construct_yaml_str(node)
        refusal = string_problem(value) if isinstance(value, str) else None
        if refusal is not None:
            raise ConstructorError(None, None, refusal, node.start_mark)
        return value


for _tag, _method in (("float", "construct_yaml_float"), ("int", "construct_yaml_int"),
                      ("timestamp", "construct_yaml_timestamp"), ("str", "construct_yaml_str")):
    _BoundedSafeConstructor.add_constructor(f"tag:yaml.org,2002:{_tag}", getattr(_BoundedSafeConstructor, _method))


@cache
def _safe_yaml(pure: bool = False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    yaml.Constructor = _BoundedSafeConstructor
    return yaml


def read_bytes(path: Path, display: str, limits: Limits = SUBMITTED) -> bytes:
    """A file's bytes; a file larger than the limit is refused unread."""
    try:
        with path.open("rb") as handle:
            _check_size(os.fstat(handle.fileno()).st_size, display, limits)
            raw = handle.read(limits.max_bytes + 1)  # a file that grew since: still no more
    except (OSError, ValueError) as err:  # ValueError: a name with a NUL byte
        reason = getattr(err, "strerror", None) or "tên tệp không hợp lệ"
        raise InputError([Problem(display, 1, 1, f"không đọc được tệp: {reason}")]) from err
    _check_size(len(raw), display, limits)
    return raw


def read_text(path: Path, display: str, limits: Limits = SUBMITTED) -> str:
    """Read a UTF-8 file (a BOM and CRLF line ends are accepted)."""
    return decode(read_bytes(path, display, limits), display, limits)


def _check_size(size: int, display: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        shown = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        limit = f"{limits.max_bytes / 1024 / 1024:g}".replace(".", ",")
        raise InputError([Problem(display, 1, 1, f"tệp quá lớn ({shown} MB); giới hạn là {limit} MB")])


def decode(raw: bytes, display: str, limits: Limits = SUBMITTED) -> str:
    """Decode file bytes, refusing oversized and non-UTF-8 files."""
    _check_size(len(raw), display, limits)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            [Problem(display, line, 1, "tệp không phải UTF-8; hãy lưu tệp với bảng mã UTF-8")]
        ) from err
    return text.replace("\r\n", "\n")


def parse(text: str, display: str, limits: Limits = SUBMITTED) -> Any:
    """Parse YAML text into plain data: dict, list, str, int, Decimal, bool, None.

    Dates become ISO strings so that JSON Schema sees what a JSON file would hold. Anything
    unreadable or over a limit raises InputError.
    """
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise InputError([Problem(display, line, col, f"tệp có ký tự điều khiển U+{ord(bad.group()):04X}, "
                                                      "không được phép trong tệp YAML; hãy xóa ký tự này")])
    try:
        return parse_plain(text, limits.max_depth, limits.max_entries)
    except OverLimit as over:
        raise InputError([Problem(display, over.line, over.col, _over_message(over.what, limits))]) from over
    except NotSimple:
        pass  # anything unusual, and every error message, comes from ruamel.yaml's loader
    try:
        return _plain(_load_full(text, display, limits), text, display)
    except InputError:
        raise
    except MarkedYAMLError as err:
        # Not chained: the error's marks point into the reused parser's buffer, which the
        # next file replaces (printing it later would fail).
        raise InputError([_problem_from_yaml_error(err, text, display)]) from None
    except (YAMLError, ValueError, TypeError, ArithmeticError, RecursionError) as err:
        # No known input gets here; should one, it is still a message, not a traceback.
        raise InputError([Problem(display, 1, 1, f"không đọc được tệp YAML ({type(err).__name__})")]) from None


def _load_full(text: str, display: str, limits: Limits) -> Any:
    """The document read by ruamel.yaml's loader, once its events are within the limits."""
    try:
        _count_events(_safe_yaml(), text, display, limits)
        return _safe_yaml().load(text)
    except MarkedYAMLError:
        # The C parser follows YAML 1.1 and refuses a few YAML 1.2 forms people write,
        # such as [https://...] in a flow list; the pure-Python parser has the last word.
        _count_events(_safe_yaml(pure=True), text, display, limits)
        return _safe_yaml(pure=True).load(text)


def _count_events(yaml: YAML, text: str, display: str, limits: Limits) -> None:
    """Walk the event stream (no node is built) and refuse the first event over a limit."""
    events = yaml.parse(text)
    depth = entries = aliases = 0
    try:
        for event in events:
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
                continue
            if kind is not ScalarEvent and kind is not AliasEvent and kind is not MappingStartEvent \
                    and kind is not SequenceStartEvent:
                continue
            entries += 1
            if kind is AliasEvent:
                aliases += 1
            elif kind is not ScalarEvent:
                depth += 1
            what = ("depth" if depth > limits.max_depth else "entries" if entries > limits.max_entries
                    else "aliases" if aliases > limits.max_aliases else None)
            if what is not None:
                mark = event.start_mark
                raise InputError([Problem(display, mark.line + 1, mark.column + 1, _over_message(what, limits))])
    finally:
        events.close()  # the parser is reused: its clean-up must run now, not when collected


def _over_message(what: str, limits: Limits) -> str:
    if what == "depth":
        return f"dữ liệu lồng nhau quá sâu (quá {limits.max_depth} cấp)"
    if what == "entries":
        return f"tệp có quá nhiều tên trường và giá trị (quá {vn_number(limits.max_entries)})"
    return "không dùng neo và bí danh YAML (& và *); hãy ghi đầy đủ giá trị"


def load_file(path: Path, display: str | None = None, limits: Limits = SUBMITTED) -> tuple[str, Any]:
    """Read and parse one YAML file; returns its text and data."""
    display = display or str(path)
    text = read_text(path, display, limits)
    return text, parse(text, display, limits)


_DUPLICATE_KEY = re.compile(r'found duplicate key "(?P<key>[^"]*)"')
# Messages our constructor raises, already in Vietnamese.
_OWN_MESSAGE = re.compile(r"^(số |ngày |chuỗi |giá trị \.nan)")


def _problem_from_yaml_error(err: MarkedYAMLError, text: str, display: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    problem = str(err.problem or "")
    if "duplicate key" in problem:
        key = _DUPLICATE_KEY.search(problem)
        first = err.context_mark.line + 1 if err.context_mark else line
        name = key.group("key") if key else "?"
        return Problem(display, line, col, f"trường '{name[:60]}' bị lặp lại (đã khai báo trong khối bắt đầu ở dòng {first}); mỗi trường chỉ được ghi một lần")
    if isinstance(err, ConstructorError) and _OWN_MESSAGE.match(problem):
        return Problem(display, line, col, problem)
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
    "but found another document": "tệp chỉ được chứa một tài liệu YAML (bỏ dòng '---' thứ hai)",
    "expected a single document": "tệp chỉ được chứa một tài liệu YAML (bỏ dòng '---' thứ hai)",
}


def _explain(problem: str) -> str:
    for english, vietnamese in _EXPLANATIONS.items():
        if problem.startswith(english):
            return vietnamese
    return problem[:200] or "không đọc được"


def _plain(data: Any, text: str, display: str) -> Any:
    """Copy parsed data into JSON-like values, refusing shared containers.

    An alias makes two places share one container; refusing any shared
    container stops "billion laughs" expansion before anything walks it.
    """
    seen: set[int] = set()

    def walk(value: Any) -> Any:
        if isinstance(value, dict | list):
            if id(value) in seen:
                raise InputError([_alias_problem(text, display)])
            seen.add(id(value))
            if isinstance(value, dict):
                return {_key(k): walk(v) for k, v in value.items()}
            return [walk(v) for v in value]
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    return walk(data)


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
    """Line and column of every value of a YAML text, found on demand.

    Only made for a text parse() accepted, so the round-trip loader sees nothing over the limits.
    """

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
