"""Untrusted text is inert wherever it is shown: checked against what GitHub does with it.

The Markdown oracle is cmark-gfm (GitHub's own renderer, through cmarkgfm) with GitHub's
extensions; the log oracle is a port of the Actions runner's command parsing
(actions/runner, src/Runner.Common/ActionCommand.cs: TryParseV2, then TryParse).
"""

from __future__ import annotations

import html
import json
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.core.inert import annotation, csv_cell, log_line, md

HOSTILE = [
    "[Phiên đăng nhập đã hết hạn, bấm vào đây](https://evil.example/login)",
    "![ảnh](https://evil.example/pixel.png)",
    "@sotttt-admin @org/team hãy duyệt gấp",
    "<img src=x onerror=alert(1)> <b>đậm</b> <!-- ẩn -->",
    "https://evil.example/a www.evil.example mail@evil.example",
    "# Tiêu đề giả\n\n| bảng | giả |\n|---|---|",
    "a | b ` c `` d ``` e",
    "`",
    " ",
    "dòng 1\r\ndòng 2\rdòng 3\ndòng 4",
    "::add-mask::bí-mật",
    "\n::error file=x.yaml::giả",
    "##[add-mask]bí-mật",
    "ok ##[warning]giả",
    "50%0A",
    "\u202egnp.exe",
    "\x1b[2J\x00\x07",
    "tên tệp không phải UTF-8 \udcff\udcfe",  # as git's names come through surrogateescape
]

_RENDER = Options.CMARK_OPT_UNSAFE  # render raw HTML as GitHub's sanitizer lets much of it through


def _html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=_RENDER)


def _visible(text: str) -> str:
    """What md() promises to show: line breaks as ↵, invisible characters named."""
    text = re.sub("\r\n|\r|\n", " ↵ ", text)
    return re.sub("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]",
                  lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def _places(span: str) -> dict[str, str]:
    """The span in each place the summary puts untrusted text."""
    return {
        "table": f"| Tệp | Lỗi |\n|---|---|\n| {span} | x |\n",
        "list": f"- {span}: chi tiết\n",
        "heading": f"#### {span} (`id`), năm 2024\n",
        "paragraph": f"Người gửi: {span} (vai trò); 1 tệp thay đổi.\n",
        "emphasis": f"_Cấp xã, theo {span}_\n",
    }


def _assert_inert(text: str) -> None:
    span = md(text)
    for place, markdown in _places(span).items():
        rendered = _html(markdown)
        for tag in ("<a ", "<img", "<b>", "<!--", "<script", "<h1", "<h2", "<h3", "<input"):
            assert tag not in rendered, (place, text, rendered)
        if not text:
            continue
        codes = re.findall(r"<code>(.*?)</code>", rendered, re.DOTALL)
        shown = _visible(text) if place == "table" else _visible(text).replace("|", "\\|")
        assert [html.unescape(code) for code in codes[:1]] == [shown], (place, text, rendered)
        if place == "table":
            assert rendered.count("<td>") == 2, (text, rendered)  # the row keeps its two cells


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_literal_code_in_every_place(text):
    _assert_inert(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from([*list("ab `|*_[]()!<>@#:\\/&;.\n\r\t-=+~"), "\x00", "\u202e", "ề"]),
               max_size=30))
def test_any_text_renders_as_literal_code_in_every_place(text):
    _assert_inert(text)


def test_a_code_span_shows_exactly_what_was_written():
    assert md("`x` | y") == "`` `x` \\| y ``"
    assert md("") == ""
    assert md("dòng 1\ndòng 2") == "`dòng 1 ↵ dòng 2`"


# --- the Actions runner ------------------------------------------------------------------------

_COMMANDS = {"add-mask", "error", "warning", "notice", "debug", "group", "endgroup", "stop-commands",
             "echo", "add-matcher", "remove-matcher", "save-state", "set-output", "set-env", "add-path"}


def _runner_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """(command, properties, data) as the runner reads a line, or None for plain text."""
    message = line.lstrip()
    if message.startswith("::"):
        end = message.find("::", 2)
        if end >= 0:
            info = message[2:end]
            name, _, properties = info.partition(" ")
            if name in _COMMANDS:
                props = {}
                for pair in filter(None, properties.strip().split(",")):
                    key, sep, value = pair.partition("=")
                    if sep and key and value:
                        props[key] = (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
                                      .replace("%2C", ",").replace("%25", "%"))
                data = message[end + 2:].replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
                return name, props, data
    start = line.find("##[")
    if start >= 0:
        close = line.find("]", start)
        if close >= 0:
            name = line[start + 3:close].split(" ")[0]
            if name in _COMMANDS:
                return name, {}, line[close + 1:]
    return None


def _runner_lines(output: str) -> list[str]:
    """Lines as the runner reads a process's output (.NET ReadLine: CR, LF or CRLF)."""
    return re.split("\r\n|\r|\n", output)


def _unescape(line: str) -> str:
    return re.sub("%(25|0D|0A|3A|23)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "23": "#"}[m.group(1)], line)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_log_line_is_one_line_the_runner_reads_as_text(text):
    line = log_line(f"submissions/2024/xa/x.yaml:1:1: {text}")
    line.encode("utf-8")  # printable, whatever the text held
    assert len(_runner_lines(line)) == 1
    assert _runner_command(line) is None
    assert _runner_command(log_line(text)) is None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from([*list(":#[]% \t\r\nab-"), "\u2028", "\x85"]), max_size=30))
def test_any_text_is_one_inert_line_that_reads_back_exactly(text):
    line = log_line(text)
    assert len(_runner_lines(line)) == 1
    assert _runner_command(line) is None
    assert _unescape(line) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_an_annotation_carries_the_message_and_file_exactly(text):
    line = annotation("error", f"submissions/2024/xa/{text}.yaml", text, 3, 4)
    line.encode("utf-8")
    assert len(_runner_lines(line)) == 1
    shown = re.sub("[\ud800-\udfff]", lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)  # what no output can encode
    assert _runner_command(line) == ("error", {"file": f"submissions/2024/xa/{shown}.yaml", "line": "3", "col": "4"}, shown)


@pytest.mark.parametrize(("value", "shown"), [
    ("=HYPERLINK(\"https://evil.example\",\"bấm\")", "'=HYPERLINK(\"https://evil.example\",\"bấm\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Xã A", "Xã A"), ("25.2", "25.2"), (7, 7), ("", ""),
])
def test_csv_cells_that_would_be_formulas_start_with_an_apostrophe(value, shown):
    assert csv_cell(value) == shown


def test_a_command_error_is_printed_inert_line_by_line():
    # Publish refusals hold many lines, some quoting a submitter's text: each stays one plain line.
    from scorer.cli.errors import CliError

    shown = CliError("không công bố được:\n::error file=x::giả mạo\nghi chú ##[group]y").format_message()
    assert shown.splitlines() == ["không công bố được:", "%3A:error file=x::giả mạo", "ghi chú %23#[group]y"]


def test_a_json_report_reads_back_the_same_and_holds_no_workflow_command():
    from scorer.core.inert import json_text

    value = {"message": "minh chứng '##[group]x' và ::error::y", "số": [1, "Hạ Hòa"]}
    text = json_text(value)
    assert json.loads(text) == value
    assert "##[" not in text and not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "Hạ Hòa" in text
