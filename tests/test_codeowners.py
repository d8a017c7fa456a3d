"""`.github/CODEOWNERS` is generated from the registry, and the committed one is current."""

from __future__ import annotations

import re
from pathlib import Path

from flowdata import make_data

from scorer.flow.codeowners import codeowners
from scorer.reading.paths import DataRoot
from scorer.reading.registry import load_registry

REPO = Path(__file__).resolve().parent.parent


def owners_of(text: str, path: str) -> list[str]:
    """The owners GitHub would ask for: the last line whose pattern matches the path."""
    found: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        regex = re.escape(pattern.lstrip("/")).replace(r"\*", "[^/]*")
        regex = regex + ".*" if pattern.endswith("/") else regex
        if pattern == "*" or re.fullmatch(regex, path):
            found = owners
    return found


def test_committed_codeowners_is_current():
    expected = codeowners(load_registry(DataRoot(REPO)))
    committed = (REPO / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert committed == expected, ".github/CODEOWNERS is stale: run `cqdt codeowners`"


def test_who_reviews_what(tmp_path: Path):
    text = codeowners(load_registry(make_data(tmp_path / "data")))
    assert owners_of(text, "submissions/2024/xa/xa-a1.yaml") == ["@huyena-reviewer", "@sotttt-reviewer"]
    assert owners_of(text, "submissions/2024/xa/xa-b1.yaml") == ["@huyenb-reviewer", "@sotttt-reviewer"]
    assert owners_of(text, "submissions/2024/huyen/huyen-a.yaml") == ["@sotttt-reviewer"]
    assert owners_of(text, "submissions/2024/xa/xa-a1.review.yaml") == ["@sotttt-reviewer"]
    assert owners_of(text, "evidence/2024/xa-a1/bien-ban.pdf") == ["@huyena-reviewer", "@sotttt-reviewer"]
    for path in ("criteria/qd-1609-2018/xa.yaml", "units/xa.yaml", "submissions/2024/cycle.yaml",
                 ".github/workflows/pull-request.yml", "scorer/flow/ownership.py"):
        assert owners_of(text, path) == ["@sotttt-admin"], path


def test_check_option(tmp_path: Path, cqdt):
    root = make_data(tmp_path / "data")
    assert cqdt("--data", root.root, "codeowners", "--check").exit_code == 1
    assert cqdt("--data", root.root, "codeowners").exit_code == 0
    first = (root.root / ".github" / "CODEOWNERS").read_bytes()
    result = cqdt("--data", root.root, "codeowners", "--check")
    assert result.exit_code == 0, result.output
    assert cqdt("--data", root.root, "codeowners").exit_code == 0
    assert (root.root / ".github" / "CODEOWNERS").read_bytes() == first
