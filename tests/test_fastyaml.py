"""The event-based reader gives exactly what ruamel.yaml's loader gives, or hands over."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.error import MarkedYAMLError

from scorer.reading import yaml as load
from scorer.reading.fastyaml import NotSimple, OverLimit, parse_plain
from scorer.reading.submissions import evidence_problem

REPO = Path(__file__).resolve().parent.parent


def typed(value):
    """Data with every scalar's type spelled out: 1, True and Decimal(1) compare equal otherwise."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return type(value).__name__, value


def full_loader(text: str):
    """What load.parse gave before the fast path: the C-backed loader, then the pure one."""
    try:
        data = load._safe_yaml().load(text)
    except MarkedYAMLError:
        data = load._safe_yaml(pure=True).load(text)
    return load._plain(data, text, "x.yaml")


PLAIN = [
    "a: 1\nb: -0\nc: +7\nd: 1.50\ne: .5\nf: 1e3\ng: 1_000.5\n",
    "t: true\nT: True\nu: FALSE\nn: null\nm: ~\ne:\nyes: yes\nno: no\non: on\n",
    "d: 2024-11-20\ns: '2024-11-20'\nq: \"1.5\"\n",
    "2024: năm\n1.5: x\ntrue: y\n~: z\n",
    "l: ['https://example.org/a', b, 3]\nm: {numerator: 80, denominator: 80}\n",
    "nested:\n  - a: 1\n    b: [1, [2, [3]]]\n  - {}\n  - []\n",
    "note: |\n  dòng một\n  dòng hai\nfolded: >\n  a\n  b\n",
    "",
    "just a string\n",
    "- 1\n- two\n",
    "v: ! 5\n",
    "a:\tb\n",
]

HANDED_OVER = [
    "a: &x 1\nb: *x\n",
    "a: !!str 5\n",
    "a: !custom 5\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\n",
    "1: a\ntrue: b\n",
    "1: a\n'1': b\n",
    "a: .inf\n",
    "a: .NaN\n",
    "a: 0x1F\n",
    "a: 0o17\n",
    "a: 0755\n",
    "l: [https://example.org/a]\n",  # the C parser's YAML 1.1 refuses it; the pure parser reads it
    "a: 1_000\n",
    "a: 2024-02-30\n",
    "a: 2024-11-20 10:00:00\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "? [a, b]\n: c\n",
    "a: [1, 2\n",
    "a:\n\tb: 1\n",
    'a: "\\0"\n',
    "a: " + "9" * 33 + "\n",
    "a: 1234567890.1234567\n",
    "a: 1e15\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_documents_read_as_the_full_loader_reads_them(text):
    assert typed(parse_plain(text, load.MAX_DEPTH, load.ADMIN.max_entries)) == typed(full_loader(text))


@pytest.mark.parametrize("text", HANDED_OVER)
def test_anything_unusual_is_handed_to_the_full_loader(text):
    with pytest.raises(NotSimple):
        parse_plain(text, load.MAX_DEPTH, load.ADMIN.max_entries)


def test_too_deep_a_document_is_refused_where_it_gets_too_deep_whatever_follows():
    text = "x:\n  y: " + "[" * 40 + "!tag &anchor *alias" + "]" * 40 + "\n"
    with pytest.raises(OverLimit) as over:
        parse_plain(text, load.MAX_DEPTH, 100)
    assert (over.value.what, over.value.line, over.value.col) == ("depth", 2, 6 + load.MAX_DEPTH - 2)  # two mappings, then the brackets


def test_too_many_nodes_are_refused_when_their_container_closes():
    text = "".join(f"k{i}: {i}\n" for i in range(60))
    assert len(parse_plain(text, load.MAX_DEPTH, 120)) == 60
    with pytest.raises(OverLimit) as over:
        parse_plain(text, load.MAX_DEPTH, 119)
    assert over.value.what == "entries"


def test_every_yaml_file_of_the_repository_reads_the_same_both_ways():
    compared = 0
    paths = [p for folder in ("criteria", "units", "submissions", "tests/fixtures")
             for p in sorted((REPO / folder).rglob("*.yaml"))]
    for path in paths:
        text = load.decode(path.read_bytes(), str(path), load.ADMIN)
        try:
            fast = parse_plain(text, load.MAX_DEPTH, load.ADMIN.max_entries)
        except NotSimple:
            continue
        assert typed(fast) == typed(full_loader(text)), path
        compared += 1
    assert compared > 500


def test_parse_gives_the_full_loaders_messages_for_what_it_hands_over():
    with pytest.raises(load.InputError) as err:
        load.parse("a: 1\na: 2\n", "x.yaml")
    assert "trường 'a' bị lặp lại" in err.value.problems[0].message
    with pytest.raises(load.InputError) as err:
        load.parse("a: .inf\n", "x.yaml")
    assert ".nan/.inf" in err.value.problems[0].message


@pytest.mark.parametrize("link", ["https://example.org/a b", "HTTPS://example.org/x", "http://[bad/",
                                  "https:///path", "ftp://example.org/x", "https://ví-dụ.vn/tệp.pdf"])
def test_the_quick_web_link_check_agrees_with_the_full_one(tmp_path, link):
    from urllib.parse import urlsplit

    quick = evidence_problem(load_root(tmp_path), link)
    try:
        parts = urlsplit(link)
        accepted = parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and " " not in link
    except ValueError:
        accepted = False
    assert (quick is None) == accepted


def load_root(tmp_path):
    from scorer.reading.paths import DataRoot

    return DataRoot(tmp_path)
