"""The benchmark's data generator: deterministic, valid, and shaped like the registry."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("vietnam_provinces", reason="the generator needs the 'bench' extra")

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
generate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = generate  # dataclasses look their module up there
_spec.loader.exec_module(generate)

UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CQDT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "root"
    generate.generate(root, 60, seed=7, years=2)
    return root


def test_same_seed_gives_same_bytes_and_same_commit(tmp_path: Path, small_root: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, 60, seed=7, years=2)
    assert _tree(again) == _tree(small_root)
    head = [generate.git(r, "rev-parse", "HEAD").strip() for r in (small_root, again)]
    assert head[0] == head[1]


def test_another_seed_gives_other_answers(tmp_path: Path, small_root: Path) -> None:
    other = tmp_path / "other"
    generate.generate(other, 60, seed=8, years=2)
    first, second = _tree(small_root), _tree(other)
    assert {n for n in first if n.startswith("units/")} == {n for n in second if n.startswith("units/")}
    assert all(first[n] == second[n] for n in first if n.startswith("units/"))
    submissions = [n for n in first if n.startswith("submissions/") and not n.endswith(("review.yaml", "cycle.yaml", ".json"))]
    assert len(submissions) == 120
    changed = [n for n in submissions if first[n] != second.get(n)]
    assert len(changed) == len(submissions)


def test_generated_root_validates_and_scores(small_root: Path, cqdt) -> None:
    result = cqdt("--data", small_root, "validate")
    assert result.exit_code == 0, result.output
    assert "không có lỗi" in result.output
    scored = cqdt("--data", small_root, "score", "--format", "json")
    assert scored.exit_code == 0, scored.output


def test_every_unit_submits_and_reviews_name_the_submission_hash(small_root: Path) -> None:
    year_dir = small_root / "submissions" / "2024"
    submissions = [p for p in year_dir.glob("*/*.yaml") if not p.name.endswith(".review.yaml")]
    reviews = sorted(year_dir.glob("*/*.review.yaml"))
    assert len(submissions) == 60
    assert reviews
    for review in reviews:
        submission = review.with_name(review.name.replace(".review.yaml", ".yaml"))
        expected = hashlib.sha256(submission.read_bytes()).hexdigest()
        hashes = re.findall(r"submission_sha256: ([0-9a-f]{64})", review.read_text(encoding="utf-8"))
        assert hashes and set(hashes) == {expected}


def test_scores_count_every_unit_and_the_reviews(small_root: Path, cqdt) -> None:
    scored = json.loads(cqdt("--data", small_root, "score", "--format", "json").output)
    units = scored["units"]
    assert len(units) == 60
    assert {u["tier"] for u in units} == {"so", "huyen", "xa"}
    statuses = {u["status"] for u in units}
    assert statuses == {"submitted", "partly_verified", "verified"}
    reviewed = {p.name.removesuffix(".review.yaml") for p in small_root.glob("submissions/2024/*/*.review.yaml")}
    assert {u["id"] for u in units if u["status"] in ("partly_verified", "verified")} == reviewed
    assert not any(u["needs_reverification"] for u in units)


def test_root_is_one_commit_with_a_clean_tree(small_root: Path) -> None:
    log = generate.git(small_root, "log", "--format=%s").splitlines()
    assert log == ["Synthetic nationwide data root for the benchmark"]
    assert generate.git(small_root, "status", "--porcelain") == ""
    tracked = generate.git(small_root, "ls-files").splitlines()
    assert "units/roles.yaml" in tracked and "submissions/2023/cycle.yaml" in tracked


def test_whole_country_has_unique_ids_and_valid_logins() -> None:
    units = generate.select_units(None)
    ids = [u.id for u in units]
    assert len(ids) == len(set(ids)) > 11000
    assert all(UNIT_ID.match(i) for i in ids)
    logins = [login for u in units for login in (*u.owners, *u.reviewers)]
    assert len(logins) == len(set(logins))
    assert all(LOGIN.match(login) for login in logins)
    assert sum(u.tier == "so" for u in units) == 63 * len(generate.AGENCIES)
    seen_districts: set[str] = set()
    for unit in units:
        if unit.tier == "huyen":
            seen_districts.add(unit.id)
        if unit.tier == "xa":
            assert unit.district in seen_districts


def test_smaller_roots_are_prefixes_of_the_country() -> None:
    assert generate.select_units(500) == generate.select_units(None)[:500]
    with pytest.raises(SystemExit):
        generate.select_units(10**6)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit):
        generate.generate(tmp_path, 5, seed=1, years=1)
    assert [p.name for p in tmp_path.iterdir()] == ["something"]


def test_command_line_writes_a_root(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--out", str(out), "--units", "5"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(list((out / "submissions" / "2024").glob("*/*.yaml"))) >= 5
