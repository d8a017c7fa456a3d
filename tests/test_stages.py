"""Verification stages: their order, and where a submission stands (core.stages)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from flowdata import UNITS, cycle, make_data, write_submission, yaml_text

from scorer.core.stages import required_stages, stage_order, verification_state
from scorer.reading.paths import DataRoot


def test_communes_are_verified_by_their_district_then_the_province(data_root):
    from scorer.reading.catalogue import load_criteria_set

    criteria_set = load_criteria_set(data_root, "qd-1609-2018")
    assert required_stages(criteria_set, "xa") == ("district", "province")
    assert required_stages(criteria_set, "huyen") == ("province",)
    assert stage_order("district", criteria_set) < stage_order("province", criteria_set)


@pytest.mark.parametrize(("current", "stale", "state"), [
    ({"district", "province"}, set(), "verified"),
    ({"district", "province"}, {"district"}, "verified"),  # re-verified since: the old entry is history
    ({"district"}, {"province"}, "needs_reverification"),
    ({"district"}, set(), "partly_verified"),
    (set(), {"district"}, "needs_reverification"),
    (set(), set(), "submitted"),
])
def test_a_commune_is_verified_only_when_every_stage_verified_its_current_version(current, stale, state):
    assert verification_state(("district", "province"), current, stale) == state


# --- stages are data: a province without districts ---------------------------------------------

def _province_without_districts(target: Path) -> DataRoot:
    """Only sở and xã tiers; the province verifies communes alone (as after districts were abolished)."""
    root = make_data(target, {2024: "verifying"})
    folder = root.criteria_set_dir("qd-1609-2018")
    (folder / "huyen.yaml").unlink()
    text = (folder / "set.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("stages:")
    (folder / "set.yaml").write_text(head.replace("tiers: [so, huyen, xa]", "tiers: [so, xa]") + (
        "stages:\n"
        "  - {id: province, name: Sở TT&TT, reviewers: province_reviewers, tiers: [so, xa], due: verification}\n"),
        encoding="utf-8")
    (root.units_dir / "huyen.yaml").unlink()
    units = [{k: v for k, v in unit.items() if k != "district"} for unit in UNITS["xa"]]
    (root.units_dir / "xa.yaml").write_text(yaml_text({"tier": "xa", "units": units}), encoding="utf-8")
    data = cycle(2024, "verifying")
    data["deadlines"] = {"so": "2024-10-31", "xa": "2024-10-15"}
    root.cycle_path(2024).write_text(yaml_text(data), encoding="utf-8")
    return root


def _verify(root: DataRoot, unit: str, tier: str) -> None:
    sha = hashlib.sha256(root.submission_path(2024, tier, unit).read_bytes()).hexdigest()
    root.review_path(2024, tier, unit).write_text(yaml_text({"unit": unit, "year": 2024, "reviews": [
        {"stage": "province", "reviewer": "sotttt-reviewer", "date": "2024-11-05", "submission_sha256": sha,
         "answers": {}}]}), encoding="utf-8")


def test_a_province_without_a_district_tier_validates_scores_and_publishes(cqdt, tmp_path: Path):
    root = _province_without_districts(tmp_path / "data")
    assert cqdt("--data", root.root, "schemas").exit_code == 0
    for unit, tier in (("xa-a1", "xa"), ("so-noi-vu", "so")):
        write_submission(root, unit)
        _verify(root, unit, tier)
    result = cqdt("--data", root.root, "validate")
    assert result.exit_code == 0, result.output
    scored = json.loads(cqdt("--data", root.root, "score", "--year", "2024", "--format", "json").output)
    assert {u["tier"] for u in scored["units"]} == {"so", "xa"}
    assert {u["id"]: u["status"] for u in scored["units"] if u["id"] in ("xa-a1", "so-noi-vu")} == {
        "xa-a1": "verified", "so-noi-vu": "verified"}
    status = json.loads(cqdt("--data", root.root, "status", "--year", "2024", "--format", "json").output)
    assert [(t["tier"], [s["id"] for s in t["stages"]]) for t in status["tiers"]] == [("so", ["province"]), ("xa", ["province"])]
    assert next(u for t in status["tiers"] for u in t["units"] if u["id"] == "xa-a1")["state"] == "verified"
    result = cqdt("--data", root.root, "publish", "--year", "2024", "--decision", "9/QĐ-UBND", "--date", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert cqdt("--data", root.root, "validate").exit_code == 0


def test_without_a_district_stage_a_district_entry_is_refused(cqdt, tmp_path: Path):
    root = _province_without_districts(tmp_path / "data")
    cqdt("--data", root.root, "schemas")
    write_submission(root, "xa-a1")
    _verify(root, "xa-a1", "xa")
    path = root.review_path(2024, "xa", "xa-a1")
    path.write_text(path.read_text(encoding="utf-8").replace("stage: province", "stage: district"), encoding="utf-8")
    result = cqdt("--data", root.root, "validate", path)
    assert result.exit_code == 1
    assert "trường 'reviews[0].stage' phải là một trong các giá trị: province; đang là \"district\"" in result.output


@pytest.mark.parametrize(("stages", "message"), [
    ("  - {id: province, name: Sở, reviewers: province_reviewers, tiers: [so, huyen], due: verification}\n",
     "cấp 'xa' không có bước thẩm định nào; hãy ghi cấp này vào 'tiers' của ít nhất một bước"),
    ("  - {id: province, name: Sở, reviewers: province_reviewers, tiers: [so, huyen, xa], due: verification}\n"
     "  - {id: province, name: Sở, reviewers: province_reviewers, tiers: [xa], due: huyen}\n",
     "mã bước thẩm định 'province' bị trùng (đã dùng ở dòng"),
])
def test_criteria_set_stages_are_checked(data_root: DataRoot, stages: str, message: str):
    from scorer.reading.catalogue import check_criteria_set

    path = data_root.criteria_set_dir("qd-1609-2018") / "set.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("stages:")] + "stages:\n" + stages, encoding="utf-8")
    criteria_set, problems = check_criteria_set(data_root, "qd-1609-2018")
    assert criteria_set is None
    assert any(p.path == "criteria/qd-1609-2018/set.yaml" and message in p.message for p in problems), problems


def test_a_commune_without_its_district_is_reported_when_districts_verify(data_root: DataRoot, cqdt):
    path = data_root.units_dir / "xa.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    district: ")
    path.write_text(text[:first] + text[text.index("\n", first) + 1:], encoding="utf-8")
    result = cqdt("--data", data_root.root, "validate")
    assert result.exit_code == 1
    assert "units/xa.yaml:7:5: đơn vị 'phuong-duu-lau' thiếu trường 'district': bộ tiêu chí qd-1609-2018 giao cho huyện " \
           "thẩm định cấp 'xa' (bước UBND huyện)" in result.output


def test_a_stage_the_criteria_set_names_otherwise_is_shown_by_its_name(data_copy: Path):
    # Stages are data: a province whose verifying stage is not called "province" is shown by the
    # set's name for it in the pull-request summary and on the unit page (it was a KeyError and "None").
    from scorer.flow.pr_summary import _unit_section
    from scorer.shell.scoring import evaluate
    from scorer.site.filters import filters

    set_file = data_copy / "criteria" / "qd-1609-2018" / "set.yaml"
    text = set_file.read_text(encoding="utf-8")
    set_file.write_text(text.replace("  - id: province\n", "  - id: so_tttt\n").replace("name: Sở TT&TT\n", "name: Sở Thông tin và Truyền thông\n"),
                        encoding="utf-8")
    for review in (data_copy / "submissions" / "2024").glob("*/*.review.yaml"):
        review.write_text(review.read_text(encoding="utf-8").replace("stage: province", "stage: so_tttt"), encoding="utf-8")
    results = evaluate(DataRoot(data_copy), 2024)
    result = next(r for r in results.units if "so_tttt" in r.review_stages)
    assert any(line.startswith("- **Đã thẩm định:**") and "Sở Thông tin và Truyền thông" in line
               for line in _unit_section(result, results))
    label = filters()["stage_label"]
    assert label("so_tttt", results.criteria_set.stages) == "Sở Thông tin và Truyền thông"
    assert label("khac", results.criteria_set.stages) == "khac"
