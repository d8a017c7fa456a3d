"""Plain YAML documents straight from libyaml's events: the common case, fast.

ruamel.yaml's safe loader spends most of its time in Python composing nodes and
resolving each scalar's tag. Submissions are plain documents (mappings, lists
and scalars), so this module builds their data directly from the C parser's
events, resolving plain scalars with ruamel.yaml's own YAML 1.2 rules. Anything
else (anchors, aliases, tags, merge keys, duplicate keys, directives, special
numbers, deep nesting, a syntax error) raises NotSimple, and the caller reads
the text with ruamel.yaml's loader, which has the last word and the messages.
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

try:
    from _ruamel_yaml import CParser
except ImportError:  # ruamel.yaml.clib missing: everything goes through ruamel.yaml's loader
    CParser = None

YAML_12 = (1, 2)
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class NotSimple(Exception):
    """The text needs ruamel.yaml's full loader."""


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
    if value.lower().lstrip("+-") in (".inf", ".nan"):
        raise NotSimple  # refused with a message by the full loader
    try:
        return Decimal(value.replace("_", ""))
    except InvalidOperation as err:
        raise NotSimple from err


def _int(value: str) -> int:
    if not _SIMPLE_INT.match(value):
        raise NotSimple  # 0x, 0o, 0b, underscores: the full loader's rules
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
        return value
    for tag, regexp in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            convert = _CONVERT.get(tag)
            if convert is None:
                raise NotSimple  # merge key, value or yaml tags
            return convert(value)
    return value


def _node(get: Callable[[], Any], event: Any, depth: int, max_depth: int) -> Any:
    """The container that event starts (scalars inside are read in place: most nodes are scalars)."""
    kind = type(event)
    if kind not in (MappingStartEvent, SequenceStartEvent) or event.anchor is not None \
            or event.tag not in (None, "!") or depth >= max_depth:
        raise NotSimple  # an alias, an anchor, a tag, or too deep
    if kind is SequenceStartEvent:
        items = []
        while (kind := type(event := get())) is not SequenceEndEvent:
            items.append(_scalar(event) if kind is ScalarEvent else _node(get, event, depth + 1, max_depth))
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
        mapping[text] = _scalar(event) if type(event) is ScalarEvent else _node(get, event, depth + 1, max_depth)
    return mapping


def parse_plain(text: str, max_depth: int) -> Any:
    """The document's data as the full loader would give it; NotSimple when unsure."""
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
        data = _scalar(event) if type(event) is ScalarEvent else _node(get, event, 0, max_depth)
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise NotSimple  # more than one document
    except YAMLError as err:
        raise NotSimple from err
    return data
