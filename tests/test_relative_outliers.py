"""Issue 16, finding 5: relative criteria trusted unverified outliers. A tier's best comes from
verified values once a unit is verified; plausible ranges refuse or ask for a justification;
values far outside the tier's distribution are flagged."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import copy_data
from flowdata import make_data, submission, write_review, write_submission, yaml_text

from scorer.flow.ownership import Verdict
from scorer.flow.pr_summary import PullRequestCheck, summary_markdown
from scorer.flow.validate import validate_paths
from scorer.reading.catalogue import check_criteria_set
from scorer.reading.paths import DataRoot
from scorer.shell.scoring import evaluate

ABSURD = "250000"
JUSTIFIED = "Đường truyền riêng | <b>10 Gbps</b>"


def set_bandwidth(path: Path, value: str, note: str | None = None) -> None:
    """A commune's ht6 answer (bandwidth per person) set to `value`, with a note when given."""
    text = path.read_text(encoding="utf-8")
    start = text.index("  ht6:\n")
    end = text.index("\n  ht7:", start)
    answer = re.sub(r"value: [^\n]*", f"value: {value}", text[start:end], count=1)
    if note is not None:
        answer = re.sub(r"note: [^\n]*", f"note: '{note}'", answer, count=1)
    path.write_text(text[:start] + answer + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[DataRoot, str]:
    """The demo year 2024 (in verification), and a commune nobody verified yet."""
    root = DataRoot(copy_data(tmp_path_factory.mktemp("demo") / "data", years=(2024,)))
    results = evaluate(root, 2024)
    unverified = next(r.unit.id for r in results.tier("xa") if r.status == "submitted")
    return root, unverified


def test_one_unverified_absurd_value_leaves_every_other_units_counted_points_unchanged(demo):
    root, unit_id = demo
    before = {r.unit.id: r for r in evaluate(root, 2024).units}
    path = root.submission_path(2024, "xa", unit_id)
    original = path.read_text(encoding="utf-8")
    try:
        set_bandwidth(path, ABSURD, JUSTIFIED)
        assert validate_paths(root, [path]).ok, "a justified value outside the plausible range is accepted"
        after = evaluate(root, 2024)
    finally:
        path.write_text(original, encoding="utf-8")
    changed = [r.unit.id for r in after.units if r.unit.id != unit_id and (
        [c.counted_points for c in r.criteria] != [c.counted_points for c in before[r.unit.id].criteria]
        or (r.group_scores, r.total, r.level) != (before[r.unit.id].group_scores, before[r.unit.id].total,
                                                  before[r.unit.id].level))]
    assert changed == []
    assert after.bests["xa"].answered_counted["ht6"] == Decimal(100)
    assert after.bests["xa"].answered_self["ht6"] == Decimal(ABSURD)
    assert set(after.unit(unit_id).flags) == {("ht6", "above_range"), ("ht6", "outlier_high")}


def test_an_implausible_value_without_justification_is_refused(demo):
    root, unit_id = demo
    path = root.submission_path(2024, "xa", unit_id)
    original = path.read_text(encoding="utf-8")
    try:
        set_bandwidth(path, ABSURD)
        problems = validate_paths(root, [path]).problems
    finally:
        path.write_text(original, encoding="utf-8")
    line = original[:original.index("  ht6:\n")].count("\n") + 2
    assert [(p.path, p.line) for p in problems] == [(f"submissions/2024/xa/{unit_id}.yaml", line)]
    assert ("tiêu chí ht6: Băng thông kết nối Internet (Mbps) bình quân trên một cán bộ là 250.000 Mbps/người, "
            "ngoài khoảng hợp lý (đến 1.000 Mbps/người); nếu số liệu đúng, hãy ghi giải trình vào 'note'") in problems[0].message


def test_pull_request_summary_flags_the_value_and_quotes_the_justification_inertly(demo):
    root, unit_id = demo
    path = root.submission_path(2024, "xa", unit_id)
    original = path.read_text(encoding="utf-8")
    try:
        set_bandwidth(path, ABSURD, JUSTIFIED)
        results = evaluate(root, 2024)
    finally:
        path.write_text(original, encoding="utf-8")
    verdict = Verdict("clerk", [], [], [], [], [unit_id])
    text = summary_markdown(PullRequestCheck(verdict, [], {2024: results}, {}, [(2024, unit_id)]))
    assert "- **Số liệu cần người thẩm định xem kỹ:**" in text
    assert "ht6: số liệu 250.000 Mbps/người, cao hơn khoảng hợp lý bộ tiêu chí khai báo (… – 1.000); đơn vị giải trình:" in text
    assert "“`Đường truyền riêng \\| <b>10 Gbps</b>`”" in text  # a code span: inert, shown as written
    assert "ht6: 250.000 Mbps/người cao bất thường so với cấp xã (trung vị 100 Mbps/người của" in text
    assert ("**Tiêu chí so sánh:** `ht6 (Băng thông kết nối Internet (Mbps) bình quân trên một cán bộ): giá trị cao nhất "
            "dùng để tính điểm là 100 Mbps/người, từ số liệu đã thẩm định đủ các bước. Giá trị tự đánh giá cao nhất là "
            "250.000 Mbps/người: chưa thẩm định nên không làm thay đổi điểm của đơn vị khác.`") in text


@pytest.fixture
def province(tmp_path: Path) -> DataRoot:
    root = make_data(tmp_path / "data", {2024: "verifying"})
    for unit_id, strength in (("xa-a1", 6), ("xa-a2", 7), ("xa-b1", 5)):
        write_submission(root, unit_id, strength=strength)
    return root


def set_commune_bandwidth(root: DataRoot, unit_id: str, value: int, strength: int) -> None:
    data = submission(root, unit_id, strength=strength)
    data["answers"]["ht6"]["value"] = value
    data["answers"]["ht6"]["note"] = "Đường truyền riêng"
    root.submission_path(2024, "xa", unit_id).write_text(yaml_text(data), encoding="utf-8")


def test_self_assessed_best_is_provisional_until_a_unit_is_verified(province: DataRoot):
    set_commune_bandwidth(province, "xa-b1", 5000, 5)
    bests = evaluate(province, 2024).bests["xa"]
    assert (bests.answered_counted["ht6"], bests.provisional) == (Decimal(5000), ("ht6",))
    write_review(province, "xa-a2")
    results = evaluate(province, 2024)
    assert (results.bests["xa"].answered_counted["ht6"], results.bests["xa"].provisional) == (Decimal(70), ())
    assert results.unit("xa-a1").criteria[5].counted_points == Decimal("1.71")  # 2 × 60 / 70
    assert results.unit("xa-b1").criteria[5].counted_points == Decimal("2.00")  # its own, unverified: capped


def test_the_rule_of_earlier_cqdt_is_kept_for_years_published_with_it(province: DataRoot):
    """relative_best: counted (what cqdt did before) keeps such a year's results reproducible."""
    set_commune_bandwidth(province, "xa-b1", 5000, 5)
    write_review(province, "xa-a2")
    path = province.cycle_path(2024)
    path.write_text(path.read_text(encoding="utf-8") + "relative_best: counted\n", encoding="utf-8")
    results = evaluate(province, 2024)
    assert (results.bests["xa"].answered_counted["ht6"], results.bests["xa"].provisional) == (Decimal(5000), ())


def test_a_refusing_range_refuses_even_a_justified_value(province: DataRoot):
    path = province.root / "criteria" / "qd-1609-2018" / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("plausible: {value: {max: 1000}, outside: justify}",
                                 "plausible: {value: {min: 1, max: 1000}, outside: refuse}"), encoding="utf-8")
    set_commune_bandwidth(province, "xa-b1", 5000, 5)
    problems = validate_paths(province, [province.submission_path(2024, "xa", "xa-b1")]).problems
    assert len(problems) == 1
    assert "là 5.000 Mbps/người, ngoài khoảng hợp lý (từ 1 đến 1.000 Mbps/người) mà bộ tiêu chí quy định" in problems[0].message


def test_plausible_ranges_are_checked_where_the_criteria_declare_them(province: DataRoot):
    path = province.root / "criteria" / "qd-1609-2018" / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("plausible: {value: {max: 1000}, outside: justify}",
                        "plausible: {value: {min: 10, max: 1}, numerator: {max: 3}, outside: justify}")
    path.write_text(text, encoding="utf-8")
    _, problems = check_criteria_set(province, "qd-1609-2018")
    line = text.splitlines().index("        plausible: {value: {min: 10, max: 1}, numerator: {max: 3}, outside: justify}") + 1
    assert sorted((p.line, p.message) for p in problems if p.path == "criteria/qd-1609-2018/xa.yaml") == [
        (line, "tiêu chí ht6 (loại relative) không có số liệu 'numerator'; khoảng hợp lý chỉ khai báo cho: value"),
        (line, "tiêu chí ht6: khoảng hợp lý của 'value' có min (10) lớn hơn max (1)"),
    ]


def test_the_outlier_rule_ignores_up_to_half_the_values_however_extreme():
    from scorer.core.model import Spread
    from scorer.core.spread import outlier, spread_of

    values = [Decimal(v) for v in (8, 9, 10, 10, 11, 12, 1_000_000)]
    spread = spread_of(values)
    assert spread == Spread(Decimal(10), Decimal(1), 7)
    assert outlier(Decimal(1_000_000), spread) == "outlier_high"
    assert outlier(Decimal(15), spread) is None  # 5 ≤ 3.5 × max(1.4826, 1)
    assert outlier(Decimal("15.2"), spread) == "outlier_high"
    assert outlier(Decimal(0), spread) == "outlier_low"
    assert spread_of(values[:4]) is None, "fewer than five answers are too few to judge"


def test_when_most_units_answer_alike_small_differences_are_not_flagged():
    from scorer.core.spread import outlier, spread_of

    spread = spread_of([Decimal(100)] * 9 + [Decimal(101)])
    assert spread.mad == 0
    assert outlier(Decimal(101), spread) is None
    assert outlier(Decimal(135), spread) is None
    assert outlier(Decimal(136), spread) == "outlier_high"  # 36 > 3.5 × 10 % of 100


def test_each_quantity_outside_its_range_is_noted_once(province: DataRoot):
    # A ratio with its numerator above and its denominator below their ranges has two flags;
    # each quantity gets one note, not one per flag.
    from scorer.flow.record_notes import flag_notes

    path = province.root / "criteria" / "qd-1609-2018" / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("        kind: ratio\n        max: 5\n",
                                 "        kind: ratio\n        max: 5\n"
                                 "        plausible: {numerator: {max: 7}, denominator: {min: 10}, outside: justify}\n", 1),
                    encoding="utf-8")
    data = submission(province, "xa-b1", strength=5)
    data["answers"]["ht1"]["value"] = {"numerator": 8, "denominator": 9}
    data["answers"]["ht1"]["note"] = "Số liệu của cả khối đoàn thể"
    province.submission_path(2024, "xa", "xa-b1").write_text(yaml_text(data), encoding="utf-8")
    results = evaluate(province, 2024)
    result = results.unit("xa-b1")
    assert {("ht1", "above_range"), ("ht1", "below_range")} <= set(result.flags)
    notes = [n.text for n in flag_notes(result, results.criteria_set, results.bests.get("xa")) if n.text.startswith("ht1:")]
    assert notes == ["ht1: tử số 8, cao hơn khoảng hợp lý bộ tiêu chí khai báo (… – 7); đơn vị giải trình:",
                     "ht1: mẫu số 9, thấp hơn khoảng hợp lý bộ tiêu chí khai báo (10 – …); đơn vị giải trình:"]
