"""Plain YAML documents straight from libyaml's events: the common case, fast.

ruamel.yaml's safe loader spends most of its time in Python composing nodes and
resolving each scalar's tag. Submissions are plain documents (mappings, lists
and scalars), so this module builds their data directly from the C parser's
events, resolving plain scalars with ruamel.yaml's own YAML 1.2 rules. Anything
else (anchors, aliases, tags, merge keys, duplicate keys, directives, special
numbers, a syntax error, a scalar the rules of `scalars` refuse) raises NotSimple,
and the caller reads the text with ruamel.yaml's loader, which has the last word
and the messages. Nesting deeper than the limit, or more nodes than allowed,
raises OverLimit at the event where it happens: nothing after it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.resolver import implicit_resolvers

from .scalars import CONTROL_IN_VALUE, MAX_NUMBER_CHARS, decimal_problem

try:
    from _ruamel_yaml import CParser
except ImportError:  # ruamel.yaml.clib missing: everything goes through ruamel.yaml's loader
    CParser = None

YAML_12 = (1, 2)
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_SIMPLE_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?\Z")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class NotSimple(Exception):
    """The text needs ruamel.yaml's full loader."""


class OverLimit(Exception):
    """The document nests deeper ("depth") or holds more nodes ("entries") than allowed."""

    def __init__(self, what: str, mark: Any):
        super().__init__(what)
        self.what = what
        self.line = mark.line + 1
        self.col = mark.column + 1


def _resolvers() -> dict[str | None, list[tuple[str, re.Pattern]]]:
    """ruamel.yaml's YAML 1.2 implicit resolvers by first character, in its order."""
    table: dict[str | None, list[tuple[str, re.Pattern]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if YAML_12 in versions:
            for char in first or [None]:
                table.setdefault(char, []).append((tag, regexp))
    return table


_RESOLVERS = _resolvers()


def _float(value: str) -> Decimal:
    if len(value) > MAX_NUMBER_CHARS or not _SIMPLE_FLOAT.match(value):
        raise NotSimple  # .inf, .nan, too long: the full loader's rules and messages
    try:
        number = Decimal(value.replace("_", ""))
    except InvalidOperation as err:  # pragma: no cover - the pattern admits decimals only
        raise NotSimple from err
    if decimal_problem(number, value) is not None:
        raise NotSimple
    return number


def _int(value: str) -> int:
    if len(value) > MAX_NUMBER_CHARS or not _SIMPLE_INT.match(value):
        raise NotSimple  # 0x, 0o, 0b, underscores, too long: the full loader's rules
    return int(value)


def _timestamp(value: str) -> str:
    if not _ISO_DATE.match(value):
        raise NotSimple
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as err:
        raise NotSimple from err


_CONVERT: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:bool": lambda value: value.lower() == "true",
    "tag:yaml.org,2002:null": lambda value: None,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:timestamp": _timestamp,
}


def _scalar(event: ScalarEvent) -> Any:
    if event.anchor is not None or event.tag not in (None, "!"):
        raise NotSimple
    value = event.value
    if not event.implicit[0]:  # quoted, or a non-specific tag: a string
        if event.style == '"' and CONTROL_IN_VALUE.search(value):
            raise NotSimple  # an escape made a control character: the loader refuses it
        return value
    for tag, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            convert = _CONVERT.get(tag)
            if convert is None:
                raise NotSimple  # merge key, value or yaml tags
            return convert(value)
    return value


class _Walk:
    """The event stream being read, and how many nodes the limits still allow."""

    def __init__(self, get: Callable[[], Any], max_depth: int, max_entries: int):
        self.get = get
        self.max_depth = max_depth
        self.entries_left = max_entries

    def spend(self, count: int, event: Any) -> None:
        """Count a container's children (keys and values, or items) when it closes."""
        self.entries_left -= count
        if self.entries_left < 0:
            raise OverLimit("entries", event.start_mark)


def _node(walk: _Walk, event: Any, depth: int) -> Any:
    """The container that event starts (scalars inside are read in place: most nodes are scalars)."""
    kind = type(event)
    if depth >= walk.max_depth and kind in (MappingStartEvent, SequenceStartEvent):
        raise OverLimit("depth", event.start_mark)
    if kind not in (MappingStartEvent, SequenceStartEvent) or event.anchor is not None \
            or event.tag not in (None, "!"):
        raise NotSimple  # an alias, an anchor or a tag
    get = walk.get
    if kind is SequenceStartEvent:
        items = []
        while (kind := type(event := get())) is not SequenceEndEvent:
            items.append(_scalar(event) if kind is ScalarEvent else _node(walk, event, depth + 1))
        walk.spend(len(items), event)
        return items
    mapping: dict[str, Any] = {}
    keys: set[Any] = set()
    while (kind := type(event := get())) is not MappingEndEvent:
        if kind is not ScalarEvent:
            raise NotSimple
        key = _scalar(event)
        text = key if type(key) is str else str(key)
        if key in keys or text in mapping:
            raise NotSimple  # a duplicate key: the full loader names it
        keys.add(key)
        event = get()
        mapping[text] = _scalar(event) if type(event) is ScalarEvent else _node(walk, event, depth + 1)
    walk.spend(2 * len(mapping), event)
    return mapping


def parse_plain(text: str, max_depth: int, max_entries: int) -> Any:
    """The document's data as the full loader would give it; NotSimple when unsure; OverLimit
    (from the event where it happens) when it nests deeper or holds more nodes than allowed."""
    if CParser is None:
        raise NotSimple
    try:
        get = CParser(text).get_event
        get()  # stream start
        event = get()
        if type(event) is StreamEndEvent:
            return None
        if type(event) is not DocumentStartEvent or event.version is not None or event.tags:
            raise NotSimple
        event = get()
        data = _scalar(event) if type(event) is ScalarEvent else _node(_Walk(get, max_depth, max_entries), event, 0)
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise NotSimple  # more than one document
    except YAMLError as err:
        raise NotSimple from err
    return data
