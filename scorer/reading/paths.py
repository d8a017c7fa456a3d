"""Where each kind of file lives in a data root (see DESIGN.md, "Layout")."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

SUBMISSION_RE = re.compile(
    r"^submissions/(?P<year>\d{4})/(?P<tier>[a-z]+)/(?P<unit>[a-z0-9-]+)(?P<review>\.review)?\.yaml$"
)
CYCLE_RE = re.compile(r"^submissions/(?P<year>\d{4})/cycle\.yaml$")


@dataclass(frozen=True)
class DataRoot:
    """A repository (or folder) holding criteria, units and submissions."""

    root: Path

    @property
    def criteria_dir(self) -> Path:
        return self.root / "criteria"

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
            if p.name.isdigit() and (p / "cycle.yaml").is_file()
        )

    def criteria_set_ids(self) -> list[str]:
        if not self.criteria_dir.is_dir():
            return []
        return sorted(p.name for p in self.criteria_dir.iterdir() if (p / "set.yaml").is_file())

    @cached_property
    def _resolved(self) -> Path:
        return self.root.resolve()

    def relative(self, path: Path) -> str:
        """Path as shown in messages: relative to the root, with forward slashes."""
        if not path.is_absolute() and not self.root.is_absolute():
            path = path.absolute()
        for base in (self.root.absolute(), self._resolved):
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
