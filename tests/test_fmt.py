"""`cqdt fmt`: canonical layout, comments kept, data unchanged."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.core.model import Unit
from scorer.core.problems import InputError
from scorer.forms.fmt import canonical_text, decimal_text, needs_formatting, plain_safe
from scorer.forms.scaffold import new_submission
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot
from scorer.reading.scalars import string_problem
from scorer.reading.yaml import parse

REPO = Path(__file__).resolve().parent.parent
SET_ID = "qd-1609-2018"
CRITERIA = load_criteria_set(DataRoot(REPO), SET_ID)
HINT = f"# yaml-language-server: $schema=../../../schema/submission.{SET_ID}.xa.schema.json\n"

MESSY = """\
# Ghi chú đầu tệp của xã
answers:
  # ghi chú về ht2
  ht2:
    note: "Đã kiểm tra"   # ghi chú cuối dòng
    value: {denominator: 4, numerator: 3.50}
    evidence: ['https://xa.gov.vn/a.pdf', "tài liệu nội bộ #2"]
  # ghi chú về ht1
  ht1: {evidence: [], value: null, note: 'Có, đã triển khai: tốt'}
year: 2024
unit: "xa-thu"
"""

EXPECTED = HINT + """\
# Ghi chú đầu tệp của xã
unit: xa-thu
year: 2024
answers:
  # ghi chú về ht1
  ht1:
    value:
    evidence: []
    note: "Có, đã triển khai: tốt"
  # ghi chú về ht2
  ht2:
    value: {numerator: 3.5, denominator: 4}
    evidence:
      - https://xa.gov.vn/a.pdf
      - "tài liệu nội bộ #2"
    note: Đã kiểm tra     # ghi chú cuối dòng
"""


def test_messy_file_gets_canonical_order_and_quoting_with_comments_in_place():
    assert canonical_text(MESSY, CRITERIA, "xa") == EXPECTED


def test_formatting_is_idempotent_and_keeps_the_data():
    once = canonical_text(MESSY, CRITERIA, "xa")
    assert canonical_text(once, CRITERIA, "xa") == once
    assert parse(once, "x") == parse(MESSY, "x")


def test_a_new_submission_is_already_canonical():
    unit = Unit("xa-thu", "Xã Thử", "xa", "commune", district="huyen-thu")
    text = new_submission(CRITERIA, unit, 2024)
    assert canonical_text(text, CRITERIA, "xa") == text


def test_decimals_stay_decimals_and_integers_stay_integers():
    text = "unit: xa-thu\nyear: 2024\nanswers:\n  hd2:\n    value: 3.0\n  ht6:\n    value: 1_000\n  ht1:\n    value: {numerator: 1.250, denominator: 2}\n"
    out = canonical_text(text, CRITERIA, "xa")
    assert "value: 3.0\n" in out and "value: 1000\n" in out and "{numerator: 1.25, denominator: 2}" in out
    assert parse(out, "x")["answers"]["hd2"]["value"] == Decimal("3.0")


def test_decimal_text():
    assert [decimal_text(Decimal(t)) for t in ("2.50", "3.0", "1E+3", "0.125")] == ["2.5", "3.0", "1000.0", "0.125"]


def test_plain_only_when_unambiguous():
    assert plain_safe("https://xa.gov.vn/a.pdf") and plain_safe("Đã kiểm tra")
    for text in ("", " a", "yes", "Null", "12", "-a", "a: b", "a #b", "a:", "'a", "tab\there", "@x", "<<"):
        assert not plain_safe(text), text


def _quoted(text: str) -> str:
    """Any string as an exact YAML double-quoted scalar (JSON quoting, YAML's printable set)."""
    def printable(ch: str) -> bool:
        code = ord(ch)
        return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code > 0xFFFF) and ch != "\ufeff"

    body = json.dumps(text, ensure_ascii=False)
    return "".join(ch if printable(ch) else f"\\u{ord(ch):04x}" for ch in body)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_note_survives_formatting(note):
    text = f"unit: xa-thu\nyear: 2024\nanswers:\n  ht1:\n    value:\n    evidence: []\n    note: {_quoted(note)}\n"
    if string_problem(note) is not None:  # control characters are refused before formatting
        with pytest.raises(InputError):
            parse(text, "x")
        return
    out = canonical_text(text, CRITERIA, "xa")
    assert parse(out, "x")["answers"]["ht1"]["note"] == note
    assert canonical_text(out, CRITERIA, "xa") == out


def _submission(root: DataRoot, text: str) -> Path:
    path = root.submission_path(2024, "xa", "xa-thu")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_check_lists_then_fmt_rewrites(data_root, cqdt):
    path = _submission(data_root, MESSY)
    assert needs_formatting(data_root, path)
    result = cqdt("--data", data_root.root, "fmt", "--check", path)
    assert result.exit_code == 1 and "submissions/2024/xa/xa-thu.yaml: cần định dạng lại" in result.output
    assert path.read_text(encoding="utf-8") == MESSY
    assert cqdt("--data", data_root.root, "fmt", path).exit_code == 0
    assert path.read_text(encoding="utf-8") == EXPECTED
    assert not needs_formatting(data_root, path)
    assert cqdt("--data", data_root.root, "fmt", "--check", path).exit_code == 0


def test_unreadable_file_is_reported_and_left_alone(data_root, cqdt):
    broken = "unit: xa-thu\nyear: [2024\n"
    path = _submission(data_root, broken)
    assert not needs_formatting(data_root, path)
    result = cqdt("--data", data_root.root, "fmt", path)
    assert result.exit_code == 1 and "submissions/2024/xa/xa-thu.yaml:" in result.output
    assert path.read_text(encoding="utf-8") == broken
