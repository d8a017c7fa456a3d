"""`cqdt fmt`: one canonical layout for submission files, comments kept.

Canonical means: the schema hint on the first line; keys in the order unit,
year, answers; answers in catalogue order; each answer as value, evidence,
note; ratios as `{numerator: n, denominator: d}`; evidence as a block list
(`[]` when empty); strings plain when that is unambiguous, `''` when empty and
double-quoted otherwise; numbers written plainly (2.50 → 2.5, keeping a decimal
point on decimals so that 3.0 stays a decimal). The browser form writes the
same layout (theme/static/js/form-yaml.js), so its files need no formatting.

Entries are moved as blocks of lines, each with the comment lines just above
it, so a comment stays with the criterion it describes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)

from ..core.model import CriteriaSet
from ..core.problems import InputError, Problem
from ..reading.paths import SUBMISSION_RE, DataRoot
from ..reading.yaml import decode, parse, read_bytes
from .scaffold import schema_comment

TOP_ORDER = ("unit", "year", "answers")
ANSWER_ORDER = ("value", "evidence", "note")
RATIO_ORDER = ("numerator", "denominator")
# Plain only when no YAML reader could take the text for anything but that string.
_PLAIN_FIRST = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`+.0-9<=]")
_NOT_PLAIN_WORDS = {"true", "false", "null", "~", "yes", "no", "on", "off", "y", "n"}


def plain_safe(text: str) -> bool:
    """Whether a string is written without quotes (mirrored by form-yaml.js)."""
    if not text or text != text.strip() or not _PLAIN_FIRST.match(text[0]):
        return False
    if text.lower() in _NOT_PLAIN_WORDS or text.endswith(":") or ": " in text or " #" in text:
        return False
    return all((0x20 <= ord(ch) <= 0x7E or 0xA1 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD)
               and ch not in "\u2028\u2029\ufeff" for ch in text)


def decimal_text(value: Decimal) -> str:
    """2.50 → 2.5, 3.0 → 3.0, 1E+3 → 1000.0: exact, plain, always with a decimal point."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


class _Constructor(RoundTripConstructor):
    """Round-trip constructor reading floats as exact Decimals (their text is kept exactly)."""


def _construct_decimal(constructor: RoundTripConstructor, node: Any) -> Any:
    text = str(constructor.construct_scalar(node)).replace("_", "")
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return RoundTripConstructor.construct_yaml_float(constructor, node)
    return Decimal(text)


_Constructor.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class _Representer(RoundTripRepresenter):
    """Round-trip representer writing Decimals in canonical form."""


_Representer.add_representer(
    Decimal, lambda r, value: r.represent_scalar("tag:yaml.org,2002:float", decimal_text(value)))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.width = 1 << 30
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    return yaml


def _load(text: str, display: str) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise InputError([Problem(display, line, 1, "cú pháp YAML không hợp lệ; hãy sửa lỗi (cqdt validate) trước khi định dạng")]) from err


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _reorder_lines(lines: list[str], mapping: CommentedMap, start: int, end: int,
                   rank: Callable[[Any], int], keep_head: bool) -> list[str] | None:
    """Sort the entries of a block mapping found in lines[start:end], each with its comments.

    Returns None when the entries are already in order (or the mapping is a flow one).
    """
    keys = list(mapping)
    if not keys or mapping.fa.flow_style() or keys == sorted(keys, key=rank):
        return None
    key_lines = [mapping.lc.key(k)[0] for k in keys]
    starts = []
    for index, key_line in enumerate(key_lines):
        floor = start if index == 0 else key_lines[index - 1] + 1
        first = key_line
        if index > 0 or not keep_head:
            while first > floor and _is_comment(lines[first - 1]):
                first -= 1
        starts.append(first)
    blocks = [(rank(k), i, lines[starts[i]:(starts[i + 1] if i + 1 < len(keys) else end)]) for i, k in enumerate(keys)]
    ordered = sorted(blocks, key=lambda b: (b[0], b[1]))
    return lines[:starts[0]] + [line for _, _, block in ordered for line in block] + lines[end:]


def _ranker(order: tuple[str, ...] | list[str]) -> Callable[[Any], int]:
    position = {key: i for i, key in enumerate(order)}
    return lambda key: position.get(str(key), len(position))


def _mapping_end(lines: list[str], parent: CommentedMap, key: Any, default: int) -> int:
    """Line just after the value of parent[key]: where the next key's block starts."""
    keys = list(parent)
    index = keys.index(key)
    if index + 1 == len(keys):
        return default
    end = parent.lc.key(keys[index + 1])[0]
    while end > 0 and _is_comment(lines[end - 1]):
        end -= 1
    return end


def _reorder_text(text: str, criteria_ids: list[str], display: str) -> tuple[str, CommentedMap | None]:
    """Text with entries in canonical order, and its loaded document when no later move made it stale."""
    lines = text.splitlines(keepends=True)
    doc = _load(text, display)
    if not isinstance(doc, CommentedMap):
        raise InputError([Problem(display, 1, 1, "tệp bài nộp phải là một nhóm trường (unit, year, answers)")])
    moved = _reorder_lines(lines, doc, 0, len(lines), _ranker(TOP_ORDER), keep_head=True)
    if moved is not None:
        lines = moved
        doc = _load("".join(lines), display)
    answers = doc.get("answers")
    if not isinstance(answers, CommentedMap) or answers.fa.flow_style():
        return "".join(lines), doc
    start = doc.lc.key("answers")[0] + 1
    moved = _reorder_lines(lines, answers, start, _mapping_end(lines, doc, "answers", len(lines)),
                           _ranker(criteria_ids), keep_head=False)
    if moved is not None:
        lines = moved
        doc = _load("".join(lines), display)
        answers = doc["answers"]
    outer_end = _mapping_end(lines, doc, "answers", len(lines))
    stale = False
    # Last entry first: moving lines inside one entry leaves the earlier entries' lines in place.
    for cid in reversed(list(answers)):
        entry = answers[cid]
        if isinstance(entry, CommentedMap):
            entry_start = answers.lc.key(cid)[0] + 1
            entry_end = _mapping_end(lines, answers, cid, outer_end)
            moved = _reorder_lines(lines, entry, entry_start, entry_end, _ranker(ANSWER_ORDER), keep_head=False)
            if moved is not None:
                lines, stale = moved, True
    return "".join(lines), None if stale else doc


def _sort_map(mapping: CommentedMap, order: tuple[str, ...] | list[str]) -> None:
    """Reorder a mapping's keys in place (used for flow mappings, which hold no comment lines)."""
    rank = _ranker(order)
    keys = sorted(mapping, key=lambda k: rank(k))
    if keys == list(mapping):
        return
    saved = [(k, mapping[k], mapping.ca.items.get(k)) for k in keys]
    for key, _, _ in saved:
        del mapping[key]
    for key, value, comment in saved:
        mapping[key] = value
        if comment is not None:
            mapping.ca.items[key] = comment


def _scalar(value: Any) -> Any:
    """Canonical scalar: plain ints and bools, exact Decimals, strings in the chosen style."""
    if isinstance(value, ScalarBoolean):
        return bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        text = str(value)
        if not text:
            return SingleQuotedScalarString("")
        return PlainScalarString(text) if plain_safe(text) else DoubleQuotedScalarString(text)
    return value


def _normalise(doc: CommentedMap, criteria_ids: list[str]) -> None:
    if doc.fa.flow_style():
        doc.fa.set_block_style()
    _sort_map(doc, TOP_ORDER)
    for key in ("unit", "year"):
        if key in doc:
            doc[key] = _scalar(doc[key])
    answers = doc.get("answers")
    if not isinstance(answers, CommentedMap):
        return
    answers.fa.set_block_style()
    _sort_map(answers, criteria_ids)
    for entry in answers.values():
        if not isinstance(entry, CommentedMap):
            continue
        entry.fa.set_block_style()
        _sort_map(entry, ANSWER_ORDER)
        value = entry.get("value")
        if isinstance(value, CommentedMap):
            value.fa.set_flow_style()
            _sort_map(value, RATIO_ORDER)
            for part in list(value):
                value[part] = _scalar(value[part])
        elif "value" in entry:
            entry["value"] = _scalar(value)
        evidence = entry.get("evidence")
        if isinstance(evidence, CommentedSeq):
            if evidence:
                evidence.fa.set_block_style()
            else:
                evidence.fa.set_flow_style()
            for index, item in enumerate(evidence):
                evidence[index] = _scalar(item)
        if "note" in entry:
            entry["note"] = _scalar(entry["note"])


def _with_schema_line(text: str, hint: str) -> str:
    lines = text.split("\n")
    if lines and lines[0].startswith("# yaml-language-server:"):
        lines[0] = f"# {hint}"
        return "\n".join(lines)
    return f"# {hint}\n{text}"


def dump_text(doc: Any) -> str:
    """Dump a round-trip document (Decimals allowed) with the canonical emitter settings."""
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    return buffer.getvalue()


def canonical_text(text: str, criteria_set: CriteriaSet, tier: str, display: str = "<bài nộp>") -> str:
    """The canonical layout of a submission's text; raises InputError if it cannot be read."""
    criteria_ids = [c.id for c in criteria_set.tiers[tier].criteria]
    reordered, doc = _reorder_text(text, criteria_ids, display)
    if doc is None:
        doc = _load(reordered, display)
    _normalise(doc, criteria_ids)
    return _with_schema_line(dump_text(doc), schema_comment(criteria_set.id, tier)).rstrip("\n") + "\n"


def _year_criteria(root: DataRoot, year: int) -> CriteriaSet:
    from ..reading.catalogue import load_criteria_set
    from ..reading.cycle import load_cycle

    return load_criteria_set(root, load_cycle(root, year).criteria_set)


def _criteria_of(root: DataRoot, path: Path, known: dict[int, CriteriaSet]) -> tuple[CriteriaSet, str, str]:
    display = root.relative(path)
    match = SUBMISSION_RE.match(display)
    if match is None or match["review"]:
        raise InputError([Problem(display, 1, 1, "chỉ định dạng tệp bài nộp submissions/<năm>/<cấp>/<mã đơn vị>.yaml")])
    year = int(match["year"])
    if year not in known:
        known[year] = _year_criteria(root, year)
    criteria_set = known[year]
    if match["tier"] not in criteria_set.tiers:
        raise InputError([Problem(display, 1, 1, f"thư mục cấp '{match['tier']}' không hợp lệ")])
    return criteria_set, match["tier"], display


def formatted(root: DataRoot, path: Path, known: dict[int, CriteriaSet] | None = None) -> tuple[str, str]:
    """(current text, canonical text) of a submission file; InputError if unreadable. `known`:
    the criteria sets of the years read so far (a run over many files reads each once)."""
    criteria_set, tier, display = _criteria_of(root, path, {} if known is None else known)
    raw = read_bytes(path, display)
    text = decode(raw, display)
    parse(text, display)  # the bounded reader first: the round-trip loader sees only what it accepts
    return raw.decode("utf-8", errors="replace"), canonical_text(text, criteria_set, tier, display)


def needs_formatting(root: DataRoot, path: Path) -> bool:
    """True when `cqdt fmt` would change a readable submission file (False if unreadable)."""
    try:
        current, canonical = formatted(root, path)
    except InputError:
        return False
    return current != canonical
