"""The browser form and the scorer agree: same answers, same numbers, same messages.

The form's JavaScript (theme/static/js/form-rules.js, form-yaml.js) runs under
node on every unit of the demo years; every point, group score, total, level and
gap is compared with the Python Results, and the YAML the form writes is compared
with `cqdt fmt`'s canonical layout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from answers import random_answer

from scorer.core.model import CriteriaSet, Criterion
from scorer.flow.validate import validate_paths
from scorer.forms.fmt import canonical_text, dump_text
from scorer.forms.web import criteria_set_data, evidence_files, message_templates, relative_bests
from scorer.reading.paths import DataRoot
from scorer.reading.yaml import parse
from scorer.shell.scoring import evaluate

REPO = Path(__file__).resolve().parent.parent
JS = REPO / "theme" / "static" / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

# Reads {set, messages, evidence, cases: [{tier, bests, raws: {id: raw}}]} on stdin.
HARNESS = """
const rules = require(process.argv[1] + "/form-rules.js");
const yaml = require(process.argv[1] + "/form-yaml.js");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  const out = job.cases.map((c) => {
    const tier = job.set.tiers[c.tier];
    const values = {}, errors = {}, bests = {};
    for (const criterion of tier.criteria) {
      const read = rules.readAnswer(criterion, tier.value_schemas[criterion.id], c.raws[criterion.id], job.messages, job.evidence);
      values[criterion.id] = read.value;
      if (read.errors.length) { errors[criterion.id] = read.errors.map((e) => e.message); }
      if (criterion.kind === "relative") { bests[criterion.id] = rules.effectiveBest(c.bests[criterion.id], read.value); }
    }
    const scored = rules.score(tier, job.set.decimals, job.set.levels, values, bests);
    const answers = tier.criteria.map((cr) => ({ id: cr.id, kind: cr.kind, value: values[cr.id],
      evidence: rules.evidenceItems(c.raws[cr.id].evidence), note: c.raws[cr.id].note }));
    scored.yaml = c.unit ? yaml.emit(tier.schema_name, c.unit, c.year, answers) : null;
    scored.errors = errors;
    return scored;
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def run_js(job: dict[str, Any]) -> list[dict[str, Any]]:
    done = subprocess.run([NODE, "-e", HARNESS, str(JS)], input=json.dumps(job), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def raw_input(criterion: Criterion, value: Any, evidence: tuple[str, ...] | list[str], note: str) -> dict[str, str]:
    """What a clerk would type in the form for an answer value."""
    raw = {"answer": "", "numerator": "", "denominator": "", "evidence": "\n".join(evidence), "note": note}
    if isinstance(value, dict):
        raw["numerator"], raw["denominator"] = str(value["numerator"]), str(value["denominator"])
    elif isinstance(value, bool):
        raw["answer"] = "true" if value else "false"
    elif value is not None:
        raw["answer"] = str(value)
    return raw


def _job(root: DataRoot, criteria_set: CriteriaSet, cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {"set": criteria_set_data(criteria_set), "messages": message_templates(root, criteria_set),
            "evidence": evidence_files(root), "cases": cases}


def _years() -> list[int]:
    return DataRoot(REPO).years()


@pytest.mark.parametrize("year", _years())
def test_form_scores_every_unit_as_the_scorer_does(year):
    root = DataRoot(REPO)
    results = evaluate(root, year)
    criteria_set = results.criteria_set
    bests = relative_bests(results)
    cases, expected = [], []
    for unit in results.units:
        if not unit.submitted:
            continue
        tier = criteria_set.tiers[unit.unit.tier]
        by_id = {c.id: c for c in tier.criteria}
        for which in ("self", "counted"):
            raws = {}
            for row in unit.criteria:
                counted = row.verified_value if row.verified_points is not None else row.self_value
                value = row.self_value if which == "self" else counted
                raws[row.criterion_id] = raw_input(by_id[row.criterion_id], value, row.evidence, row.note)
            cases.append({"tier": unit.unit.tier, "bests": bests[unit.unit.tier][which], "raws": raws,
                          "unit": unit.unit.id if which == "self" else None, "year": year})
            expected.append((unit, which))
    assert cases, "the demo year has submissions"
    yaml_checked: set[str] = set()
    compared = 0
    for (unit, which), got in zip(expected, run_js(_job(root, criteria_set, cases)), strict=True):
        where = f"{unit.unit.id} ({which})"
        assert got["errors"] == {}, where
        points = {r.criterion_id: (r.self_points if which == "self" else r.counted_points) for r in unit.criteria}
        assert {k: Decimal(v) for k, v in got["points"].items()} == points, where
        groups = unit.self_group_scores if which == "self" else unit.group_scores
        assert {int(k): Decimal(v) for k, v in got["groups"].items()} == groups, where
        assert Decimal(got["total"]) == (unit.self_total if which == "self" else unit.total), where
        compared += 1
        if which == "counted":
            assert got["level"] == unit.level, where
            gap = None if unit.gap is None else {
                "level": unit.gap.level,
                "shortfalls": [(s.group_id, s.score, s.minimum, s.missing) for s in unit.gap.shortfalls]}
            got_gap = None if got["gap"] is None else {
                "level": got["gap"]["level"],
                "shortfalls": [(s["group"], Decimal(s["score"]), Decimal(s["minimum"]), Decimal(s["missing"]))
                               for s in got["gap"]["shortfalls"]]}
            assert got_gap == gap, where
        elif unit.unit.tier not in yaml_checked:
            # The round-trip formatter is slow: the written file is checked on one unit per tier.
            yaml_checked.add(unit.unit.tier)
            _assert_yaml_is_canonical_and_equal(root, criteria_set, unit, got["yaml"])
    assert compared == len(cases) and yaml_checked == set(criteria_set.tiers)


def _assert_yaml_is_canonical_and_equal(root: DataRoot, criteria_set: CriteriaSet, unit, text: str) -> None:
    """The form's file holds the submission's data and needs no `cqdt fmt`."""
    assert canonical_text(text, criteria_set, unit.unit.tier) == text, unit.unit.id
    original = parse((root.root / unit.submission_path).read_text(encoding="utf-8"), "x")
    written = parse(text, "x")
    for answer in original["answers"].values():
        answer.setdefault("evidence", [])
        answer["note"] = answer.get("note") or ""
    assert written == original, unit.unit.id


BAD_INPUTS = [
    ("count", {"answer": "abc"}),
    ("count", {"answer": "2.5"}),
    ("count", {"answer": "-3"}),
    ("relative", {"answer": "mười"}),
    ("relative", {"answer": "-3"}),
    ("ratio", {"numerator": "7", "denominator": "3"}),
    ("ratio", {"numerator": "7", "denominator": ""}),
    ("ratio", {"numerator": "x", "denominator": "3"}),
    ("ratio", {"numerator": "4", "denominator": "-1"}),
    ("ratio", {"numerator": "", "denominator": "9"}),
    ("ratio", {"numerator": "18/20", "denominator": ""}),
    ("ratio", {"answer": "0.9"}),  # a file written by hand, read back into the form
    ("yes_no", {"answer": "true", "evidence": ""}),
    ("yes_no", {"answer": "true", "evidence": "ftp://may-chu/tep.pdf"}),
    ("yes_no", {"answer": "true", "evidence": "../bi-mat.pdf"}),
    ("yes_no", {"answer": "true", "evidence": "evidence/khong-co.pdf"}),
    ("yes_no", {"answer": "true", "evidence": "https://xa.gov.vn/a b.pdf"}),
    ("yes_no", {"answer": "false", "evidence": "http:/thieu-may-chu"}),
]


def _yaml_value(criterion: Criterion, raw: dict[str, str]) -> Any:
    """The value a YAML author would have written for the same typed input."""
    def number(text: str) -> Any:
        try:
            return Decimal(text) if "." in text else int(text)
        except ArithmeticError:
            return text
        except ValueError:
            return text

    if criterion.kind == "ratio":
        if raw["answer"] or "/" in raw["numerator"]:
            return number(raw["answer"] or raw["numerator"])
        value = {part: number(raw[part]) for part in ("numerator", "denominator") if raw[part]}
        return value
    if criterion.kind == "yes_no":
        return raw["answer"] == "true"
    return number(raw["answer"])


def test_form_messages_are_the_validator_messages(data_root):
    year = data_root.years()[-1]
    results = evaluate(data_root, year)
    criteria_set = results.criteria_set
    unit = next(r for r in results.tier("xa") if r.submitted)
    path = data_root.root / unit.submission_path
    tier = criteria_set.tiers["xa"]
    original = path.read_text(encoding="utf-8")
    cases, python = [], []
    for kind, typed in BAD_INPUTS:
        criterion = next(c for c in tier.criteria if c.kind == kind)
        raw = {"answer": "", "numerator": "", "denominator": "", "evidence": "https://xa.gov.vn/mc.pdf", "note": "", **typed}
        data = parse(original, "x")
        data["answers"][criterion.id]["value"] = _yaml_value(criterion, raw)
        data["answers"][criterion.id]["evidence"] = [line for line in raw["evidence"].split("\n") if line]
        path.write_text(dump_text(data), encoding="utf-8")
        problems = validate_paths(data_root, [path]).problems
        assert problems, (kind, typed)
        python.append(sorted(p.message for p in problems))
        raws = {c.id: raw_input(c, None, [], "") for c in tier.criteria}
        raws[criterion.id] = raw
        cases.append({"tier": "xa", "bests": {}, "raws": raws, "unit": None, "year": year})
    for (kind, typed), messages, got in zip(BAD_INPUTS, python, run_js(_job(data_root, criteria_set, cases)), strict=True):
        js = sorted(m for ms in got["errors"].values() for m in ms)
        assert js == messages, (kind, typed)


NOTE_ALPHABET = "aăâeêoôơuưđ AĐ:#-'\"\\,[]{}&*!|>%@`\t\n\x85\u2028\xa0😀0123456789.?"


def test_random_answers_score_and_write_alike():
    """Random answers in every tier: each point, group, total and level; and the written file."""
    import random

    from scorer.core.levels import level_of
    from scorer.core.rules import points

    rng = random.Random(1609)
    root = DataRoot(REPO)
    results = evaluate(root, _years()[-1])
    criteria_set = results.criteria_set
    cases, expected = [], []
    for number in range(150):
        tier_id = list(criteria_set.tiers)[number % len(criteria_set.tiers)]
        tier = criteria_set.tiers[tier_id]
        raws, bests, want = {}, {}, {}
        for criterion in tier.criteria:
            value = random_answer(rng, criterion)
            note = "".join(rng.choice(NOTE_ALPHABET) for _ in range(rng.randint(0, 12)))
            raws[criterion.id] = raw_input(criterion, value, ["https://xa.gov.vn/mc.pdf"], note)
            best = None
            if criterion.kind == "relative":
                best = Decimal(rng.randint(1, 99999)) / 100
                bests[criterion.id] = str(best)
                # The scorer's best is the highest value in the tier, this unit's included.
                best = max(best, value) if value is not None else best
            want[criterion.id] = points(criterion, value, criteria_set.decimals, best)
        groups = {g.id: sum((want[c.id] for c in g.criteria), Decimal(0)) for g in tier.groups}
        cases.append({"tier": tier_id, "bests": bests, "raws": raws, "unit": f"don-vi-{number}", "year": 2030})
        expected.append((tier_id, want, groups, level_of(groups, tier, criteria_set.levels), raws))
    for index, ((tier_id, want, groups, level, raws), got) in enumerate(
            zip(expected, run_js(_job(root, criteria_set, cases)), strict=True)):
        assert got["errors"] == {}, index
        assert {k: Decimal(v) for k, v in got["points"].items()} == want, index
        assert {int(k): Decimal(v) for k, v in got["groups"].items()} == groups, index
        assert got["level"] == level, index
        if index < 30:  # the round-trip formatter is slow; thirty files cover every tier ten times
            text = got["yaml"]
            assert canonical_text(text, criteria_set, tier_id) == text, index
            notes = {cid: answer["note"] for cid, answer in parse(text, "x")["answers"].items()}
            assert notes == {cid: raw["note"] for cid, raw in raws.items()}, index


def test_form_reads_decimal_commas_as_the_site_writes_numbers():
    """'20,5' typed anywhere a number goes is 20.5: same points, same file as '20.5'."""
    import random

    rng = random.Random(20)
    root = DataRoot(REPO)
    criteria_set = evaluate(root, _years()[-1]).criteria_set
    tier = criteria_set.tiers["xa"]
    cases = []
    for _ in range(20):
        raws = {}
        for criterion in tier.criteria:
            value = random_answer(rng, criterion)
            raws[criterion.id] = raw_input(criterion, value, ["https://xa.gov.vn/mc.pdf"], "")
        with_commas = {cid: {k: (v.replace(".", ",") if k in ("answer", "numerator", "denominator") else v)
                             for k, v in raw.items()} for cid, raw in raws.items()}
        bests = {c.id: "50" for c in tier.criteria if c.kind == "relative"}
        for raw in (raws, with_commas):
            cases.append({"tier": "xa", "bests": bests, "raws": raw, "unit": "xa-thu", "year": 2030})
    got = run_js(_job(root, criteria_set, cases))
    commas_seen = 0
    for dots, commas, case in zip(got[::2], got[1::2], cases[1::2], strict=True):
        assert commas["errors"] == {} and dots["errors"] == {}
        assert (commas["points"], commas["groups"], commas["total"], commas["yaml"]) == \
               (dots["points"], dots["groups"], dots["total"], dots["yaml"])
        commas_seen += any("," in raw[k] for raw in case["raws"].values() for k in ("answer", "numerator", "denominator"))
    assert commas_seen >= 10


def test_form_messages_name_the_criterion_never_a_schema_path(data_root):
    """Every message the form shows for the bad inputs names the criterion by its title, in the
    clerk's words: no `answers.<id>.value` path, no bare "trong kho"."""
    criteria_set = evaluate(data_root, data_root.years()[-1]).criteria_set
    tier = criteria_set.tiers["xa"]
    cases, about = [], []
    for kind, typed in [*BAD_INPUTS, ("count", {"answer": "2,5"})]:
        criterion = next(c for c in tier.criteria if c.kind == kind)
        raw = {"answer": "", "numerator": "", "denominator": "", "evidence": "https://xa.gov.vn/mc.pdf", "note": "", **typed}
        raws = {c.id: raw_input(c, None, [], "") for c in tier.criteria}
        raws[criterion.id] = raw
        cases.append({"tier": "xa", "bests": {}, "raws": raws, "unit": None, "year": 2030})
        about.append(criterion)
    results = run_js(_job(data_root, criteria_set, cases))
    for criterion, got in zip(about, results, strict=True):
        messages = got["errors"][criterion.id]
        assert messages
        for message in messages:
            assert message.startswith(f"tiêu chí {criterion.id} ({criterion.title})"), message
            assert "answers." not in message and ".value" not in message, message
            assert "trong kho" not in message.replace("trong kho dữ liệu của tỉnh", ""), message
    ratio_in_one = results[BAD_INPUTS.index(("ratio", {"numerator": "18/20", "denominator": ""}))]
    ratio = next(c for c in tier.criteria if c.kind == "ratio")
    assert ratio_in_one["errors"][ratio.id] == [
        f"tiêu chí {ratio.id} ({ratio.title}) cần hai số: tử số ({ratio.numerator}) và mẫu số ({ratio.denominator}); "
        "đang là \"18/20\""]
    integer = results[-1]
    count = next(c for c in tier.criteria if c.kind == "count")
    assert integer["errors"][count.id] == [
        f"tiêu chí {count.id} ({count.title}): câu trả lời phải là một số nguyên (không có phần thập phân); đang là 2,5"]
