"""A pull request is judged by its base commit's schemas and criteria, never by the ones it brings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flowdata import Repo, admin_repo, write_submission

from scorer.flow.pr_summary import run_checks
from scorer.reading.paths import DataRoot

pytestmark = pytest.mark.git


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return admin_repo(tmp_path / "repo")


def test_a_pull_request_that_loosens_a_schema_is_checked_by_the_base_schema(repo: Repo):
    repo.branch("loosen")
    schema_path = repo.path / "schema" / "units.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema_path.write_text(json.dumps(schema, ensure_ascii=False).replace("^[a-z0-9][a-z0-9-]{0,62}$", ".*"), encoding="utf-8")
    units = repo.path / "units" / "xa.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "  - {id: Xã Mới!, name: Xã Mới, kind: commune, district: huyen-a, "
                     "owners: [moi-clerk], reviewers: []}\n", encoding="utf-8")
    repo.commit("sotttt-admin", "a new commune, and a schema that lets its id through")
    check = run_checks(DataRoot(repo.path), "main", "sotttt-admin")
    assert check.verdict.ok
    assert any(p.path == "units/xa.yaml" and "không đúng định dạng" in p.message for p in check.problems), check.problems


def test_submissions_are_scored_by_the_base_criteria_and_the_changed_criteria_still_checked(repo: Repo):
    repo.branch("xa-a1")
    write_submission(DataRoot(repo.path), "xa-a1", strength=3)
    criteria = repo.path / "criteria" / "qd-1609-2018" / "set.yaml"
    criteria.write_text(criteria.read_text(encoding="utf-8").replace("decimals: 2", "decimals: 0")
                        .replace("tiers: [so, huyen, xa]", "tiers: [so, huyen, xa, thon]"), encoding="utf-8")
    repo.commit("xaa1-clerk", "submits, and changes how points are rounded")
    check = run_checks(DataRoot(repo.path), "main", "xaa1-clerk")
    assert not check.verdict.ok  # a clerk may not change criteria, but the summary still checks and scores
    assert check.results[2024].criteria_set.decimals == 2
    assert check.results[2024].unit("xa-a1").submitted
    assert any(p.path == "criteria/qd-1609-2018/set.yaml" for p in check.problems), check.problems
    assert not any(p.path.startswith("submissions/") for p in check.problems), check.problems
