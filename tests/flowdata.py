"""A small province and real git repositories for the flow tests.

The criteria and schemas are the repository's own; the registry is a small one
with a known owner or reviewer for every role, so each rule can be exercised.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from scorer.forms.scaffold import dump_round_trip
from scorer.reading.catalogue import load_criteria_set
from scorer.reading.paths import DataRoot

REPO = Path(__file__).resolve().parent.parent
EVIDENCE_URL = "https://ubnd.example.gov.vn/minh-chung"

UNITS = {
    "so": [
        {"id": "so-noi-vu", "name": "Sở Nội vụ", "kind": "department", "owners": ["noivu-clerk"], "reviewers": []},
    ],
    "huyen": [
        {"id": "huyen-a", "name": "Huyện A", "kind": "district", "owners": ["huyena-clerk"], "reviewers": ["huyena-reviewer"]},
        {"id": "huyen-b", "name": "Huyện B", "kind": "district", "owners": ["huyenb-clerk"], "reviewers": ["huyenb-reviewer"]},
    ],
    "xa": [
        {"id": "xa-a1", "name": "Xã A Một", "kind": "commune", "district": "huyen-a", "owners": ["xaa1-clerk"], "reviewers": []},
        {"id": "xa-a2", "name": "Xã A Hai", "kind": "commune", "district": "huyen-a", "owners": ["xaa2-clerk"], "reviewers": []},
        {"id": "xa-b1", "name": "Xã B Một", "kind": "commune", "district": "huyen-b", "owners": ["xab1-clerk"], "reviewers": []},
    ],
}
ROLES = {"admins": ["sotttt-admin"], "province_reviewers": ["sotttt-reviewer"]}
HOLIDAYS_2024 = ["2024-01-01", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
                 "2024-04-18", "2024-04-29", "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03",
                 "2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31"]


def yaml_text(data: Any) -> str:
    return dump_round_trip(data)


def cycle(year: int, state: str = "open", **extra: Any) -> dict[str, Any]:
    data = {
        "year": year, "criteria": "qd-1609-2018", "demo": True,
        "deadlines": {"xa": f"{year}-10-15", "huyen": f"{year}-10-31", "so": f"{year}-10-31"},
        "verification_working_days": 60, "holidays": HOLIDAYS_2024 if year == 2024 else [],
        "state": state,
    }
    data.update(extra)
    return data


def make_data(target: Path, years: dict[int, str] | None = None) -> DataRoot:
    """criteria/ and schema/ from the repository, a small registry, and cycle files."""
    for folder in ("criteria", "schema"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "units").mkdir(parents=True)
    for tier, units in UNITS.items():
        (target / "units" / f"{tier}.yaml").write_text(yaml_text({"tier": tier, "units": units}), encoding="utf-8")
    (target / "units" / "roles.yaml").write_text(yaml_text(ROLES), encoding="utf-8")
    for year, state in (years or {2024: "open"}).items():
        path = target / "submissions" / str(year) / "cycle.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml_text(cycle(year, state)), encoding="utf-8")
    return DataRoot(target)


def answer_value(criterion: Any, strength: int) -> Any:
    """A plausible answer; strength 0..10 scales how good it is."""
    if criterion.kind == "yes_no":
        return strength >= 5
    if criterion.kind == "ratio":
        return {"numerator": strength, "denominator": 10}
    if criterion.kind == "count":
        return strength
    if criterion.kind == "choice":
        options = sorted(criterion.options, key=lambda o: o.points)
        return options[min(len(options) - 1, strength * len(options) // 11)].id
    return strength * 10


def submission(root: DataRoot, unit_id: str, year: int = 2024, strength: int = 10) -> dict[str, Any]:
    """A complete submission for a unit of the small registry, as plain data."""
    tier = next(t for t, units in UNITS.items() if any(u["id"] == unit_id for u in units))
    criteria = load_criteria_set(root, "qd-1609-2018").tiers[tier].criteria
    answers = {}
    for criterion in criteria:
        value = answer_value(criterion, strength)
        answers[criterion.id] = {"value": value, "evidence": [EVIDENCE_URL], "note": ""}
    return {"unit": unit_id, "year": year, "answers": answers}


def write_submission(root: DataRoot, unit_id: str, year: int = 2024, strength: int = 10) -> Path:
    tier = next(t for t, units in UNITS.items() if any(u["id"] == unit_id for u in units))
    path = root.submission_path(year, tier, unit_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml_text(submission(root, unit_id, year, strength)), encoding="utf-8")
    return path


def write_review(root: DataRoot, unit_id: str, stages: tuple[str, ...] | None = None, year: int = 2024,
                 day: str = "2024-12-10", answers: dict[str, Any] | None = None, sha: str | None = None) -> Path:
    """A review record verifying the unit's current submission at each stage (default: every
    stage its tier requires), adjusting `answers` ({criterion id: value}) at the last one."""
    from scorer.reading.submissions import sha256_hex

    tier = next(t for t, units in UNITS.items() if any(u["id"] == unit_id for u in units))
    unit = next(u for u in UNITS[tier] if u["id"] == unit_id)
    stages = stages or (("district", "province") if tier == "xa" else ("province",))
    sha = sha or sha256_hex(root.submission_path(year, tier, unit_id).read_bytes())
    reviewers = {"district": next((u["reviewers"][0] for u in UNITS["huyen"] if u["id"] == unit.get("district")), ""),
                 "province": ROLES["province_reviewers"][0]}
    entries = [{"stage": stage, "reviewer": reviewers[stage], "date": day, "submission_sha256": sha,
                "answers": {cid: {"value": value, "reason": "Điều chỉnh theo minh chứng"} for cid, value in
                            (answers or {}).items()} if stage == stages[-1] else {}}
               for stage in stages]
    path = root.review_path(year, tier, unit_id)
    path.write_text(yaml_text({"unit": unit_id, "year": year, "reviews": entries}), encoding="utf-8")
    return path


class Repo:
    """A real git repository in a temporary folder; each commit is made as a named actor."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.run("init", "-q", "-b", "main")
        self.run("config", "user.name", "setup")
        self.run("config", "user.email", "setup@example.invalid")
        self.run("config", "commit.gpgsign", "false")

    def run(self, *args: str, date: str = "2024-10-01T09:00:00+07:00") -> str:
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True)
        return done.stdout

    def commit(self, actor: str, message: str, date: str = "2024-10-01T09:00:00+07:00") -> None:
        """Stage everything in the work tree and commit it as actor."""
        self.run("add", "-A")
        self.run("-c", f"user.name={actor}", "-c", f"user.email={actor}@users.noreply.github.com",
                 "commit", "-q", "--allow-empty", "-m", message, date=date)

    def branch(self, name: str, start: str = "main") -> None:
        self.run("checkout", "-q", "-B", name, start)


def admin_repo(path: Path, years: dict[int, str] | None = None) -> Repo:
    """A repository whose main holds the data as the admin committed it (see make_data)."""
    repo = Repo(path)
    make_data(repo.path, years)
    repo.commit("sotttt-admin", "Registry, criteria and cycles")
    return repo
