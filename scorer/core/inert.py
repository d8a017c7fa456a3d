"""Untrusted text made inert for each place it is shown: Markdown, log lines, workflow
commands, spreadsheet cells.

Whatever a submitter wrote (answers, evidence, notes, reasons, file names, logins) and
every message quoting it goes through one of these functions on its way out:
- md(): the job summary. GitHub renders Markdown with links, images, HTML, @mentions and
  autolinked URLs live; inside a code span none of them is, so untrusted text is always one
  code span, on one line, safe in a table cell.
- log_line(), annotation(): the runner reads any output line starting with "::" (after
  spaces) and any "##[" in a line as a workflow command (actions/runner,
  ActionCommand.TryParseV2 and TryParse); %, CR and LF are escaped as its commands expect,
  so one message is one line, and neither marker survives.
- json_text(): a JSON report printed where the runner reads it: "##[" written as "\u0023#[",
  which every JSON reader decodes to the same text.
- csv_cell(): a text cell that a spreadsheet would read as a formula (OWASP, CSV injection)
  starts with an apostrophe.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Characters that would hide or reorder text (controls, bidirectional overrides, zero widths),
# and lone surrogates (a file name that is not UTF-8, as git gives it), which no output can encode.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
_BACKTICKS = re.compile("`+")


def _named(found: re.Match) -> str:
    return f"⟨U+{ord(found.group()):04X}⟩"


def _visible(text: str) -> str:
    """Line breaks as ↵ and invisible characters as ⟨U+XXXX⟩: all on one line, all seen."""
    return _INVISIBLE.sub(_named, _LINE_BREAK.sub(" ↵ ", text))


def md(text: object) -> str:
    """Text a submitter may have written, as one Markdown code span that renders it literally.

    The fence is one backtick longer than any run inside; `|` is escaped as GitHub's tables
    require (in a table cell it shows as `|`). Empty text gives an empty string.
    """
    body = _visible(str(text)).replace("|", "\\|")
    if not body:
        return ""
    fence = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(body)), default=0))
    if body.strip(" ") and (body[0] in "` " or body[-1] in "` "):
        body = f" {body} "  # CommonMark takes one space off each end of such a span
    return f"{fence}{body}{fence}"


def _escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _SURROGATE.sub(_named, text) if _SURROGATE.search(text) else text


def log_line(text: object) -> str:
    """One line of output that the Actions runner reads as text, never as a command.

    %, CR and LF are escaped as workflow commands escape them (one message stays one line);
    a leading "::" and any "##[" get their first character escaped the same way (%3A, %23).
    """
    line = _escape_data(str(text)).replace("##[", "%23#[")
    stripped = line.lstrip()
    if stripped.startswith("::"):
        line = line[: len(line) - len(stripped)] + "%3A" + stripped[1:]
    return line


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, path: str, message: str, line: int | None = None, col: int | None = None) -> str:
    """A workflow command that puts a message on a file (and line): ::error file=...::message."""
    position = (f",line={line}" if line else "") + (f",col={col}" if line and col else "")
    return f"::{level} file={_escape_property(path)}{position}::{_escape_data(message)}"


def json_text(value: Any) -> str:
    """`value` as indented JSON (Vietnamese letters as they are) that the Actions runner reads as
    text: a "##[" anywhere in a line would be a command (no line starts with "::" when indented)."""
    return json.dumps(value, ensure_ascii=False, indent=1).replace("##[", "\\u0023#[")


# What starts a formula in Excel, LibreOffice or Google Sheets (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell as a spreadsheet will show it: text that would start a formula gets a
    leading apostrophe; numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
