"""One input file read, parsed and checked against its JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported only when a file is checked: warm runs need none of it
    from jsonschema import Draft202012Validator

from ..core.problems import InputError, Problem
from .messages import schema_problems
from .yaml import SUBMITTED, Limits, Positions, decode, parse, read_text


@dataclass
class Document:
    """A parsed YAML file with its text, for positions in messages."""

    path: Path
    display: str
    text: str
    data: Any
    problems: list[Problem] = field(default_factory=list)
    _positions: Positions | None = None

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = Positions(self.text)
        return self._positions

    def problem(self, where: tuple[Any, ...], message: str) -> Problem:
        """A problem located at a place in the document."""
        line, col = self.positions.locate(where)
        return Problem(self.display, line, col, message)

    def add(self, where: tuple[Any, ...], message: str) -> None:
        self.problems.append(self.problem(where, message))


def read_document(
    path: Path, display: str, validator: Draft202012Validator | None, raw: bytes | None = None,
    limits: Limits = SUBMITTED,
) -> Document:
    """Read a file (or its already-read bytes) and check it against a schema.

    Unreadable YAML raises InputError; schema problems are kept on the document.
    """
    text = decode(raw, display, limits) if raw is not None else read_text(path, display, limits)
    data = parse(text, display, limits)
    doc = Document(path, display, text, data)
    if validator is not None:
        errors = list(validator.iter_errors(data))
        if errors:
            doc.problems.extend(schema_problems(errors, doc.positions, display))
    return doc


def try_read(
    path: Path, display: str, validator: Draft202012Validator | None, raw: bytes | None = None,
    limits: Limits = SUBMITTED,
) -> tuple[Document | None, list[Problem]]:
    """Like read_document, but returns unreadable files as problems."""
    try:
        doc = read_document(path, display, validator, raw, limits)
    except InputError as err:
        return None, err.problems
    return doc, doc.problems
