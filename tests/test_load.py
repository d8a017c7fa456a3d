"""Safe YAML reading: exact decimals, limits, and what reading never does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorer.core.problems import InputError
from scorer.reading.yaml import MAX_DEPTH, decode, parse


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
