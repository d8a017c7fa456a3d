"""Property-based fuzzing: Hypothesis writes hostile submissions, review records and filled
survey workbooks, and each batch goes through validate, fmt, check-pr, pr-summary and import
as real processes (see fuzzing.py for what every run must keep to).

CI runs a fixed number of examples, derandomized (the same ones every run); set
CQDT_FUZZ_EXAMPLES to run more. The figures are printed at the end of the test run.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from flowdata import UNITS, Repo, admin_repo, submission, yaml_text
from fuzzing import CANARY, assert_inert_markdown, cqdt, named, tally, tree_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from scorer.core.inert import log_line
from scorer.forms.excel_form import COLUMN, META_SHEET, SHEET, build_template, criterion_rows
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry
from scorer.reading.yaml import load_file

pytestmark = pytest.mark.git

EXAMPLES = int(os.environ.get("CQDT_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CQDT_FUZZ_EXAMPLES" not in os.environ, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
TALLY = tally("fuzz properties")
SLOTS = [(tier, unit["id"], review) for tier, units in UNITS.items() for unit in units for review in (False, True)]

# Pieces of YAML and text that have broken a YAML reader, a Markdown renderer or a log somewhere.
SNIPPETS = [
    "[" * 40, "]" * 3, "{a: " * 40, "- " * 40, "&a ", "*a", "&a [1, *a]", "!!python/object/apply:os.system [x] ",
    "!tag ", "<<: *a", "? ", ": ", "\n", "\n  ", "\t", "#", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! x:\n",
    "9" * 40, "1e999999", "-.inf", ".nan", "0x1F", "1_000", "1234567890.1234567", "2024-02-30", "2024-13-01",
    '"\\0"', '"\\ud800"', '"\\x1b[2J"', '"\\u202e"', "'", '"', "\\", "\x00", "\x1b", "\ufeff", "\u2028", "\u0085",
    "２０２４", "١٢", f"[{CANARY}](https://evil.example)", f"![{CANARY}](x)", f"@{CANARY}-admin",
    f"<img src={CANARY}>", f"www.{CANARY}.example", f"`{CANARY}`", "|", "::add-mask::x", "\n::error file=x::y",
    "##[warning]x", "%0A", "é" * 50, "x" * 2000, "minh-chung/" + "a" * 300 + ".pdf", "a/" * 2100,
]
snippet = st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12))


def _base(root: DataRoot, tier: str, unit: str, review: bool) -> str:
    data = submission(root, unit)
    if review:
        data = {"unit": unit, "year": 2024, "reviews": [
            {"stage": "district" if tier == "xa" else "province", "reviewer": "sotttt-reviewer", "date": "2024-10-20",
             "submission_sha256": "0" * 64, "answers": {"ht1": {"value": None, "reason": "lý do"}}}]}
    return yaml_text(data)


@st.composite
def mutated(draw, text: str) -> str:
    """A valid file with hostile pieces put in, or lines replaced or removed."""
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "line", "drop"]))
        if kind == "insert":
            text = text[:at] + draw(snippet) + text[at:]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            text = text[:start] + (draw(snippet) if kind == "line" else "") + text[end:]
    return text


scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40), st.text(max_size=30), snippet,
                   st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Decimal))
structure = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.one_of(st.sampled_from(["unit", "year", "answers", "ht1", "value", "evidence", "note", "reviews"]), snippet),
    inner, max_size=4), max_leaves=25)


def _every_message_names_a_file(run, displays: list[str]) -> None:
    """Each line of a refusal starts with the file it is about (and its line and column)."""
    starts = tuple(log_line(display) + ":" for display in displays)
    for line in run.stderr.splitlines():
        assert line.startswith((*starts, "Đã kiểm tra ")), line[:300]


# Values a schema lets through, at their edges: they reach scoring and the summary.
EDGE_NUMBERS = st.one_of(st.integers(0, 10**14), st.sampled_from([0, 1, 10**14]),
                         st.decimals(min_value=0, max_value=10**10, places=4, allow_nan=False, allow_infinity=False))


def _edge_value(draw, criterion):
    if criterion.kind == "yes_no":
        return draw(st.one_of(st.none(), st.booleans()))
    if criterion.kind == "ratio":
        return draw(st.one_of(st.none(), st.fixed_dictionaries({"numerator": EDGE_NUMBERS, "denominator": EDGE_NUMBERS})))
    if criterion.kind == "count":
        return draw(st.one_of(st.none(), st.integers(0, 10**14)))
    if criterion.kind == "choice":
        return draw(st.one_of(st.none(), st.sampled_from([o.id for o in criterion.options])))
    return draw(st.one_of(st.none(), EDGE_NUMBERS))


def _edges(draw, root: DataRoot, tier: str, unit: str) -> str:
    """A submission whose every answer is an edge value of its kind, with hostile evidence and notes."""
    data = submission(root, unit)
    for criterion in load_criteria_set(root, "qd-1609-2018").tiers[tier].criteria:
        answer = data["answers"][criterion.id]
        answer["value"] = _edge_value(draw, criterion)
        answer["evidence"] = draw(st.lists(st.one_of(st.just("https://example.org/a"), snippet), max_size=3))
        answer["note"] = draw(st.one_of(st.none(), snippet, st.text(max_size=200)))
    return yaml_text(data)


def _document(draw, root: DataRoot, slot: tuple[str, str, bool], base: str) -> bytes:
    choice = draw(st.sampled_from(["mutated", "mutated", "structure", "bytes", "edges", "edges"]))
    if choice == "mutated":
        return draw(mutated(base)).encode("utf-8", "surrogatepass")
    if choice == "structure":
        return yaml_text(draw(structure)).encode("utf-8", "surrogatepass")
    tier, unit, review = slot
    if choice == "edges" and not review:
        return _edges(draw, root, tier, unit).encode("utf-8", "surrogatepass")
    return draw(st.binary(max_size=200)) + base.encode("utf-8")[: draw(st.integers(0, 400))]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    return admin_repo(tmp_path_factory.mktemp("fuzz") / "repo")


@FUZZ
@given(data=st.data())
def test_no_file_makes_any_command_crash_hang_echo_or_write(repo: Repo, tmp_path_factory, data):
    """A batch of hostile files, each at a unit's place, in one clerk's pull request."""
    root = DataRoot(repo.path)
    repo.run("checkout", "-q", "-f", "-B", "fuzz", "main")
    repo.run("clean", "-q", "-fdx")
    slots = data.draw(st.lists(st.sampled_from(SLOTS), min_size=1, max_size=8, unique=True))
    displays = []
    for tier, unit, review in slots:
        display = f"submissions/2024/{tier}/{unit}{'.review' if review else ''}.yaml"
        path = repo.path / display
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_document(data.draw, root, (tier, unit, review), _base(root, tier, unit, review)))
        displays.append(display)
    repo.commit("xaa1-clerk", "fuzz")
    TALLY.inputs += len(displays)
    before = tree_digest(repo.path)

    run = cqdt(repo.path, "validate", *(str(repo.path / d) for d in displays), tally=TALLY)
    _every_message_names_a_file(run, displays)
    run = cqdt(repo.path, "fmt", "--check", *(str(repo.path / d) for d in displays if ".review" not in d), tally=TALLY)
    _every_message_names_a_file(run, displays)
    run = cqdt(repo.path, "check-pr", "--base", "main", "--actor", "xaa1-clerk", "--pusher", "xab1-clerk",
               tally=TALLY, env={"GITHUB_ACTIONS": "true"})
    assert run.code == 1 and named(run, "@xab1-clerk")
    summary = tmp_path_factory.mktemp("summary") / "summary.md"
    run = cqdt(repo.path, "pr-summary", "--base", "main", "--actor", "xaa1-clerk", "--summary", str(summary),
               tally=TALLY, env={"GITHUB_ACTIONS": "true"})
    assert_inert_markdown(summary.read_text(encoding="utf-8"))
    assert tree_digest(repo.path) == before


cell = st.one_of(st.none(), snippet, st.text(max_size=40), st.integers(-10**20, 10**20),
                 st.floats(allow_nan=False), st.booleans(), st.sampled_from(["Có", "Không", "=1+1", "2,5", "1e999"]))


@FUZZ
@given(data=st.data())
def test_no_workbook_makes_import_crash_hang_echo_or_write_in_the_tree(repo: Repo, tmp_path_factory, data):
    root = DataRoot(repo.path)
    repo.run("checkout", "-q", "-f", "main")
    repo.run("clean", "-q", "-fdx")
    criteria_set = load_criteria_set(root, "qd-1609-2018")
    rows = [row for _, row in criterion_rows(criteria_set, "xa")]
    folder = tmp_path_factory.mktemp("workbook")
    path = folder / "phiếu khảo sát.xlsx"
    path.write_bytes(build_template(criteria_set, load_registry(root).by_id["xa-a1"], 2024))
    book = load_workbook(path)
    for _ in range(data.draw(st.integers(0, 12))):
        row = data.draw(st.sampled_from(rows))
        column = COLUMN[data.draw(st.sampled_from(["answer", "denominator", "evidence", "note", "id"]))]
        _write(book[SHEET], row, column, data.draw(cell))
    if data.draw(st.booleans()):
        meta = book[META_SHEET]
        _write(meta, data.draw(st.integers(1, meta.max_row)), data.draw(st.integers(1, 2)), data.draw(cell))
    book.save(path)
    TALLY.inputs += 1
    before = tree_digest(repo.path)
    output = folder / "nhap.yaml"
    run = cqdt(repo.path, "import", str(path), "--allow-blank", "--output", str(output), tally=TALLY)
    assert tree_digest(repo.path) == before
    if run.code == 1:
        assert named(run, path.name) and not output.exists()
    else:
        load_file(output)  # what import writes, the bounded reader reads


def _write(sheet, row: int, column: int, value) -> None:
    """A value as openpyxl writes it (it refuses control characters: those are left out)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    sheet.cell(row=row, column=column).value = value
