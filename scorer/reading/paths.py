"""Where each kind of file lives in a data root (see DESIGN.md, "Layout")."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# The one grammar of the paths cqdt gives a meaning to, used by validate, check-pr and the site.
# ASCII only: \d and str.isdigit() also take "２０２５" (and int() reads it as 2025), so a
# folder of full-width digits would pass one check and be skipped by another. Each pattern
# matches a whole path (`\Z`: "$" would also match before a final line break).
YEAR_RE = re.compile(r"[0-9]{4}\Z")
_YEAR = r"(?P<year>[0-9]{4})"
_UNIT = r"(?P<unit>[a-z0-9][a-z0-9-]*)"
SUBMISSION_RE = re.compile(rf"submissions/{_YEAR}/(?P<tier>[a-z]+)/{_UNIT}(?P<review>\.review)?\.yaml\Z")
CYCLE_RE = re.compile(rf"submissions/{_YEAR}/cycle\.yaml\Z")
EVIDENCE_RE = re.compile(rf"evidence/{_YEAR}/{_UNIT}/(?P<file>[^\x00-\x1f\x7f\\:]+)\Z")
CRITERIA_RE = re.compile(r"criteria/(?P<set>[a-z0-9][a-z0-9-]*)/[a-z0-9-]+\.yaml\Z")
UNITS_RE = re.compile(r"units/[a-z0-9-]+\.yaml\Z")
LEDGER_RE = re.compile(rf"submissions/{_YEAR}/receipts\.jsonl\Z")
# A repository file a submission names as evidence: relative, no "..", no colon (no scheme),
# on one line, ending in a file extension; spaces and Vietnamese letters are fine.
REPO_FILE_RE = re.compile(r"(?![/.])(?!.*\.\.)[^\t\r\n:\\]+\.[A-Za-z0-9]{1,8}\Z")


@dataclass(frozen=True)
class DataRoot:
    """A repository (or folder) holding criteria, units and submissions.

    `criteria_root`, when given, is where criteria/ is read from instead: a pull request's
    submissions are judged by its base commit's criteria, not by the criteria it brings
    (flow.pr_summary). Schemas are cqdt's own (reading.schemas), never a data root's.
    """

    root: Path
    criteria_root: Path | None = None

    @property
    def criteria_dir(self) -> Path:
        return (self.criteria_root or self.root) / "criteria"

    def criteria_set_dir(self, set_id: str) -> Path:
        return self.criteria_dir / set_id

    @property
    def units_dir(self) -> Path:
        return self.root / "units"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def submissions_dir(self) -> Path:
        return self.root / "submissions"

    def year_dir(self, year: int) -> Path:
        return self.submissions_dir / str(year)

    def cycle_path(self, year: int) -> Path:
        return self.year_dir(year) / "cycle.yaml"

    def submission_path(self, year: int, tier: str, unit_id: str) -> Path:
        return self.year_dir(year) / tier / f"{unit_id}.yaml"

    def review_path(self, year: int, tier: str, unit_id: str) -> Path:
        return self.year_dir(year) / tier / f"{unit_id}.review.yaml"

    def results_path(self, year: int) -> Path:
        """The official results file written by `cqdt publish`."""
        return self.year_dir(year) / "results.json"

    def years(self) -> list[int]:
        """Years that have a cycle file, oldest first."""
        if not self.submissions_dir.is_dir():
            return []
        return sorted(
            int(p.name) for p in self.submissions_dir.iterdir()
            if YEAR_RE.match(p.name) and (p / "cycle.yaml").is_file()
        )

    def criteria_set_ids(self) -> list[str]:
        if not self.criteria_dir.is_dir():
            return []
        return sorted(p.name for p in self.criteria_dir.iterdir() if (p / "set.yaml").is_file())

    @cached_property
    def _resolved(self) -> Path:
        return self.root.resolve()

    @cached_property
    def _bases(self) -> tuple[Path, ...]:
        folders = (self.root,) if self.criteria_root is None else (self.root, self.criteria_root)
        return tuple(base for folder in folders for base in (folder.absolute(), folder.resolve()))

    def relative(self, path: Path) -> str:
        """Path as shown in messages: relative to the root (or the rules' roots), with forward slashes."""
        if not path.is_absolute() and not self.root.is_absolute():
            path = path.absolute()
        for base in self._bases:
            # Paths the code builds from the root need no resolving; others (symlinks, ..) do.
            if ".." not in path.parts and path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        try:
            return path.resolve().relative_to(self._resolved).as_posix()
        except ValueError:
            return str(path)


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write a file through a temporary name and a rename: never half-written.

    `data` may be text pieces, written as they come (large outputs need not fit in memory twice).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    pieces = [data] if isinstance(data, bytes | str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
