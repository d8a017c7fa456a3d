"""Safe YAML reading: exact decimals, limits, and what reading never does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorer.core.problems import InputError, Problem
from scorer.reading.yaml import ADMIN, MAX_DEPTH, SUBMITTED, decode, parse, read_bytes


def test_floats_are_exact_decimals():
    data = parse("a: 25.2\nb: 29.75\nc: 3\n", "t.yaml")
    assert data == {"a": Decimal("25.2"), "b": Decimal("29.75"), "c": 3}
    assert isinstance(data["a"], Decimal)


def test_yaml_1_2_booleans_only():
    assert parse("a: yes\nb: true\n", "t.yaml") == {"a": "yes", "b": True}


def test_dates_become_iso_text():
    assert parse("d: 2024-10-15\n", "t.yaml") == {"d": "2024-10-15"}


def test_urls_in_a_flow_list_are_read():
    assert parse("e: [https://x.gov.vn/a.pdf]\n", "t.yaml") == {"e": ["https://x.gov.vn/a.pdf"]}


def test_deep_nesting_is_refused():
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    with pytest.raises(InputError) as err:
        parse(text, "deep.yaml")
    assert "lồng nhau quá sâu" in str(err.value)


def test_scalar_aliases_are_harmless_but_shared_containers_are_refused():
    assert parse("a: &x 5\nb: *x\n", "t.yaml") == {"a": 5, "b": 5}
    with pytest.raises(InputError) as err:
        parse("a: &x {k: 1}\nb: *x\n", "t.yaml")
    assert err.value.problems[0].line == 2


def test_non_utf8_is_refused_with_the_line():
    with pytest.raises(InputError) as err:
        decode("a: 1\nb: caf\xe9\n".encode("latin-1"), "t.yaml")
    assert err.value.problems[0].line == 2
    assert "UTF-8" in err.value.problems[0].message


def test_python_tags_never_construct_objects(tmp_path):
    marker = tmp_path / "ran"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(InputError):
        parse(text, "t.yaml")
    assert not marker.exists()


# --- issue 17: every loader exception is a located message; limits hold before any composer ---


def _refused(text: str, limits=SUBMITTED) -> Problem:
    with pytest.raises(InputError) as err:
        parse(text, "t.yaml", limits)
    [problem] = err.value.problems
    return problem


@pytest.mark.parametrize(("text", "line"), [
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", 1),  # the C composer's segmentation fault
    ("a:\n  " + "- " * 60_000 + "x\n", 2),
    ("n: &n 1\na: " + "{k: " * 60_000 + "*n" + "}" * 60_000 + "\n", 2),  # an anchor first: the full loader
    ("l: [https://x.org/a]\na: " + "[" * 60_000 + "]" * 60_000 + "\n", 2),  # refused by the C parser: the pure one
])
def test_deep_nesting_is_refused_where_it_gets_too_deep_without_building_it(text, line):
    problem = _refused(text)
    assert "lồng nhau quá sâu" in problem.message
    assert problem.line == line


def test_a_nul_byte_is_a_located_message():
    assert _refused("a: 1\nb: x\x00y\n") == Problem("t.yaml", 2, 5, "tệp có ký tự điều khiển U+0000, không được phép trong tệp YAML; hãy xóa ký tự này")


def test_a_control_character_made_by_an_escape_is_refused():
    assert "U+0000" in _refused('a: "x\\0"\n').message
    assert "U+D800" in _refused('a: "\\ud800"\n').message  # the C parser refuses it; the pure one would read it


def test_a_ten_thousand_digit_integer_is_refused_before_int_sees_it():
    problem = _refused("year: " + "9" * 10_000 + "\n")
    assert (problem.line, problem.col) == (1, 7) and "số quá dài" in problem.message


@pytest.mark.parametrize(("text", "words"), [
    ("a: 1e999999\n", "quá lớn"), ("a: 1234567890.1234567\n", "15 chữ số"), ("a: .nan\n", ".nan/.inf"),
    ("a: -.inf\n", ".nan/.inf"),
])
def test_numbers_without_an_exact_json_form_are_refused(text, words):
    assert words in _refused(text).message


def test_an_impossible_date_is_a_located_message():
    assert _refused("d:\n  - 2024-02-30\n") == Problem("t.yaml", 2, 5, "ngày '2024-02-30' không có thật; hãy ghi một ngày dạng YYYY-MM-DD")


def test_too_many_entries_are_refused_on_either_path():
    flood = "".join(f"k{i}: {i}\n" for i in range(SUBMITTED.max_entries))
    assert "quá nhiều tên trường" in _refused(flood).message
    assert "quá nhiều tên trường" in _refused("a: &x 1\n" + flood).message  # counted before the full loader
    assert len(parse(flood, "t.yaml", ADMIN)) == SUBMITTED.max_entries


def test_more_than_the_allowed_aliases_are_refused():
    text = "n: &n 1\nl: [" + ", ".join(["*n"] * (SUBMITTED.max_aliases + 1)) + "]\n"
    assert "bí danh" in _refused(text).message
    assert parse("n: &n 1\nl: [*n, *n]\n", "t.yaml") == {"n": 1, "l": [1, 1]}


def test_a_file_over_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * SUBMITTED.max_bytes)
    with pytest.raises(InputError) as err:
        read_bytes(path, "big.yaml")
    assert "tệp quá lớn (1,0 MB); giới hạn là 1 MB" in str(err.value)


def test_collecting_problems_is_linear(monkeypatch):
    """Many problems (one per unknown key of a flooded file) are collected without comparing
    each with all the others: the count of comparisons grows with the problems, not their square."""
    from scorer.flow.validate import Report

    problems = [Problem("f.yaml", line, 1, "x") for line in range(1, 4001)]
    compared = 0
    real_eq = Problem.__eq__

    def counting_eq(self, other):
        nonlocal compared
        compared += 1
        return real_eq(self, other)

    monkeypatch.setattr(Problem, "__eq__", counting_eq)
    report = Report()
    report.add(["f.yaml"], problems[:2000])
    report.add(["f.yaml"], problems)
    assert len(report.finish().problems) == 4000
    assert compared < 4 * len(problems)
